from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from guanxi.sales import timeline

        timeline.register()

        from guanxi.sales.exports import register_exports

        register_exports()

        from guanxi.sales import lists

        lists.register()

        from guanxi.sales import plugins

        plugins.register()

        from guanxi.core import permissions as registry
        from guanxi.sales import permissions

        registry.register("sales", permissions)
