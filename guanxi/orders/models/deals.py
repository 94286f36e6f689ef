"""Tenders (招投标) and contracts with their multi-step contract review."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.orders.models.common import ZERO, DocumentQuerySet, money_field

User = settings.AUTH_USER_MODEL


class Tender(Versioned):
    class BondStatus(models.TextChoices):
        NOT_REQUIRED = "not_required", _("No bond")
        TO_PAY = "to_pay", _("To be paid")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned")
        FORFEITED = "forfeited", _("Forfeited")

    class Result(models.TextChoices):
        PENDING = "pending", _("Open")
        SUBMITTED = "submitted", _("Bid submitted")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("tender number"), max_length=60,
                              help_text=_("The number the issuer gave the tender."))
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="tenders", verbose_name=_("customer"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="tenders",
                                    verbose_name=_("opportunity"))
    deadline = models.DateTimeField(_("bid deadline"))
    opening_at = models.DateTimeField(_("bid opening"), null=True, blank=True)
    budget = money_field(_("budget"), null=True, blank=True)
    bid_amount = money_field(_("our bid"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    bond_amount = money_field(_("bond amount"), validators=[MinValueValidator(ZERO)])
    bond_status = models.CharField(_("bond status"), max_length=15,
                                   choices=BondStatus.choices, default=BondStatus.NOT_REQUIRED)
    bond_due = models.DateField(_("bond due"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices,
                              default=Result.PENDING)
    result_note = models.CharField(_("result details"), max_length=300, blank=True)
    winner = models.CharField(_("winning bidder"), max_length=200, blank=True)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_tenders", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("team"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["account", "deadline"], name="tender_account")]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def _document_path(instance, filename: str) -> str:
    # Stored under a random name: the user's file name is only ever shown, never used as a path.
    return f"documents/{instance.storage_key}"


class Document(models.Model):
    """A file attached to a tender or a contract (bid documents, signed scans)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="documents")
    contract = models.ForeignKey("orders.Contract", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="documents")
    kind = models.CharField(_("kind"), max_length=40, blank=True,
                            help_text=_("e.g. tender documents, our bid, clarification"))
    name = models.CharField(_("file name"), max_length=200)
    storage_key = models.CharField(max_length=64, unique=True, default="", editable=False)
    file = models.FileField(upload_to=_document_path, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.storage_key:
            self.storage_key = uuid.uuid4().hex
        super().save(*args, **kwargs)


class Contract(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In contract review")
        RETURNED = "returned", _("Returned for changes")
        REJECTED = "rejected", _("Rejected")
        APPROVED = "approved", _("Approved, to be signed")
        SIGNED = "signed", _("Signed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="contracts", verbose_name=_("customer"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="contracts",
                                    verbose_name=_("opportunity"))
    quote = models.ForeignKey("orders.Quote", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="contracts", verbose_name=_("quote"))
    tender = models.ForeignKey(Tender, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="contracts", verbose_name=_("tender"))
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    delivery_terms = models.CharField(_("delivery terms"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    review = models.ForeignKey("orders.Review", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_contracts", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("team"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="contract_account"),
                   models.Index(fields=["status"], name="contract_status")]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def current_status(self) -> str:
        """The status; a contract whose review its submitter withdrew is a draft again."""
        if self.status == self.Status.IN_REVIEW and self.review_id \
                and self.review.status == "withdrawn":
            return self.Status.DRAFT
        return self.status
