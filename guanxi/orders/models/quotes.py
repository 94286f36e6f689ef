"""Quotes: priced lines for a customer, approved when the discount asks for it, sent as a PDF,
revised as new versions, accepted or declined."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.orders.models.common import (
    ZERO,
    DocumentQuerySet,
    money_field,
    quantity_field,
    rate_field,
)

User = settings.AUTH_USER_MODEL
HUNDRED = 100


class Quote(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_APPROVAL = "in_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Discount rejected")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Replaced by a newer version")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20)
    revision = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="next_revision",
                                    verbose_name=_("previous version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="quotes", verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="quotes", verbose_name=_("contact"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="quotes",
                                    verbose_name=_("opportunity"))
    price_list = models.ForeignKey("orders.PriceList", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("price list"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    issue_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # A discount on the whole quote, applied after the line discounts.
    discount_percent = rate_field(_("quote discount (%)"), validators=[
        MinValueValidator(ZERO), MaxValueValidator(HUNDRED)])
    subtotal = money_field(_("list value"))            # Σ quantity × list price
    discount_amount = money_field(_("discount"))       # subtotal − net
    net_amount = money_field(_("amount before tax"))
    tax_amount = money_field(_("tax"))
    total = money_field(_("total"))
    max_discount = rate_field(_("largest discount (%)"))  # what approval looked at
    terms = models.TextField(_("terms"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    review = models.ForeignKey("orders.Review", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_quotes", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("team"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    decided_at = models.DateTimeField(_("accepted / declined"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["number", "revision"],
                                               name="unique_quote_revision")]
        indexes = [models.Index(fields=["account", "-issue_date"], name="quote_account"),
                   models.Index(fields=["owner", "status"], name="quote_owner")]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return self.number if self.revision == 1 else f"{self.number}-v{self.revision}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(ZERO)])
    list_price = money_field(_("list price"))
    unit_price = money_field(_("unit price"), validators=[MinValueValidator(ZERO)])
    discount_percent = rate_field(_("discount (%)"), validators=[
        MinValueValidator(ZERO), MaxValueValidator(HUNDRED)])
    tax_rate = rate_field(_("VAT rate (%)"))
    net_amount = money_field(_("amount before tax"))
    tax_amount = money_field(_("tax"))
    total = money_field(_("total"))
    cost = money_field(_("cost"))  # unit cost when quoted: margin and profitability

    class Meta:
        ordering = ["quote", "position", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.position}"
