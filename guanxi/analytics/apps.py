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
