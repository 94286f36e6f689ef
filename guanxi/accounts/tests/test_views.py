"""The user's own pages (profile, language, API tokens), the styled sign-in and two-factor
pages, and the administrators' two-factor requirement."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.test import Client
from django.urls import reverse

from guanxi.accounts import services
from guanxi.accounts.models import ApiToken
from guanxi.core.models import AuditEntry

PERSONAS = ["rep", "teammate", "manager", "other_manager", "assistant", "finance",
            "other_rep", "admin", None]



def as_(client, org, persona):
    if persona:
        client.force_login(getattr(org, persona))
    return client


# --- Permission matrix --------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_own_pages_open_to_every_signed_in_user(client, org, persona):
    as_(client, org, persona)
    for name in ("accounts:profile", "accounts:tokens"):
        response = client.get(reverse(name))
        if persona is None:
            assert response.status_code == 302
            assert reverse("account_login") in response["Location"]
        else:
            assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_owner_revokes_a_token(client, org, persona):
    token, _secret = services.create_token(org.rep, "ERP sync")
    as_(client, org, persona)
    response = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    token.refresh_from_db()
    if persona == "rep":
        assert response.status_code == 302 and token.revoked_at is not None
    elif persona is None:
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert token.revoked_at is None
    else:  # even an administrator: another user's token does not exist for you
        assert response.status_code == 404 and token.revoked_at is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_language_switch_works_for_everyone(client, org, persona):
    as_(client, org, persona)
    response = client.post(reverse("accounts:language"),
                           {"language": "zh-hans", "next": "/pool/"})
    assert response.status_code == 302 and response["Location"] == "/pool/"
    assert client.session["guanxi_language"] == "zh-hans"
    if persona:
        getattr(org, persona).refresh_from_db()
        assert getattr(org, persona).language == "zh-hans"


# --- Profile ------------------------------------------------------------------------------

def test_profile_shows_roles_and_team_and_saves(client, org):
    client.force_login(org.manager)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Sales / market manager" in page and "华东区" in page
    response = client.post(reverse("accounts:profile"),
                           {"display_name": "陈总", "phone": "138 0013 8000",
                            "language": "en"})
    assert response.status_code == 302
    org.manager.refresh_from_db()
    assert (org.manager.display_name, org.manager.phone) == ("陈总", "+8613800138000")
    assert AuditEntry.objects.filter(action="accounts.user.updated",
                                     object_id=str(org.manager.pk)).exists()


def test_bad_phone_is_shown_at_the_field_and_nothing_changes(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("accounts:profile"),
                           {"display_name": "新名字", "phone": "12", "language": "en"})
    assert response.status_code == 400
    assert "not a valid phone number" in response.context["form"].errors["phone"][0]
    org.rep.refresh_from_db()
    assert org.rep.display_name == "王芳" and org.rep.phone == ""


# --- Language -----------------------------------------------------------------------------

def test_language_switch_persists_on_the_user_and_changes_the_pages(client, org):
    client.force_login(org.rep)
    client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/me/"})
    org.rep.refresh_from_db()
    assert org.rep.language == "zh-hans"
    response = client.get(reverse("accounts:profile"))
    assert response["Content-Language"] == "zh-hans"
    # A later sign-in (new session) starts in the saved language.
    client.logout()
    client.post(reverse("account_login"), {"login": "rep", "password": "pw-Guanxi-2026"})
    assert client.session["guanxi_language"] == "zh-hans"


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client, org):
    response = client.post(reverse("accounts:language"),
                           {"language": "en", "next": "https://evil.example.com/"})
    assert response["Location"] == "/"
    client.force_login(org.rep)
    response = client.post(reverse("accounts:language"), {"language": "xx", "next": "/me/"},
                           follow=True)
    assert "Choose a supported language." in response.content.decode()
    org.rep.refresh_from_db()
    assert org.rep.language == "en"


def test_language_switch_is_post_only(client):
    assert client.get(reverse("accounts:language")).status_code == 405


# --- API tokens ---------------------------------------------------------------------------

def test_token_secret_is_shown_once_and_the_api_accepts_it(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("accounts:tokens"),
                           {"name": "ERP sync", "scope": "read", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.startswith("gx_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=org.rep)
    assert token.key_hash != secret and token.key_prefix == secret[:10]
    # Never again.
    assert secret not in client.get(reverse("accounts:tokens")).content.decode()

    client.logout()
    api = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and api.json()["username"] == "rep"

    client.force_login(org.rep)
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    client.logout()
    api = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_token_form_errors_at_the_field(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("accounts:tokens"),
                           {"name": "", "scope": "admin", "days": "9999"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scope", "days"}
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_a_token_that_never_expires_is_refused_at_its_field(client, org, settings):
    settings.GUANXI_API_TOKEN_MAX_DAYS = 180
    client.force_login(org.rep)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "Every token expires, after at most 180 days" in page
    assert "never" not in page.lower()
    for days in ("0", "181"):
        response = client.post(reverse("accounts:tokens"),
                               {"name": "forever", "scope": "read", "days": days})
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["days"]
    assert not ApiToken.objects.exists()


def test_revoking_twice_says_so(client, org):
    token, _secret = services.create_token(org.rep, "old")
    client.force_login(org.rep)
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    response = client.post(reverse("accounts:revoke_token", args=[token.pk]), follow=True)
    assert "already revoked" in response.content.decode()


# --- Sign-in and two-factor pages ---------------------------------------------------------

def test_login_page_uses_our_layout_and_accepts_username_or_email(client, org):
    page = client.get(reverse("account_login")).content.decode()
    assert "brand-mark" in page and "form-section" in page
    assert "sign up" not in page.lower()
    response = client.post(reverse("account_login"),
                           {"login": "rep@example.com", "password": "pw-Guanxi-2026"})
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_login"),
                           {"login": "rep", "password": "wrong"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in \
        response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_totp_asks_for_the_code_on_a_styled_page(client, org):
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(org.finance, secret)
    response = client.post(reverse("account_login"),
                           {"login": "finance", "password": "pw-Guanxi-2026"})
    assert response["Location"] == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "brand-mark" in page and "form-section" in page
    code = totp.format_hotp_value(totp.hotp_value(secret, next(
        totp.yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(org.finance.pk)


def test_admins_must_set_up_totp_when_required(client, org, settings):
    settings.GUANXI_REQUIRE_ADMIN_2FA = True
    response = client.post(reverse("account_login"),
                           {"login": "admin", "password": "pw-Guanxi-2026"})
    assert client.session["_auth_user_id"] == str(org.admin.pk)
    response = client.get(reverse("customers:approvals"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a second factor is added: styled too.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    page = client.get(response["Location"]).content.decode()
    assert "sidebar" in page and "form-section" in page
    response = client.post(response["Location"], {"password": "pw-Guanxi-2026"})
    assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "sidebar" in page and "form-section" in page  # our layout, styled
    assert "Authenticator secret" in page and "<img" in page
    # Others are not held up.
    other = Client()
    other.force_login(org.rep)
    assert other.get(reverse("customers:approvals")).status_code == 200
    # Wrong code: said at the field, nothing activated, still held.
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert client.get(reverse("customers:approvals")).status_code == 302
    secret = response.context["form"].secret
    code = totp.format_hotp_value(totp.hotp_value(secret, next(
        totp.yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=org.admin, type="totp").exists()
    assert client.get(reverse("customers:approvals")).status_code == 200


def test_without_the_setting_admins_are_not_redirected(client, org, settings):
    settings.GUANXI_REQUIRE_ADMIN_2FA = False
    client.force_login(org.admin)
    assert client.get(reverse("customers:approvals")).status_code == 200


def test_repeated_wrong_passwords_lock_the_login_for_a_while(client, org):
    from django.core.cache import cache

    cache.clear()
    url = reverse("account_login")
    for _attempt in range(5):
        response = client.post(url, {"login": "rep", "password": "wrong-password"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(url, {"login": "rep", "password": "pw-Guanxi-2026"})
    # Even the right password waits in a browser that never signed in to the account.
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    cache.clear()
    client.post(url, {"login": "rep", "password": "pw-Guanxi-2026"})
    assert client.session["_auth_user_id"] == str(org.rep.pk)
