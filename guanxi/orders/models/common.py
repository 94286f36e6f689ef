"""What every commercial document shares: money fields, numbering and the visibility rule."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, **kwargs)


def rate_field(verbose_name, **kwargs) -> models.DecimalField:
    """A percentage such as a discount or a VAT rate: 0–100 with two decimals."""
    kwargs.setdefault("default", ZERO)
    kwargs.setdefault("validators", [MinValueValidator(ZERO)])
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)


def quantity_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=3, **kwargs)


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        """Documents ``user`` may see (the rule lives in ``selectors.scope.document_scope``)."""
        from guanxi.orders.selectors.scope import document_scope

        scope = document_scope(user, self.model)
        return self if scope is None else self.filter(scope)


class Sequence(models.Model):
    """The last number handed out per prefix and year: Q2026-00042, SO2026-00007, …"""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"],
                                               name="unique_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last}"
