"""Users, the team hierarchy, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    ASSISTANT = "assistant", _("Sales assistant")
    MANAGER = "manager", _("Sales / market manager")
    FINANCE = "finance", _("Finance")
    FINDER = "finder", _("Opportunity finder")
    DELIVERY = "delivery", _("Delivery owner")
    COLLECTION = "collection", _("Collection owner")
    MARKETING = "marketing", _("Marketing")
    SERVICE = "service", _("Service agent")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Administrator")


class Team(models.Model):
    """A node of the organisation: company → region/office → team.

    ``path`` ("/1/4/9/") makes "this team and everything below it" one indexed prefix query.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        REGION = "region", _("Region / office")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        ordering = ["path"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.clean()
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            Team.objects.filter(pk=self.pk).update(path=path)
            if old:
                for child in Team.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.save()

    def clean(self) -> None:
        # A team under itself or its own branch would make the path endless.
        if self.pk and self.parent_id and (
                self.parent_id == self.pk
                or (self.path and self.parent.path.startswith(self.path))):
            raise ValidationError({"parent": _("A team cannot be placed under itself or "
                                               "one of its own teams.")})

    def subtree_ids(self) -> list[int]:
        return list(Team.objects.filter(path__startswith=self.path).values_list("pk", flat=True))


class User(AbstractUser):
    """A person who signs in: staff of the company (portal users come later)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
        verbose_name=_("team"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Empty: the site's (settings.TIME_ZONE, settings.GUANXI_CURRENCY).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    currency = models.CharField(_("display currency"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        if not self.is_authenticated or not self.is_active:
            return frozenset()
        codes = set(self.user_roles.values_list("role", flat=True))
        if self.is_superuser:
            codes.add(Role.ADMIN)
        return frozenset(codes)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @cached_property
    def team_subtree_ids(self) -> list[int]:
        return self.team.subtree_ids() if self.team_id else []

    def manages_team(self, team_id: int | None, *, assistant: bool = False) -> bool:
        """The one "manager over this team" rule: an administrator, or a manager whose team
        subtree holds ``team_id``. With ``assistant``, the sales assistants of that subtree
        count too (they act for their managers on records, not on approvals)."""
        if self.has_role(Role.ADMIN):
            return True
        roles = (Role.MANAGER, Role.ASSISTANT) if assistant else (Role.MANAGER,)
        return (team_id is not None and self.has_role(*roles)
                and team_id in self.team_subtree_ids)


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    PREFIX = "gx_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        if self.revoked_at:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
