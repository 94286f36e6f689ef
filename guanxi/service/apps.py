from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "guanxi.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from guanxi.core import permissions as registry
        from guanxi.service import permissions, plugins, timeline
        from guanxi.service.exports import register_exports

        timeline.register()
        register_exports()
        plugins.register()
        registry.register("service", permissions)
