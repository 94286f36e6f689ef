from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "guanxi.integrations"
    label = "integrations"
    verbose_name = _("Data in and out")

    def ready(self) -> None:
        from guanxi.integrations import hook_tasks  # noqa: F401 (registers with the worker)
        from guanxi.integrations.services import listeners

        listeners.connect()

        from guanxi.core import navigation
        from guanxi.integrations import navigation as integrations_navigation

        navigation.register(*integrations_navigation.ITEMS)

        from guanxi.core import permissions as registry
        from guanxi.integrations import permissions

        registry.register("integrations", permissions)
