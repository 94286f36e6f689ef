from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.core import events
        from guanxi.customers import timeline, timeline_entries

        timeline_entries.register()
        # In the transaction: an entry commits or rolls back with the change it tells about.
        events.subscribe(timeline.write, in_transaction=True)

        from guanxi.customers.exports import register_exports

        register_exports()

        from guanxi.customers import lists

        lists.register()

        from guanxi.customers import plugins

        plugins.register()

        from guanxi.core import permissions as registry
        from guanxi.customers import permissions

        registry.register("customers", permissions)

        from guanxi.customers.services import consent

        consent.register_gate()
