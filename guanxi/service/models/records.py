"""Service history (维修记录): where (station), who (technician), what was done, the parts
replaced (covered by warranty or billed), labour, mileage and the warranty decision."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL
ZERO = Decimal("0")


def money(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=ZERO,
                               validators=[MinValueValidator(ZERO)])


class RecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecordQuerySet:
        from guanxi.customers.selectors import account_scope

        qs = self.filter(account__is_active=True)
        scope = account_scope(user, "account__")
        return qs if scope is None else qs.filter(scope)


class ServiceRecord(models.Model):
    class Decision(models.TextChoices):
        NOT_CLAIMED = "not_claimed", _("Not a warranty claim")
        APPROVED = "approved", _("Covered by warranty")
        PARTLY = "partly", _("Partly covered")

    asset = models.ForeignKey("service.Asset", on_delete=models.PROTECT,
                              related_name="records", verbose_name=_("asset"))
    # The asset's customer, kept here so the 360° page and reports read one index.
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("customer"))
    station = models.ForeignKey("service.ServiceStation", on_delete=models.PROTECT,
                                related_name="records", verbose_name=_("station"))
    technician = models.ForeignKey("service.Technician", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="records",
                                   verbose_name=_("technician"))
    # The case the visit answers (a repair or warranty claim), if any.
    case = models.ForeignKey("service.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="service_records", verbose_name=_("case"))
    performed_on = models.DateField(_("performed on"))
    failure_on = models.DateField(_("failure date"), null=True, blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    complaint = models.TextField(_("reported problem"), blank=True)
    work_done = models.TextField(_("work done"))
    labour_hours = models.DecimalField(_("labour hours"), max_digits=7, decimal_places=2,
                                       default=ZERO, validators=[MinValueValidator(ZERO)])
    labour_amount = money(_("labour"))
    labour_covered = models.BooleanField(_("labour covered by warranty"), default=False)
    warranty_claim = models.BooleanField(_("warranty claim"), default=False)
    warranty_decision = models.CharField(_("warranty decision"), max_length=12,
                                         choices=Decision.choices,
                                         default=Decision.NOT_CLAIMED)
    warranty_note = models.CharField(_("warranty note"), max_length=300, blank=True)
    covered_amount = money(_("covered by warranty"))
    billed_amount = money(_("billed to the customer"))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-id"]
        indexes = [
            models.Index(fields=["account", "-performed_on"], name="svc_record_account"),
            models.Index(fields=["asset", "-performed_on"], name="svc_record_asset"),
        ]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self) -> str:
        return f"{self.performed_on} {self.work_done[:40]}"


class PartLine(models.Model):
    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="parts")
    part_number = models.CharField(_("part number"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2,
                                   validators=[MinValueValidator(ZERO)])
    unit_price = money(_("unit price"))
    amount = money(_("amount"))
    covered = models.BooleanField(_("covered by warranty"), default=False)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("replaced part")
        verbose_name_plural = _("replaced parts")

    def __str__(self) -> str:
        return f"{self.part_number} × {self.quantity}"
