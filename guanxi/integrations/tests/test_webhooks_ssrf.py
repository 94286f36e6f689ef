"""Webhooks never reach the internal network: refused when saved and again when sent, unless
an administrator allows private targets."""

from __future__ import annotations

import pytest

from guanxi.core.errors import FieldErrors
from guanxi.integrations.models import WebhookDelivery, WebhookSubscription
from guanxi.integrations.services import ssrf, webhooks
from guanxi.integrations.tests.hooks_fixtures import allow_private, receiver  # noqa: F401

INTERNAL = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:a9fe:a9fe]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[2002:7f00:1::]/hook",
    "http://[64:ff9b::a00:1]/hook",
    "http://localhost:8000/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://0x7f.0.0.1/hook",
]


@pytest.fixture
def strict(settings):
    settings.GUANXI_WEBHOOK_ALLOW_PRIVATE = False
    settings.GUANXI_WEBHOOK_ALLOWED_HOSTS = []
    return settings


def _create(org, url):
    return webhooks.create_subscription(org.admin, {"name": "x", "url": url,
                                                    "events": ["customers.account.created"]})


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_when_saved(org, strict, url):
    with pytest.raises(FieldErrors) as refused:
        _create(org, url)
    assert refused.value.field == "url"
    assert "internal address" in refused.value.message
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd",
                                 "gopher://127.0.0.1/", "http://user:pw@93.184.215.14/",
                                 "http://", "not a url"])
def test_only_plain_http_and_https_addresses(org, strict, url):
    with pytest.raises(FieldErrors) as refused:
        _create(org, url)
    assert refused.value.field == "url"


def test_a_public_address_is_accepted(org, strict):
    sub = _create(org, "https://93.184.215.14/hooks?source=guanxi")
    target = ssrf.check_url(sub.url)
    assert (target.scheme, target.port, target.path, target.addresses) == (
        "https", 443, "/hooks?source=guanxi", ("93.184.215.14",))


def test_host_names_are_checked_by_every_address_they_resolve_to(strict, monkeypatch):
    import socket

    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80)),
               (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(Exception, match="internal address"):
        ssrf.check_url("http://mixed.example.com/")


def test_allow_list_lets_some_private_targets_through(strict):
    strict.GUANXI_WEBHOOK_ALLOWED_HOSTS = ["10.20.0.0/16", "erp.internal"]
    assert ssrf.check_url("http://10.20.3.4/hook").addresses == ("10.20.3.4",)
    with pytest.raises(Exception, match="internal address"):
        ssrf.check_url("http://10.21.3.4/hook")


def test_allow_private_setting_lets_everything_through(allow_private):  # noqa: F811
    assert ssrf.check_url("http://127.0.0.1:9/x").addresses == ("127.0.0.1",)


def test_refused_again_when_sending(org, allow_private, receiver, make_account):  # noqa: F811
    """Saved while private targets were allowed; the administrator then turned that off."""
    sub = _create(org, receiver.url)
    receiver.secret = sub.secret
    make_account()
    allow_private.GUANXI_WEBHOOK_ALLOW_PRIVATE = False
    webhooks.deliver_due()
    row = WebhookDelivery.objects.get()
    assert row.status == WebhookDelivery.Status.FAILED
    assert "internal address" in row.last_error
    assert receiver.requests == []
