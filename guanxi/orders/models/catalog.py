"""What we sell and at what price: products, customer groups and price lists."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BilingualLabel, Versioned
from guanxi.orders.models.common import ZERO, money_field, quantity_field, rate_field


class Product(BilingualLabel, Versioned):
    class Kind(models.TextChoices):
        STOCK = "stock", _("Stock item")
        MADE_TO_ORDER = "made_to_order", _("Made to order")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="件",
                            help_text=_("e.g. 件, 台, 套, kg, hour"))
    list_price = money_field(_("list price"), validators=[MinValueValidator(ZERO)])
    cost = money_field(_("unit cost"), validators=[MinValueValidator(ZERO)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    tax_rate = rate_field(_("VAT rate (%)"), default="13.00")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.STOCK)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"



class CustomerGroup(models.Model):
    """Customers who share prices: distributors, key accounts, government, …"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    accounts = models.ManyToManyField("customers.Account", blank=True,
                                      related_name="price_groups",
                                      verbose_name=_("customers"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


class PriceList(Versioned):
    """Prices in one currency, for everyone or one customer group, for a period. The most
    specific list valid on the day wins (group before general, then the latest start)."""

    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="price_lists", verbose_name=_("customer group"),
                              help_text=_("Empty: for every customer."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["currency", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices",
                                verbose_name=_("product"))
    unit_price = money_field(_("unit price"), validators=[MinValueValidator(ZERO)])
    min_quantity = quantity_field(_("from quantity"), default=1,
                                  validators=[MinValueValidator(ZERO)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["price_list", "product", "min_quantity"],
                                               name="unique_price_item")]
        verbose_name = _("price")
        verbose_name_plural = _("prices")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.unit_price}"
