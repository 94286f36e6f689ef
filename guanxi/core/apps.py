from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guanxi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from guanxi.core import checks, permissions  # noqa: F401  (checks register themselves)

        permissions.register("core", permissions)

        from guanxi.core import navigation

        navigation.register_own()

        from guanxi.core.observability import connect_worker_signals
        from guanxi.core.tasks import queue

        connect_worker_signals(queue)
