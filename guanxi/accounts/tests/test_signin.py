"""Sign-in throttles: shared by every web process, per account and per real client address,
and never a way for a stranger to lock the owner out."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal import auth as totp
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

from guanxi.core.models import AuditEntry

PASSWORD = "pw-Guanxi-2026"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _rates(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    caches["default"].clear()
    yield
    caches["default"].clear()


def attempt(client: Client, login: str, password: str, address: str = "198.51.100.1", **extra):
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=address,
                       **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(login: str, address: str = "198.51.100.66") -> None:
    stranger = Client()
    for _ in range(5):
        attempt(stranger, login, "guess", address)
    page = attempt(stranger, login, "guess", address).content.decode()
    assert "Too many failed sign-ins" in page


def test_failures_are_counted_in_the_database_every_web_process_shares(org):
    client = Client()
    for _ in range(5):
        assert attempt(client, "rep", "wrong").status_code == 200
    assert _throttle_keys()  # in the database table
    # Another process opens its own cache connection: it sees the same counts.
    other_process = caches.create_connection("default")
    assert any(other_process.get(key) for key in _throttle_keys())
    attempt(client, "rep", PASSWORD)
    assert not signed_in(client)


def _throttle_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute('SELECT cache_key FROM "guanxi_cache"')
        # Stored as "<prefix>:<version>:<key>".
        return [row[0].split(":", 2)[2] for row in cursor.fetchall() if ":rl:" in row[0]]


def test_username_and_email_count_against_the_same_account(org):
    client = Client()
    for login in ("rep", "REP@example.com", "rep", "rep@example.com", "Rep"):
        attempt(client, login, "wrong", address=f"198.51.100.{len(login)}")
    attempt(client, "rep@example.com", PASSWORD, address="198.51.100.200")
    assert not signed_in(client)


def test_a_stranger_cannot_lock_the_owner_out_of_a_browser_they_used_before(org):
    owner = Client()
    attempt(owner, "finance", PASSWORD, address="203.0.113.5")
    assert signed_in(owner)
    owner.post(reverse("account_logout"))
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(org.finance, secret)

    lock_out("finance")
    newcomer = Client()  # even the right password waits in a browser never used before
    attempt(newcomer, "finance", PASSWORD, address="203.0.113.9")
    assert not signed_in(newcomer)

    response = attempt(owner, "finance", PASSWORD, address="203.0.113.5")
    assert response["Location"] == reverse("mfa_authenticate")  # the second factor, as usual
    code = totp.format_hotp_value(totp.hotp_value(secret, next(
        totp.yield_hotp_counters_from_time())))
    owner.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR="203.0.113.5")
    assert owner.session["_auth_user_id"] == str(org.finance.pk)


def test_a_known_browser_has_its_own_limit(org):
    owner = Client()
    attempt(owner, "rep", PASSWORD)
    owner.post(reverse("account_logout"))
    for _ in range(5):
        attempt(owner, "rep", "typo")
    attempt(owner, "rep", PASSWORD)
    assert not signed_in(owner)


def test_an_office_behind_one_address_is_not_locked_out_by_one_of_its_machines(org):
    owner = Client()
    attempt(owner, "rep", PASSWORD, address="192.0.2.10")
    owner.post(reverse("account_logout"))
    stranger = Client()
    for n in range(12):  # many accounts guessed from the shared office address
        attempt(stranger, f"someone{n}", "guess", address="192.0.2.10")
    assert "Too many failed sign-ins" in attempt(stranger, "teammate", PASSWORD,
                                                  "192.0.2.10").content.decode()
    attempt(owner, "rep", PASSWORD, address="192.0.2.10")
    assert signed_in(owner)


def test_resetting_the_password_lifts_the_lock_out(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lock_out("rep")
    owner = Client()
    owner.post(reverse("account_reset_password"), {"email": "rep@example.com"},
               REMOTE_ADDR="203.0.113.5")
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)[0]
    page = owner.get(link, follow=True)
    new = "a-New-pw-2026!"
    owner.post(page.redirect_chain[-1][0], {"password1": new, "password2": new},
               REMOTE_ADDR="203.0.113.5")
    attempt(owner, "rep", new, address="203.0.113.5")
    assert owner.session["_auth_user_id"] == str(org.rep.pk)


def test_failed_sign_ins_are_in_the_audit_trail_without_the_password(org, settings):
    settings.GUANXI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = Client()
    attempt(client, "rep@example.com", "Secret-guess-1", address="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.77")
    attempt(client, "nobody", "Secret-guess-2", address="198.51.100.3")
    rows = list(AuditEntry.objects.filter(action="accounts.login.failed").order_by("id"))
    assert [(r.object_id, r.data) for r in rows] == [
        (str(org.rep.pk), {"login": "rep@example.com", "address": "203.0.113.77"}),
        ("", {"login": "nobody", "address": "198.51.100.3"}),
    ]
    stored = str(list(AuditEntry.objects.values()))
    assert "Secret-guess" not in stored
    attempt(client, "rep", PASSWORD)
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == 2


def test_the_admin_signs_in_through_the_throttled_page(org):
    org.admin.is_staff = True
    org.admin.save()
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and not signed_in(client)
    lock_out("admin")
    attempt(client, "admin", PASSWORD)
    assert not signed_in(client)
