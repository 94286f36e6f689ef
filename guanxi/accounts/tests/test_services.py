"""API tokens: stored hashed, expiring, revocable, read or write; and the language choice."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.accounts import services
from guanxi.accounts.models import ApiToken
from guanxi.core.errors import Conflict, FieldErrors
from guanxi.core.models import AuditEntry


def test_secret_is_shown_once_and_only_its_hash_is_stored(org):
    token, secret = services.create_token(org.rep, "ERP sync")
    assert secret.startswith("gx_") and len(secret) > 40
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == ApiToken.hash_secret(secret)
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(secret in value for value in stored)
    assert row.key_prefix == secret[:10]
    assert row.scope == ApiToken.Scope.READ
    assert AuditEntry.objects.get(action="accounts.token.created").actor == org.rep


def test_authenticate_token(org):
    token, secret = services.create_token(org.rep, "ERP sync", scope="write")
    user = services.authenticate_token(secret)
    assert user == org.rep and user.api_token.pk == token.pk
    assert user.api_token.scope == "write"
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    for wrong in ("", "gx_", secret[:-1] + ("A" if secret[-1] != "A" else "B"), "Bearer " +
                  secret, secret[3:]):
        assert services.authenticate_token(wrong) is None


def test_read_scope_is_kept_on_the_user(org):
    _token, secret = services.create_token(org.rep, "BI reader")
    assert services.authenticate_token(secret).api_token.scope == ApiToken.Scope.READ


def in_days(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_default_and_custom_expiry(org, settings):
    settings.GUANXI_API_TOKEN_DEFAULT_DAYS = 90
    token, _secret = services.create_token(org.rep, "default")
    assert abs(token.expires_at - in_days(90)) < dt.timedelta(minutes=1)
    longest, _secret = services.create_token(org.rep, "longest", days=365)
    assert abs(longest.expires_at - in_days(365)) < dt.timedelta(minutes=1)


def test_every_token_expires_within_the_administrators_maximum(org, settings):
    settings.GUANXI_API_TOKEN_MAX_DAYS = 30
    settings.GUANXI_API_TOKEN_DEFAULT_DAYS = 90
    token, _secret = services.create_token(org.rep, "default")  # the default is capped
    assert abs(token.expires_at - in_days(30)) < dt.timedelta(minutes=1)
    for days in (0, 31):
        with pytest.raises(FieldErrors) as exc:
            services.create_token(org.rep, "forever", days=days)
        assert "1 to 30" in exc.value.errors["days"][0]
    assert ApiToken.objects.count() == 1


def test_tokens_that_never_expired_get_the_longest_lifetime_from_now(org, settings):
    import importlib

    from django.apps import apps

    settings.GUANXI_API_TOKEN_MAX_DAYS = 200
    forever, _secret = services.create_token(org.rep, "old script")
    dated, _secret = services.create_token(org.rep, "dated", days=7)
    ApiToken.objects.filter(pk=forever.pk).update(expires_at=None)
    importlib.import_module("guanxi.accounts.migrations.0002_tokens_expire").give_an_end(
        apps, None)
    forever.refresh_from_db()
    assert abs(forever.expires_at - in_days(200)) < dt.timedelta(minutes=1)
    assert ApiToken.objects.get(pk=dated.pk).expires_at == dated.expires_at


def test_expired_token_is_refused(org):
    token, secret = services.create_token(org.rep, "short", days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.authenticate_token(secret) is None


def test_revoked_token_is_refused(org):
    token, secret = services.create_token(org.rep, "to revoke")
    services.revoke_token(org.rep, token)
    assert services.authenticate_token(secret) is None
    assert not ApiToken.objects.get(pk=token.pk).is_active
    with pytest.raises(Conflict):
        services.revoke_token(org.rep, token)
    assert AuditEntry.objects.filter(action="accounts.token.revoked").count() == 1


def test_token_of_a_deactivated_user_is_refused(org):
    _token, secret = services.create_token(org.rep, "x")
    org.rep.is_active = False
    org.rep.save()
    assert services.authenticate_token(secret) is None


@pytest.mark.parametrize("kwargs, field", [
    ({"name": ""}, "name"), ({"name": "  "}, "name"), ({"name": "x" * 101}, "name"),
    ({"name": "ok", "scope": "admin"}, "scope"), ({"name": "ok", "days": -1}, "days"),
    ({"name": "ok", "days": 366}, "days"), ({"name": "ok", "days": "30"}, "days"),
    ({"name": "ok", "days": 0}, "days"), ({"name": "ok", "days": True}, "days"),
])
def test_bad_token_input_changes_nothing(org, kwargs, field):
    with pytest.raises(FieldErrors) as exc:
        services.create_token(org.rep, **kwargs)
    assert field in exc.value.errors
    assert not ApiToken.objects.exists()


def test_set_language(org):
    services.set_language(org.rep, "zh-hans")
    org.rep.refresh_from_db()
    assert org.rep.language == "zh-hans"
    with pytest.raises(FieldErrors) as exc:
        services.set_language(org.rep, "fr")
    assert "language" in exc.value.errors
    org.rep.refresh_from_db()
    assert org.rep.language == "zh-hans"
