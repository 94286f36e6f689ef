"""Administrators manage people and teams in the app: invite, roles, team, deactivate and
reactivate, reset two-factor; create, rename, move and remove teams. Each writes one audit
line; every function takes the acting administrator and refuses anyone else."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts import handover
from guanxi.accounts.models import ApiToken, Role, Team, User, UserRole
from guanxi.accounts.permissions import can_manage_users
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.tasks import later


def _require_admin(actor: User) -> None:
    if not can_manage_users(actor):
        raise Forbidden(_("Only an administrator can manage users and teams."))


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise FieldErrors({"roles": [_("Choose roles from the list.")]})
    return roles


@transaction.atomic
def invite_user(actor: User, *, email: str, username: str, display_name: str = "",
                team: Team | None = None, roles: Iterable[str] = (), language: str = "",
                site_url: str = "") -> User:
    """Create an active user without a password and e-mail them a link to set one. The link
    is allauth's password-reset key: it expires after ``PASSWORD_RESET_TIMEOUT`` and stops
    working once a password is set."""
    _require_admin(actor)
    email, username = (email or "").strip().lower(), (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not email or "@" not in email:
        errors["email"] = [_("Enter an e-mail address.")]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("Someone already uses this e-mail address.")]
    if not username:
        errors["username"] = [_("Enter a user name.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken.")]
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose a supported language.")]
    if errors:
        raise FieldErrors(errors)
    roles = _clean_roles(roles)
    user = User(username=username, email=email, display_name=(display_name or "").strip(),
                team=team, language=language)
    user.set_unusable_password()
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
    audit.log(actor, "accounts.user.invited", user,
              changes={"email": [None, email], "team": [None, team.pk if team else None],
                       "roles": [None, roles]})
    link = site_url.rstrip("/") + invite_path(user)
    from guanxi.accounts.tasks import send_invitation

    later(send_invitation, user.pk, actor.pk, link)
    return user


def invite_path(user: User) -> str:
    from allauth.account.forms import default_token_generator  # type: ignore[import-untyped]
    from allauth.account.utils import user_pk_to_url_str  # type: ignore[import-untyped]

    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    return reverse("account_reset_password_from_key", kwargs={
        "uidb36": key.split("-", 1)[0], "key": key.split("-", 1)[1]})


def send_invitation_mail(user: User, actor: User, link: str) -> None:
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("[Guanxi] %(name)s invites you") % {"name": str(actor)}
        body = _("Hello %(user)s,\n\n%(name)s has made you a Guanxi account (user name "
                 "%(username)s). Set your password here within %(days)s days:\n\n%(link)s\n") % {
            "user": str(user), "name": str(actor), "username": user.username, "days": days,
            "link": link}
    mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@transaction.atomic
def set_roles(actor: User, user: User, roles: Iterable[str]) -> User:
    _require_admin(actor)
    roles = _clean_roles(roles)
    before = sorted(user.user_roles.values_list("role", flat=True))
    if user.pk == actor.pk and Role.ADMIN in before and Role.ADMIN not in roles:
        raise FieldErrors({"roles": [_("You cannot take the administrator role from "
                                       "yourself.")]})
    if before != roles:
        UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles
                                      if r not in before])
        audit.log(actor, "accounts.user.roles_changed", user, changes={"roles": [before, roles]})
    user.__dict__.pop("role_codes", None)
    return user


@transaction.atomic
def set_team(actor: User, user: User, team: Team | None) -> User:
    _require_admin(actor)
    if user.team_id != (team.pk if team else None):
        old = user.team_id
        user.team = team
        user.save(update_fields=["team"])
        audit.log(actor, "accounts.user.team_changed", user,
                  changes={"team": [old, team.pk if team else None]})
    return user


def holdings(user: User) -> list[tuple[handover.Handover, int]]:
    """What ``user`` owns that someone should take over, per registered kind."""
    return [(h, h.count(user)) for h in handover.handovers()]


@transaction.atomic
def deactivate_user(actor: User, user: User, transfer_to: User | None = None) -> dict[str, int]:
    """Sign ``user`` out for good (the row stays: history points at it), handing what they own
    to ``transfer_to`` first when given. Returns how many of each kind moved."""
    _require_admin(actor)
    if user.pk == actor.pk:
        raise DomainError(_("You cannot deactivate yourself."))
    if transfer_to is not None and (not transfer_to.is_active or transfer_to.pk == user.pk):
        raise FieldErrors({"transfer_to": [_("Choose an active colleague.")]})
    moved = {}
    if transfer_to is not None:
        for item in handover.handovers():
            moved[item.name] = item.transfer(actor, user, transfer_to)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        audit.log(actor, "accounts.user.deactivated", user, changes={"is_active": [True, False]},
                  data={"transfer_to": transfer_to.pk if transfer_to else None, **moved})
    return moved


@transaction.atomic
def reactivate_user(actor: User, user: User) -> User:
    _require_admin(actor)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.log(actor, "accounts.user.reactivated", user, changes={"is_active": [False, True]})
    return user


@transaction.atomic
def reset_two_factor(actor: User, user: User) -> int:
    """Remove ``user``'s authenticators (a lost phone): they sign in with their password and
    set up two-factor again. Returns how many were removed."""
    from allauth.mfa.models import Authenticator  # type: ignore[import-untyped]

    _require_admin(actor)
    removed, _details = Authenticator.objects.filter(user=user).delete()
    if removed:
        audit.log(actor, "accounts.user.two_factor_reset", user, data={"removed": removed})
    return removed


# --- The team tree -----------------------------------------------------------------------------

def _check_team(name: str, kind: str) -> str:
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if kind not in Team.Kind.values:
        errors["kind"] = [_("Choose a kind from the list.")]
    if errors:
        raise FieldErrors(errors)
    return name


@transaction.atomic
def create_team(actor: User, name: str, kind: str, parent: Team | None) -> Team:
    _require_admin(actor)
    team = Team.objects.create(name=_check_team(name, kind), kind=kind, parent=parent)
    audit.log(actor, "accounts.team.created", team,
              changes={"name": [None, team.name], "parent": [None, parent.pk if parent else None]})
    return team


@transaction.atomic
def update_team(actor: User, team: Team, name: str, kind: str, parent: Team | None) -> Team:
    """Rename a team or move it (with everything below it) under another."""
    from django.core.exceptions import ValidationError

    _require_admin(actor)
    name = _check_team(name, kind)
    before = {"name": team.name, "kind": team.kind, "parent": team.parent_id}
    after = {"name": name, "kind": kind, "parent": parent.pk if parent else None}
    changes = audit.diff(before, after)
    if not changes:
        return team
    team.name, team.kind, team.parent = name, kind, parent
    try:
        team.save()
    except ValidationError as exc:
        raise FieldErrors({"parent": exc.message_dict.get("parent", exc.messages)}) from None
    audit.log(actor, "accounts.team.updated", team, changes=changes)
    return team


@transaction.atomic
def delete_team(actor: User, team: Team) -> None:
    """Only a team without members or teams below it goes away."""
    _require_admin(actor)
    if team.children.exists() or team.members.exists():
        raise DomainError(_("Only an empty team can be removed: move its people and teams "
                            "first."))
    from django.db.models import ProtectedError

    audit.log(actor, "accounts.team.deleted", team, changes={"name": [team.name, None]})
    try:
        with transaction.atomic():
            team.delete()
    except ProtectedError:
        raise DomainError(_("Records still belong to this team: it cannot be removed.")) \
            from None
