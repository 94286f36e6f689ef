"""Leads: a person or company that may buy, with the source it came from and when it plans
to buy (the purchase timeframe decides how it is routed), and the rules that route it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.customers.models import Source

User = settings.AUTH_USER_MODEL


class Timeframe(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    MONTHS_3 = "3m", _("Within 3 months")
    MONTHS_6 = "6m", _("Within 6 months")
    MONTHS_12 = "12m", _("Within a year")


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> LeadQuerySet:
        """Leads ``user`` may see (the rule lives in ``selectors.leads.lead_scope``)."""
        from guanxi.sales.selectors.leads import lead_scope

        scope = lead_scope(user)
        return self if scope is None else self.filter(scope)


class Lead(Versioned):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        WORKING = "working", _("Working")
        NURTURING = "nurturing", _("Nurturing")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    name = models.CharField(_("contact name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.MANUAL)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True,
                                     help_text=_("Which exhibition, campaign or referrer."))
    timeframe = models.CharField(_("purchase timeframe"), max_length=10,
                                 choices=Timeframe.choices, default=Timeframe.MONTHS_3)
    interest = models.CharField(_("interested in"), max_length=200, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices,
                              default=Status.NEW, db_index=True)
    score = models.SmallIntegerField(_("score"), default=0)
    score_detail = models.JSONField(default=list, blank=True)  # [[rule msgid, points], …]

    account = models.ForeignKey("customers.Account", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="leads", verbose_name=_("customer"))
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_leads", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="leads", verbose_name=_("team"))
    finder = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="found_leads", verbose_name=_("found by"))
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    # Nurtured leads come back to a rep on this date, ahead of their purchase window.
    revisit_on = models.DateField(_("back to a rep on"), null=True, blank=True, db_index=True)
    material_sent_at = models.DateTimeField(_("material sent"), null=True, blank=True)
    disqualify_reason = models.CharField(_("reason"), max_length=200, blank=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_account = models.ForeignKey("customers.Account", on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="+")
    converted_contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="+")
    converted_opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL,
                                              null=True, blank=True, related_name="+")
    web_form = models.ForeignKey("sales.WebForm", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="leads")
    custom = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"], name="lead_owner"),
            models.Index(fields=["team", "status", "-created_at"], name="lead_team"),
            models.Index(fields=["status", "revisit_on"], name="lead_revisit"),
            models.Index(fields=["source", "timeframe"], name="lead_source_timeframe"),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{self.company} · {self.name}" if self.company else self.name

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CONVERTED, self.Status.DISQUALIFIED)


class LeadRoutingRule(Versioned):
    """Where an immediate lead goes: the first active rule (by position) whose source,
    timeframe and province match sends it to a user, or round robin within a team."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True,
                              help_text=_("Empty: any source."))
    timeframe = models.CharField(_("purchase timeframe"), max_length=10,
                                 choices=Timeframe.choices, blank=True,
                                 help_text=_("Empty: any timeframe."))
    province = models.CharField(_("province"), max_length=40, blank=True,
                                help_text=_("Empty: any region."))
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("team (round robin)"))
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("assign to"))
    last_assigned = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("lead routing rule")
        verbose_name_plural = _("lead routing rules")

    def __str__(self) -> str:
        return self.name


def new_form_key() -> str:
    return secrets.token_urlsafe(12)


class WebForm(Versioned):
    """A public form, embeddable on a website, that creates leads."""

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=40, unique=True, default=new_form_key, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.WEBSITE)
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    thank_you = models.CharField(_("thank-you message"), max_length=300, blank=True)
    allowed_origins = models.CharField(
        _("allowed websites"), max_length=500, blank=True,
        help_text=_("Origins that may embed the form, one per line; empty: any."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name
