"""Per-user language and the administrators' two-factor requirement."""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation

from guanxi.accounts.models import Role
from guanxi.core.locale import activate_currency, deactivate_currency


class UserLanguageMiddleware:
    """Activate the signed-in user's language (falling back to the browser's), before the
    auth middleware has run: the session carries it from the login on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get("guanxi_language") if hasattr(request, "session") \
            else None
        if not language:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class UserPreferencesMiddleware:
    """Show times in the signed-in user's time zone and totals in their display currency
    (the site's when they chose none). Runs after the auth middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        zone = getattr(user, "time_zone", "") if signed_in else ""
        timezone.deactivate()
        if zone:
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(zone))
        token = activate_currency(getattr(user, "currency", "") if signed_in else "")
        try:
            return self.get_response(request)
        finally:
            deactivate_currency(token)
            timezone.deactivate()


class AdminTwoFactorMiddleware:
    """With GUANXI_REQUIRE_ADMIN_2FA, an administrator without TOTP can reach only the pages
    to set it up (and log out)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (settings.GUANXI_REQUIRE_ADMIN_2FA and user is not None and user.is_authenticated
                and user.has_role(Role.ADMIN)
                and not request.path.startswith(self.ALLOWED_PREFIXES)
                and not request.path.startswith("/api/")):
            from allauth.mfa.models import Authenticator
            if not Authenticator.objects.filter(user=user,
                                                type=Authenticator.Type.TOTP).exists():
                return redirect("mfa_activate_totp")
        return self.get_response(request)
