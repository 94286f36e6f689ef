"""Helpers shared by the work services: field cleaning with aware datetimes, and checking
that the records of an entry belong together."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.cleaning import clean_fields
from guanxi.core.errors import FieldErrors, NotFound
from guanxi.customers.models import Account, Contact
from guanxi.sales.models import Lead, Opportunity


def clean(model: type[Model], data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The model's own field rules; naive datetimes are read in the current time zone."""
    cleaned = clean_fields(model, data, allowed)
    for key, value in cleaned.items():
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            cleaned[key] = timezone.make_aware(value)
    return cleaned


def resolve_records(actor: User, account: Account | None, contact: Contact | None,
                    opportunity: Opportunity | None, lead: Lead | None,
                    ) -> tuple[Account | None, Contact | None, Opportunity | None, Lead | None]:
    """Check that the records belong together and that the actor may see each of them; the
    customer is taken from the opportunity or lead when not given."""
    if account is None and opportunity is not None:
        account = opportunity.account
    if account is None and lead is not None and lead.account_id:
        account = lead.account
    errors: dict[str, list[str]] = {}
    if account is None and lead is None:
        errors["account"] = [_("Choose a customer.")]
    if contact is not None and (account is None or contact.account_id != account.pk
                                or not contact.is_active):
        errors["contact"] = [_("This contact belongs to another customer.")]
    if opportunity is not None and account is not None \
            and opportunity.account_id != account.pk:
        errors["opportunity"] = [_("This opportunity belongs to another customer.")]
    if lead is not None and account is not None and lead.account_id not in (None, account.pk):
        errors["lead"] = [_("This lead belongs to another customer.")]
    if errors:
        raise FieldErrors(errors)
    checks = ((account, Account), (opportunity, Opportunity), (lead, Lead))
    for record, model in checks:
        if record is not None and not model.objects.visible_to(actor).filter(
                Q(pk=record.pk)).exists():
            raise NotFound(_("Not found."))
    return account, contact, opportunity, lead
