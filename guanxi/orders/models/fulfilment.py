"""Sales orders and their execution: review of custom orders, dates, production, shipments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
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


class SalesOrder(Versioned):
    class Kind(models.TextChoices):
        STOCK = "stock", _("Stock order")
        CUSTOM = "custom", _("Custom order")

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("In order review")
        RETURNED = "returned", _("Returned for changes")
        REJECTED = "rejected", _("Rejected")
        CONFIRMED = "confirmed", _("Confirmed")
        IN_PRODUCTION = "in_production", _("In production")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    class Production(models.TextChoices):
        NOT_NEEDED = "not_needed", _("From stock")
        NOT_STARTED = "not_started", _("Not started")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In production")
        QUALITY_CHECK = "quality_check", _("Quality check")
        DONE = "done", _("Finished")
        DELAYED = "delayed", _("Delayed")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STOCK)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.CONFIRMED)
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="orders", verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("contact"))
    # Where it came from: converting the same quote or contract twice finds this order.
    quote = models.OneToOneField("orders.Quote", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="order", verbose_name=_("quote"))
    contract = models.OneToOneField("orders.Contract", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="order",
                                    verbose_name=_("contract"))
    opportunity = models.ForeignKey("sales.Opportunity", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="orders",
                                    verbose_name=_("opportunity"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    net_amount = money_field(_("amount before tax"))
    tax_amount = money_field(_("tax"))
    total = money_field(_("total"))
    cost = money_field(_("cost of goods"))
    invoiced_amount = money_field(_("invoiced"))
    paid_amount = money_field(_("paid"))
    special_requirements = models.TextField(_("special requirements"), blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    order_date = models.DateField(_("order date"))
    promised_date = models.DateField(_("promised delivery"), null=True, blank=True)
    planned_date = models.DateField(_("planned delivery"), null=True, blank=True)
    actual_date = models.DateField(_("delivered on"), null=True, blank=True)
    production_status = models.CharField(_("production"), max_length=15,
                                         choices=Production.choices,
                                         default=Production.NOT_NEEDED)
    review = models.ForeignKey("orders.Review", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    # Finance let the order through although the customer is over the credit limit.
    credit_override_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+",
                                           verbose_name=_("credit override by"))
    credit_override_reason = models.CharField(_("credit override reason"), max_length=300,
                                              blank=True)
    # Alerts already sent for the promised date (so the periodic check sends each once).
    due_alert_for = models.DateField(null=True, blank=True, editable=False)
    late_alert_for = models.DateField(null=True, blank=True, editable=False)
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_orders", verbose_name=_("sales rep"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("team"))
    delivery_owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="delivered_orders",
                                       verbose_name=_("delivery owner"))
    collection_owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="collected_orders",
                                         verbose_name=_("collection owner"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["account", "-order_date"], name="order_account"),
            models.Index(fields=["owner", "status"], name="order_owner"),
            models.Index(fields=["delivery_owner", "status"], name="order_delivery"),
            models.Index(fields=["collection_owner", "status"], name="order_collection"),
            models.Index(fields=["status", "promised_date"], name="order_promised"),
        ]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self):
        return self.total - self.paid_amount


class OrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(ZERO)])
    list_price = money_field(_("list price"))
    unit_price = money_field(_("unit price"))
    discount_percent = rate_field(_("discount (%)"))
    tax_rate = rate_field(_("VAT rate (%)"))
    net_amount = money_field(_("amount before tax"))
    tax_amount = money_field(_("tax"))
    total = money_field(_("total"))
    cost = money_field(_("cost"))
    shipped_quantity = quantity_field(_("shipped"), default=ZERO)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position}"


class Shipment(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="shipments")
    number = models.CharField(_("number"), max_length=20, unique=True)
    shipped_on = models.DateField(_("shipped on"))
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "shipped_on", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(_("quantity"), validators=[MinValueValidator(ZERO)])

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.quantity}"
