"""Deployment checks of our own, shown by ``guanxi check --deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def mail_is_sent(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        return [Warning(
            "Mail is printed to the server's log (console backend), password-reset links "
            "included.", hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, "
            "EMAIL_HOST_PASSWORD, EMAIL_USE_TLS as needed).", id="guanxi.W001")]
    return []


@register()
def mailboxes_are_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A wrong GUANXI_MAILBOXES is said at start, not found in the worker's log a day later."""
    from django.core.exceptions import ImproperlyConfigured

    from guanxi.core.mailboxes import configured

    try:
        configured()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See the README, \"Mail in\".", id="guanxi.E010")]
    return []
