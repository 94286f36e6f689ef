"""Administrators' pages for people and the team tree (instead of Django's admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Team, User
from guanxi.accounts.people_forms import DeactivateForm, InviteForm, MembershipForm, TeamForm
from guanxi.accounts.permissions import can_manage_users
from guanxi.accounts.services import people as services
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error


def _require_admin(request: HttpRequest) -> None:
    if not can_manage_users(request.user):
        raise PermissionDenied(_("Only an administrator can manage users and teams."))


def _team(pk: str | None) -> Team | None:
    return Team.objects.filter(pk=pk).first() if pk else None


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    q = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or "active"
    users = User.objects.select_related("team").prefetch_related("user_roles").order_by(
        "username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q)
                             | Q(email__icontains=q))
    if status in ("active", "inactive"):
        users = users.filter(is_active=status == "active")
    return render(request, "accounts/people/users.html", {
        "users": users[:500], "q": q, "status": status})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.invite_user(
                    request.user, email=data["email"], username=data["username"],
                    display_name=data["display_name"], team=_team(data["team"]),
                    roles=data["roles"], language=data["language"],
                    site_url=request.build_absolute_uri("/"))
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {
                    "email": user.email})
                return redirect("accounts:user", user.pk)
        else:
            status = 400
    return render(request, "accounts/people/invite.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    person = get_object_or_404(User.objects.select_related("team"), pk=pk)
    roles = sorted(person.user_roles.values_list("role", flat=True))
    form = MembershipForm(request.POST or None, initial={
        "team": person.team_id or "", "roles": roles})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_team(request.user, person, _team(form.cleaned_data["team"]))
                services.set_roles(request.user, person, form.cleaned_data["roles"])
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:user", person.pk)
        else:
            status = 400
    from allauth.mfa.models import Authenticator

    return render(request, "accounts/people/user.html", {
        "person": person, "form": form,
        "deactivate_form": DeactivateForm(user=person),
        "holdings": services.holdings(person),
        "two_factor": Authenticator.objects.filter(user=person).exists()}, status=status)


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    person = get_object_or_404(User, pk=pk)
    form = DeactivateForm(request.POST, user=person)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("accounts:user", person.pk)
    try:
        services.deactivate_user(request.user, person, form.cleaned_data["transfer_to"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(user)s can no longer sign in.") % {"user": person})
    return redirect("accounts:user", person.pk)


@login_required
@require_POST
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    person = get_object_or_404(User, pk=pk)
    services.reactivate_user(request.user, person)
    messages.success(request, _("%(user)s can sign in again.") % {"user": person})
    return redirect("accounts:user", person.pk)


@login_required
@require_POST
def reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    person = get_object_or_404(User, pk=pk)
    services.reset_two_factor(request.user, person)
    messages.success(request, _("Two-factor authentication of %(user)s was reset: they set "
                                "it up again at their next sign-in.") % {"user": person})
    return redirect("accounts:user", person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    """The team tree; the form below it adds a team."""
    _require_admin(request)
    form = TeamForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_team(request.user, data["name"], data["kind"],
                                     _team(data["parent"]))
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Team added."))
                return redirect("accounts:teams")
        else:
            status = 400
    tree = Team.objects.order_by("path").annotate(
        people=Count("members", filter=Q(members__is_active=True)), below=Count("children"))
    rows = [(t, t.path.count("/") - 2) for t in tree]
    return render(request, "accounts/people/teams.html", {"rows": rows, "form": form},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST or None, initial={
        "name": team.name, "kind": team.kind, "parent": team.parent_id or ""})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            try:
                services.delete_team(request.user, team)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("accounts:team", team.pk)
            messages.success(request, _("Team removed."))
            return redirect("accounts:teams")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_team(request.user, team, data["name"], data["kind"],
                                     _team(data["parent"]))
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:teams")
        else:
            status = 400
    members = team.members.order_by("username")
    return render(request, "accounts/people/team.html", {
        "team": team, "form": form, "members": members}, status=status)
