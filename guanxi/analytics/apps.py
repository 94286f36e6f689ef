from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "guanxi.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from guanxi.analytics.services.purchases import on_order_event
        from guanxi.core import events

        # In the order's transaction: the purchase commits or rolls back with the order.
        events.subscribe(on_order_event, in_transaction=True)

        # The customer list, its API and its export filter by customer value through the
        # customers app's filter registry (customers sits below analytics).
        from guanxi.analytics.forms import MetricFilterForm
        from guanxi.analytics.selectors import FILTERS, filter_accounts, parse_filters
        from guanxi.customers.filters import ContributedFilter, register_filter

        register_filter(ContributedFilter(
            key="analytics.metrics", label=_("Customer value"), names=FILTERS,
            parse=parse_filters, apply=filter_accounts,
            form_fields=lambda: MetricFilterForm().fields))

        # "Customers to offer product X": cross-sell as a customer filter (segments too).
        from guanxi.analytics.forms import cross_sell_fields
        from guanxi.analytics.selectors import (
            CROSS_SELL_FILTERS,
            filter_recommended,
            parse_cross_sell,
        )

        register_filter(ContributedFilter(
            key="analytics.cross_sell", label=_("Cross-sell"), names=CROSS_SELL_FILTERS,
            parse=parse_cross_sell, apply=filter_recommended, form_fields=cross_sell_fields))

        from guanxi.analytics import plugins

        plugins.register()

        from guanxi.analytics import permissions
        from guanxi.core import permissions as registry

        registry.register("analytics", permissions)
