"""Sign-in throttles: failed password attempts are counted per client address and per account
(in the shared cache, so every web process counts the same), without letting a stranger lock
the owner out.

- Per address (the ``/ip`` rates of ``GUANXI_LOGIN_RATE``): one address guessing at many
  accounts. The address is ``client_ip``, so behind trusted proxies it is the real client's.
- Per account (the ``/key`` rates): many addresses guessing at one account. The key is the
  account itself, whichever of its username or e-mail was typed (an unknown login is counted
  under what was typed, so the throttle does not tell which accounts exist).
- A browser that has signed in to the account before (a signed cookie set at each complete
  sign-in, second factor included) is counted apart, on its own per-account bucket and not per
  address: a lock-out made by others does not reach the owner at their usual browser, nor an
  office whose shared address someone else exhausted. Elsewhere, resetting the password by
  e-mail lifts the account's lock-out.

The second factor keeps allauth's own throttle (``ACCOUNT_RATE_LIMITS``), apart from these.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account import signals as allauth_signals
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from guanxi.core.client_ip import client_ip

APP = "guanxi.accounts"
DEVICE_COOKIE = "guanxi_device"
DEVICE_SALT = "guanxi.accounts.signin-device"
DEVICE_DAYS = 365


def _rates(per: str) -> str:
    """The parts of GUANXI_LOGIN_RATE for ``per`` ("ip" or "key"), in allauth's notation."""
    parts = [p.strip() for p in settings.ACCOUNT_RATE_LIMITS.get("login_failed", "").split(",")]
    return ",".join(p for p in parts if p and (p.split("/") + ["ip"])[2] == per)


def typed_login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip()


def account_for(credentials: dict[str, Any]) -> Any:
    """The one active-or-not user the typed login names, or None."""
    login = typed_login(credentials)
    if not login:
        return None
    if credentials.get("email"):
        users = list(filter_users_by_email(login))
    else:
        users = list(filter_users_by_username(login)[:2])
    return users[0] if len(users) == 1 else None


def account_key(user: Any, login: str) -> str:
    return f"user:{user.pk}" if user is not None else f"login:{login.lower()}"


def known_device(request: HttpRequest, user: Any) -> str | None:
    """The id of this browser if it has signed in as ``user`` before."""
    if user is None:
        return None
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    return str(data.get("d", ""))[:32] or None


def consume(request: HttpRequest, user: Any, login: str) -> ratelimit.RateLimitUsage | None:
    """Count one password attempt; None when a throttle refuses it (nothing counted then).
    The usage is rolled back after a successful sign-in, as allauth does."""
    device = known_device(request, user)
    buckets: list[tuple[str, str, str | None]] = []
    if device:
        buckets.append(("account", _rates("key"), f"{account_key(user, login)}:device:{device}"))
    else:
        buckets.append(("address", _rates("ip"), None))
        buckets.append(("account", _rates("key"), account_key(user, login)))
    used = ratelimit.RateLimitUsage(usage=[])
    for action, rates, key in buckets:
        usage = ratelimit.consume(request, app=APP, action=action, config={action: rates},
                                  key=key)
        if usage is None:
            used.rollback()
            return None
        used.usage.extend(usage.usage)
    return used


def clear_account(request: HttpRequest, user: Any) -> None:
    ratelimit.clear(request, app=APP, action="account", config={"account": _rates("key")},
                    key=account_key(user, ""))


def remember_device(response: HttpResponseBase, user: Any) -> None:
    value = signing.dumps({"u": user.pk, "d": secrets.token_urlsafe(12)}, salt=DEVICE_SALT)
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def record_failure(request: HttpRequest, credentials: dict[str, Any], user: Any) -> None:
    """A failed password in the audit trail: the login typed and the client address, never
    the password."""
    from guanxi.accounts.services import record_failed_login

    record_failed_login(typed_login(credentials), client_ip(request), user)


@receiver(allauth_signals.password_reset)
def _reset_lifts_the_lock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # Whoever can read the account's mail is its owner: the lock-out has done its job.
    clear_account(request, user)
