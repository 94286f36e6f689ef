from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "guanxi.orders"
    label = "orders"
    verbose_name = _("Quote to cash")

    def ready(self) -> None:
        from guanxi.core import permissions as registry
        from guanxi.orders import permissions, plugins, timeline
        from guanxi.orders.exports import register_exports

        # Each domain registers its review flow (quote, contract, order, expense) on import.
        from guanxi.orders.services import contracts, expenses, orders, quotes  # noqa: F401

        timeline.register()
        register_exports()
        plugins.register()
        registry.register("orders", permissions)
