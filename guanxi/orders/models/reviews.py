"""Approvals of commercial documents as data: which steps a quote discount, a contract, a
custom order or an expense claim must pass, who decides each, and every decision taken.

A review copies its steps from the rules when it starts, so changing the rules never changes
a review under way; "waiting at which step, since when" is a plain read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import Role
from guanxi.core.models import BilingualLabel, Versioned

User = settings.AUTH_USER_MODEL


class Flow(models.TextChoices):
    QUOTE = "quote", _("Quote discount approval")
    CONTRACT = "contract", _("Contract review")
    ORDER = "order", _("Order review")
    EXPENSE = "expense", _("Expense approval")


class Condition(models.TextChoices):
    ALWAYS = "always", pgettext_lazy("review condition", "Always")
    OVER_CUSTOMER_RATE = "over_customer_rate",\
        _("Discount beyond the customer's approved rate by more than the threshold")
    OVER_COMPANY_LIMIT = "over_company_limit", _("Discount beyond the company limit")
    AMOUNT_AT_LEAST = "amount_at_least", _("Amount at least the threshold")


class ReviewRule(BilingualLabel, Versioned):
    """One step of a flow, taken when its condition holds."""

    flow = models.CharField(_("flow"), max_length=10, choices=Flow.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    approver_role = models.CharField(_("decided by role"), max_length=20, choices=Role.choices,
                                     blank=True)
    approver = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("decided by person"),
                                 help_text=_("A named reviewer, e.g. the technical or legal "
                                             "reviewer; leave empty to use the role."))
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices,
                                 default=Condition.ALWAYS)
    threshold = models.DecimalField(_("threshold"), max_digits=16, decimal_places=2,
                                    null=True, blank=True)
    due_hours = models.PositiveIntegerField(_("due within (hours)"), default=48)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["flow", "position", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return self.label


class Review(Versioned):
    class Status(models.TextChoices):
        PENDING = "pending", _("In review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    flow = models.CharField(_("flow"), max_length=10, choices=Flow.choices)
    subject_id = models.PositiveBigIntegerField()
    subject_repr = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE,
                                null=True, blank=True, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["flow", "subject_id"], name="review_subject"),
                   models.Index(fields=["status", "flow"], name="review_status")]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.get_flow_display()}: {self.subject_repr}"

    @property
    def current_step(self) -> ReviewStep | None:
        return next((s for s in self.steps.all() if s.status == ReviewStep.Status.WAITING),
                    None)


class ReviewStep(BilingualLabel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Not yet")
        WAITING = "waiting", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        CANCELLED = "cancelled", _("Cancelled")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=80)  # copied from the rule; no form edits it
    name_zh = models.CharField(max_length=80, blank=True)
    approver_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    approver = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    due_hours = models.PositiveIntegerField(default=48)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    started_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["review", "position", "id"]
        indexes = [models.Index(fields=["status", "approver_role"], name="reviewstep_waiting"),
                   models.Index(fields=["status", "approver"], name="reviewstep_person")]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return self.label

