"""Monthly sales targets of the company: what bookings should reach each month, read against
what was booked on the executive dashboard."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Versioned


class SalesTarget(Versioned):
    month = models.DateField(_("month"), unique=True,
                             help_text=_("The first day of the month."))
    amount = models.DecimalField(_("target"), max_digits=16, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"
