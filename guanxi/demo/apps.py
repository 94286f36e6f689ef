from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data and the ``demo`` and ``bench`` commands: the top layer, free to use every app."""

    name = "guanxi.demo"
    label = "demo"
    verbose_name = _("Demo data")
