"""The client's address: X-Forwarded-For only from trusted proxies, read from the right."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from guanxi.core.client_ip import client_ip


def ip(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    # No trusted proxy: the header is the client's word and counts for nothing.
    ([], "203.0.113.5", "1.2.3.4", "203.0.113.5"),
    # A peer that is not a trusted proxy cannot pick its address either.
    (["10.0.0.1"], "203.0.113.5", "1.2.3.4", "203.0.113.5"),
    # Behind the proxy: the address it saw, whatever the client wrote before it.
    (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
    (["10.0.0.0/8"], "10.0.0.1", "203.0.113.7, 10.2.3.4", "203.0.113.7"),
    (["10.0.0.1"], "10.0.0.1", "203.0.113.7, 10.2.3.4", "10.2.3.4"),
    (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
    (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
    (["10.0.0.0/8"], "10.0.0.1", "10.9.9.9, 10.0.0.2", "10.9.9.9"),
    (["::1", "fd00::/8"], "::1", "2001:db8::5, fd00::1", "2001:db8::5"),
    (["127.0.0.1"], "::ffff:127.0.0.1", "[2001:db8::9]:443", "2001:db8::9"),
])
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.GUANXI_TRUSTED_PROXIES = proxies
    assert ip(remote, forwarded) == expected


def failed_logins(client: Client, count: int, remote: str, forwarded: str | None) -> str:
    page = ""
    for n in range(count):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded.format(n=n)} if forwarded else {}
        page = client.post("/accounts/login/", {"login": f"someone{n}", "password": "x"},
                           REMOTE_ADDR=remote, **extra).content.decode()
    return page


@pytest.fixture
def login_rates(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,100/5m/key"}
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_behind_a_trusted_proxy_each_client_is_limited_on_its_own(org, settings, login_rates):
    settings.GUANXI_TRUSTED_PROXIES = ["127.0.0.1"]
    assert "Too many" in failed_logins(Client(), 4, "127.0.0.1", "198.51.100.1")
    client = Client()
    client.post("/accounts/login/", {"login": "rep", "password": "pw-Guanxi-2026"},
                REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert "_auth_user_id" in client.session


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(org, settings,
                                                                    login_rates):
    settings.GUANXI_TRUSTED_PROXIES = ["127.0.0.1"]
    page = failed_logins(Client(), 4, "203.0.113.9", "198.51.100.{n}")
    assert "Too many" in page


def test_forwarded_proto_counts_only_from_a_trusted_proxy(settings):
    settings.GUANXI_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.MIDDLEWARE = ["guanxi.core.client_ip.TrustedProxyMiddleware", *settings.MIDDLEWARE]
    client = Client()
    direct = client.get("/accounts/login/", REMOTE_ADDR="203.0.113.9",
                        HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = client.get("/accounts/login/", REMOTE_ADDR="127.0.0.1",
                         HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
