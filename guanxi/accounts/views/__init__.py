"""The signed-in user's own pages: profile, language, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts import selectors, services
from guanxi.accounts.forms import ProfileForm, TokenForm
from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, Forbidden, NotFound
from guanxi.core.forms import add_domain_error
from guanxi.core.views import refusals_as_http


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_profile(user, data["display_name"], data["phone"],
                                        data["language"], data["time_zone"],
                                        data["currency"])
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                _remember_language(request, user.language)
                messages.success(request, _("Profile saved."))
                return redirect("accounts:profile")
        else:
            status = 400
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "phone": user.phone,
                                    "language": user.language, "time_zone": user.time_zone,
                                    "currency": user.currency})
    roles = [role.get_role_display() for role in user.user_roles.order_by("role")]
    return render(request, "accounts/profile.html", {"form": form, "roles": roles},
                  status=status)


def _remember_language(request: HttpRequest, language: str) -> None:
    request.session["guanxi_language"] = language
    translation.activate(language)
    request.LANGUAGE_CODE = language


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: on the user (signed in) and in the session (always)."""
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    code = request.POST.get("language", "")
    try:
        services.set_language(request.user, code)
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(target)
    _remember_language(request, code)
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code,
                        max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = 200
    created = secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created, secret = services.create_token(user, data["name"], data["scope"],
                                                        data["days"])
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                form = TokenForm()
        else:
            status = 400
    else:
        form = TokenForm()
    response = render(request, "accounts/tokens.html", {
        "form": form, "tokens": list(selectors.tokens_of(user)), "created": created,
        "secret": secret, "max_days": settings.GUANXI_API_TOKEN_MAX_DAYS,
    }, status=status)
    # The secret appears in this one response only: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@refusals_as_http
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_visible(selectors.tokens_of(request.user), pk=pk)
    try:
        services.revoke_token(request.user, token)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token “%(name)s” revoked; it no longer works.")
                         % {"name": token.name})
    return redirect("accounts:tokens")
