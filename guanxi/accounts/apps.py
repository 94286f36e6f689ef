from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "guanxi.accounts"
    label = "accounts"
    verbose_name = _("Users and teams")

    def ready(self) -> None:
        from guanxi.accounts import permissions, signin  # noqa: F401  (signal receivers)
        from guanxi.core import permissions as registry

        registry.register("accounts", permissions)
