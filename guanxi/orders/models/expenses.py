"""Sales expenses (营销费用): claims against a customer or an opportunity, approved by the
manager, reported per customer, rep and period."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.orders.models.common import ZERO, DocumentQuerySet, money_field

User = settings.AUTH_USER_MODEL


class ExpenseClaim(Versioned):
    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        ENTERTAINMENT = "entertainment", _("Entertainment")
        GIFTS = "gifts", _("Gifts")
        SAMPLES = "samples", _("Samples")
        EVENTS = "events", _("Events and exhibitions")
        TENDER = "tender", _("Tender costs")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    claimant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="expense_claims",
                                 verbose_name=_("claimed by"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("team"))
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="expenses",
                                verbose_name=_("customer"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="expenses",
                                    verbose_name=_("opportunity"))
    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("what for"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    review = models.ForeignKey("orders.Review", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [models.Index(fields=["account", "spent_on"], name="expense_account"),
                   models.Index(fields=["claimant", "spent_on"], name="expense_claimant"),
                   models.Index(fields=["status", "spent_on"], name="expense_status")]
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
