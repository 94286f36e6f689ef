"""Writes on users: API tokens, language preference."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import ApiToken, User
from guanxi.core import audit
from guanxi.core.errors import Conflict, FieldErrors


@transaction.atomic
def create_token(user: User, name: str, scope: str = ApiToken.Scope.READ,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its secret, which is never stored or shown
    again. Every token expires: after ``days`` (the site's default when None), at most
    GUANXI_API_TOKEN_MAX_DAYS."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = [_("Give the token a name of at most 100 characters.")]
    if scope not in ApiToken.Scope.values:
        errors["scope"] = [_("Choose read or write.")]
    max_days = settings.GUANXI_API_TOKEN_MAX_DAYS
    if days is None:
        days = min(settings.GUANXI_API_TOKEN_DEFAULT_DAYS, max_days)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= max_days:
        errors["days"] = [_("Enter a number of days from 1 to %(max)d: every token expires.")
                          % {"max": max_days}]
    if errors:
        raise FieldErrors(errors)
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, scope=scope, key_prefix=secret[:10],
        key_hash=ApiToken.hash_secret(secret),
        expires_at=timezone.now() + dt.timedelta(days=days))
    audit.log(user, "accounts.token.created", token, data={"scope": scope, "days": days})
    return token, secret


@transaction.atomic
def revoke_token(user: User, token: ApiToken) -> None:
    if token.revoked_at:
        raise Conflict(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.log(user, "accounts.token.revoked", token)


def authenticate_token(secret: str) -> User | None:
    """The active user behind an active token, or None. Marks the token used (at most once a
    minute, so reads do not turn into writes on every request)."""
    if not secret or not secret.startswith(ApiToken.PREFIX):
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=ApiToken.hash_secret(secret)).first())
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    # The API reads the token's scope from the user it authenticated.
    token.user.api_token = token  # type: ignore[attr-defined]
    return token.user


def record_failed_login(login: str, address: str, user: User | None) -> None:
    """A wrong password in the audit trail, on the account when the login names one."""
    login = login[:150]
    audit.record("accounts.login.failed", "accounts.user", str(user.pk) if user else "",
                  str(user) if user else login, data={"login": login, "address": address})


def set_language(user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise FieldErrors({"language": [_("Choose a supported language.")]})
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def update_profile(user: User, display_name: str, phone: str, language: str,
                   time_zone: str | None = None, currency: str | None = None) -> User:
    """A user edits their own name, phone, language, time zone and display currency (roles
    and team are the administrator's). ``None`` keeps a preference as it is; empty means
    the site's."""
    from guanxi.core.normalize import normalize_phone

    errors: dict[str, list[str]] = {}
    display_name = (display_name or "").strip()
    if len(display_name) > 100:
        errors["display_name"] = [_("At most 100 characters.")]
    try:
        phone = normalize_phone(phone or "")
    except ValueError as exc:
        errors["phone"] = [str(exc)]
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a supported language.")]
    time_zone = user.time_zone if time_zone is None else time_zone.strip()
    if time_zone and time_zone not in time_zone_names():
        errors["time_zone"] = [_("Choose a time zone from the list.")]
    currency = user.currency if currency is None else currency.strip().upper()
    if currency and currency not in currency_codes():
        errors["currency"] = [_("Choose a currency from the list.")]
    if errors:
        raise FieldErrors(errors)
    values = {"display_name": display_name, "phone": phone, "language": language,
              "time_zone": time_zone, "currency": currency}
    changes = audit.diff({k: getattr(user, k) for k in values}, values)
    if changes:
        for key, value in values.items():
            setattr(user, key, value)
        user.save(update_fields=list(values))
        audit.log(user, "accounts.user.updated", user, changes=changes)
    return user


def time_zone_names() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def currency_codes() -> tuple[str, ...]:
    """The currencies a user may display: the site's and those records may carry."""
    return tuple(dict.fromkeys([settings.GUANXI_CURRENCY, *settings.GUANXI_CURRENCIES]))
