"""Segments: who a campaign reaches. A dynamic segment keeps the customer list's own filters
(the query string of a list view, so a list can be saved as a segment); a static list keeps
its members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned


class Segment(Versioned):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic (rules)")
        STATIC = "static", _("Static list")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.DYNAMIC)
    description = models.TextField(_("description"), blank=True)
    # The customer list's filters as they appear in its URL: {"industry": ["energy"], …}.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+", verbose_name=_("owner"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """A customer (and optionally one contact of it) on a static list."""

    class Origin(models.TextChoices):
        SELECTION = "selection", _("List selection")
        IMPORT = "import", _("Import")
        RESPONDERS = "responders", _("Campaign responders")
        MANUAL = "manual", _("Added by hand")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.MANUAL)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "account"],
                                               name="segment_member_once")]
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.account_id}"
