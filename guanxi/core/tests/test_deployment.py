"""Production settings: the README's environment passes ``check --deploy`` without a warning,
and unsafe combinations refuse to start."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from guanxi.core.checks import mail_is_sent
from guanxi.core.tests.test_cache import settings_with

README = Path(__file__).resolve().parents[3] / "README.md"
PUBLIC = {"ALLOWED_HOSTS": "crm.example.com", "SECRET_KEY": "k" * 20 + secrets.token_hex(20)}


def readme_production_environment() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"In production.*?```sh\n(.*?)```", text, re.S)
    assert block, "README.md has no production environment block"
    env = {}
    for line in block[1].splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DATABASE_URL"] = env["DATABASE_URL"].replace("<password>", "secret")
    return env


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="no database: once is enough")
def test_check_deploy_is_clean_with_the_readme_production_settings(tmp_path):
    env = readme_production_environment()
    assert {"GUANXI_SECURE_COOKIES", "GUANXI_TRUSTED_PROXIES", "GUANXI_SSL_REDIRECT",
            "GUANXI_HSTS_SECONDS", "EMAIL_HOST"} <= set(env)
    env |= {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "GUANXI_VAR_DIR": str(tmp_path), "GUANXI_STATIC_ROOT": str(tmp_path / "static")}
    result = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
        cwd=README.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_public_host_needs_mail_unless_told_to_print_it(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="EMAIL_HOST"):
        settings_with(monkeypatch, tmp_path, **PUBLIC)
    allowed = settings_with(monkeypatch, tmp_path, **PUBLIC, GUANXI_ALLOW_CONSOLE_MAIL="1")
    assert allowed["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_cookies_are_secure_by_default_on_a_public_host(monkeypatch, tmp_path):
    public = settings_with(monkeypatch, tmp_path, **PUBLIC, EMAIL_HOST="smtp.example.com")
    assert public["SESSION_COOKIE_SECURE"] and public["CSRF_COOKIE_SECURE"]
    assert not public["SECURE_SSL_REDIRECT"] and public["SECURE_HSTS_SECONDS"] == 0
    monkeypatch.setenv("GUANXI_SECURE_COOKIES", "0")
    plain = settings_with(monkeypatch, tmp_path)
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["CSRF_COOKIE_SECURE"]
    monkeypatch.delenv("GUANXI_SECURE_COOKIES")
    local = settings_with(monkeypatch, tmp_path, ALLOWED_HOSTS="localhost,127.0.0.1")
    assert not local["SESSION_COOKIE_SECURE"]


def test_https_and_proxy_settings(monkeypatch, tmp_path):
    values = settings_with(monkeypatch, tmp_path, GUANXI_SSL_REDIRECT="1",
                           GUANXI_HSTS_SECONDS="3600", GUANXI_HSTS_INCLUDE_SUBDOMAINS="1",
                           GUANXI_TRUSTED_PROXIES="10.0.0.0/8, ::1")
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not values["SECURE_HSTS_PRELOAD"]
    assert values["GUANXI_TRUSTED_PROXIES"] == ["10.0.0.0/8", "::1"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["MIDDLEWARE"][0] == "guanxi.core.client_ip.TrustedProxyMiddleware"
    with pytest.raises(ValueError, match="GUANXI_TRUSTED_PROXIES"):
        settings_with(monkeypatch, tmp_path, GUANXI_TRUSTED_PROXIES="proxy.local")
    no_proxy = settings_with(monkeypatch, tmp_path, GUANXI_TRUSTED_PROXIES="")
    assert "SECURE_PROXY_SSL_HEADER" not in no_proxy


def test_check_deploy_warns_when_mail_goes_to_the_log(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in mail_is_sent()] == ["guanxi.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert mail_is_sent() == []
