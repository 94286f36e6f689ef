"""The installed base (客户资产): service stations and their technicians, what each customer
owns (serial number; for vehicles VIN, engine number, plate and mileage) and the warranty
coverages on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned
from guanxi.customers.regions import PROVINCES

User = settings.AUTH_USER_MODEL
PROVINCE_CHOICES = [(code, zh) for code, zh, _en in PROVINCES]


class ServiceStation(Versioned):
    """A dealer or service station (经销商 / 维修站) of the network."""

    class Kind(models.TextChoices):
        DEALER = "dealer", _("Dealer (sales and service)")
        STATION = "station", _("Service station")
        FACTORY = "factory", _("Factory service")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.STATION)
    province = models.CharField(_("province"), max_length=6, choices=PROVINCE_CHOICES)
    city = models.CharField(_("city"), max_length=60)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "city", "code"]
        indexes = [models.Index(fields=["province", "city"], name="svc_station_place")]
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Technician(Versioned):
    station = models.ForeignKey(ServiceStation, on_delete=models.PROTECT,
                                related_name="technicians", verbose_name=_("station"))
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    qualification = models.CharField(_("qualification"), max_length=100, blank=True)
    # When the technician also signs in (a factory engineer), their user.
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["station", "name"]
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return self.name


class CoverageKind(models.TextChoices):
    WHOLE_UNIT = "whole_unit", _("Whole unit")
    PARTS = "parts", _("Parts")
    EXTENDED = "extended", _("Extended warranty")


class WarrantyTerm(models.Model):
    """The warranty a product comes with: delivered units get these coverages from the day
    they were delivered."""

    product = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("product"))
    kind = models.CharField(_("kind"), max_length=10, choices=CoverageKind.choices,
                            default=CoverageKind.WHOLE_UNIT)
    months = models.PositiveSmallIntegerField(_("months"))
    max_mileage = models.PositiveIntegerField(_("mileage limit (km)"), null=True, blank=True)
    parts = models.CharField(_("parts covered"), max_length=300, blank=True,
                             help_text=_("Part numbers or their beginnings, comma-separated; "
                                         "empty for every part."))

    class Meta:
        ordering = ["product", "kind"]
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.get_kind_display()} {self.months}"


class AssetQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssetQuerySet:
        """Assets of the customers ``user`` may see."""
        from guanxi.customers.selectors import account_scope

        qs = self.filter(account__is_active=True)
        scope = account_scope(user, "account__")
        return qs if scope is None else qs.filter(scope)


class Asset(Versioned):
    """One unit a customer owns: a vehicle, a transformer, a machine."""

    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        RETIRED = "retired", _("Retired")

    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="service_assets", verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("contact"))
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True,
                                     db_index=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True, db_index=True)
    # The last eight characters, as people read them out (车架号后八位), for search.
    vin_tail = models.CharField(max_length=8, blank=True, db_index=True, editable=False)
    engine_number = models.CharField(_("engine number"), max_length=40, blank=True)
    plate = models.CharField(_("plate"), max_length=20, blank=True, db_index=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    selling_dealer = models.ForeignKey(ServiceStation, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="sold_assets",
                                       verbose_name=_("selling dealer"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.IN_USE)
    notes = models.TextField(_("notes"), blank=True)
    # Where a delivered order line made it: one asset per unit, made once.
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", editable=False)
    shipment_line = models.ForeignKey("orders.ShipmentLine", on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+", editable=False)
    unit_index = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-purchase_date", "-id"]
        indexes = [models.Index(fields=["account", "-purchase_date"], name="svc_asset_account")]
        constraints = [
            models.UniqueConstraint(fields=["vin"], condition=~Q(vin=""),
                                    name="svc_asset_vin_unique"),
            models.UniqueConstraint(fields=["shipment_line", "unit_index"],
                                    condition=Q(shipment_line__isnull=False),
                                    name="svc_asset_delivered_once"),
        ]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return self.vin or self.serial_number or f"#{self.pk}"


class WarrantyCoverage(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="coverages",
                              verbose_name=_("asset"))
    kind = models.CharField(_("kind"), max_length=10, choices=CoverageKind.choices,
                            default=CoverageKind.WHOLE_UNIT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    max_mileage = models.PositiveIntegerField(_("mileage limit (km)"), null=True, blank=True)
    parts = models.CharField(_("parts covered"), max_length=300, blank=True,
                             help_text=_("Part numbers or their beginnings, comma-separated; "
                                         "empty for every part."))
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["asset", "starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="svc_coverage_dates")]
        verbose_name = _("warranty coverage")
        verbose_name_plural = _("warranty coverages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    @property
    def part_prefixes(self) -> list[str]:
        return [p.strip().upper() for p in self.parts.split(",") if p.strip()]
