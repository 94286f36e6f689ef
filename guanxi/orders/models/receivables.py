"""Invoices, payments received, their allocation to orders and invoices, dunning reminders.

``Invoice.outstanding`` is kept in the same transaction as every allocation, so receivables
aging is one indexed aggregate over open invoices, not a sum over payments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.customers.models import Settlement
from guanxi.orders.models.common import ZERO, DocumentQuerySet, money_field

User = settings.AUTH_USER_MODEL


class Invoice(Versioned):
    class Kind(models.TextChoices):
        SPECIAL = "special", _("Special VAT invoice (专票)")
        GENERAL = "general", _("General VAT invoice (普票)")
        ELECTRONIC = "electronic", _("Fully digital e-invoice (数电票)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIAL = "partial", _("Partly paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("VAT invoice number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.SPECIAL)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="invoices", verbose_name=_("customer"))
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="invoices", verbose_name=_("order"))
    buyer_tax_id = models.CharField(_("buyer's taxpayer id"), max_length=20, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    net_amount = money_field(_("amount before tax"), validators=[MinValueValidator(ZERO)])
    tax_amount = money_field(_("tax"), validators=[MinValueValidator(ZERO)])
    total = money_field(_("total"))
    paid_amount = money_field(_("paid"))
    outstanding = money_field(_("outstanding"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    collection_owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="collected_invoices",
                                         verbose_name=_("collection owner"))
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("sales rep"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    dunning_level = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_dunned_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            # Aging and "what does this customer owe": open invoices only, covering every
            # column the aging pass reads (grouped by customer, bucketed by issue date,
            # overdue by due date), so a million invoices are one index-only scan.
            models.Index(fields=["account", "issue_date", "due_date", "outstanding"],
                         name="inv_open_account", condition=models.Q(outstanding__gt=0)),
            # The aging totals read by invoice date; the due date makes them overdue or not.
            models.Index(fields=["issue_date", "due_date", "outstanding"], name="inv_open_date",
                         condition=models.Q(outstanding__gt=0)),
            models.Index(fields=["collection_owner", "due_date"], name="inv_open_collector",
                         condition=models.Q(outstanding__gt=0)),
            models.Index(fields=["order"], name="inv_order"),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number


class Payment(Versioned):
    class Method(models.TextChoices):
        BANK_TRANSFER = Settlement.BANK_TRANSFER.value, Settlement.BANK_TRANSFER.label
        ACCEPTANCE_BILL = Settlement.ACCEPTANCE_BILL.value, Settlement.ACCEPTANCE_BILL.label
        LETTER_OF_CREDIT = Settlement.LETTER_OF_CREDIT.value, Settlement.LETTER_OF_CREDIT.label
        CASH = Settlement.CASH.value, Settlement.CASH.label
        CARD = Settlement.CARD.value, Settlement.CARD.label

    number = models.CharField(_("number"), max_length=20, unique=True)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="payments", verbose_name=_("customer"))
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    unallocated = money_field(_("not yet allocated"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices,
                              default=Method.BANK_TRANSFER)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("sales rep"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["account", "-received_on"], name="payment_account")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """Part of a payment applied to an invoice (and through it its order) or to an order
    directly (an advance before invoicing)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="allocations", verbose_name=_("invoice"))
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="allocations", verbose_name=_("order"))
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="allocation_positive"),
            models.CheckConstraint(
                condition=models.Q(invoice__isnull=False) | models.Q(order__isnull=False),
                name="allocation_has_target"),
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id or self.order_id}: {self.amount}"


class DunningReminder(models.Model):
    """A payment reminder for an overdue invoice: to the customer's contact and the
    collection owner, one per level."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        NO_ADDRESS = "no_address", _("No e-mail address: collection owner told")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    level = models.PositiveSmallIntegerField(_("level"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["invoice", "level"]
        constraints = [models.UniqueConstraint(fields=["invoice", "level"],
                                               name="unique_dunning_level")]
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")

    def __str__(self) -> str:
        return f"{self.invoice_id} #{self.level}"
