"""Helpers shared by the work services: field cleaning with aware datetimes, and who may
work on a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.core.cleaning import clean_fields
from guanxi.core.errors import FieldErrors, NotFound
from guanxi.customers.models import Account, Contact
from guanxi.customers.services.common import can_edit
from guanxi.sales.models import Lead, Opportunity


def clean(model: type[Model], data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The model's own field rules; naive datetimes are read in the current time zone."""
    cleaned = clean_fields(model, data, allowed)
    for key, value in cleaned.items():
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            cleaned[key] = timezone.make_aware(value)
    return cleaned


def on_selling_team(user: User, opportunity: Opportunity) -> bool:
    if user.pk in (opportunity.owner_id, opportunity.finder_id, opportunity.delivery_owner_id,
                   opportunity.collection_owner_id):
        return True
    return opportunity.members.filter(user=user).exists()


def may_work_on(user: User, account: Account | None, opportunity: Opportunity | None = None,
                lead: Lead | None = None) -> bool:
    """Who may log activities and tasks on a record: those who may edit the customer or it is
    shared with, the opportunity's selling team, the lead's owner or finder and the managers
    and assistants over their team."""
    if user.has_role(Role.ADMIN):
        return True
    if opportunity is not None and on_selling_team(user, opportunity):
        return True
    if account is not None and (can_edit(user, account)
                                or account.shares.filter(user=user).exists()):
        return True
    if lead is not None and account is None:
        if user.pk in (lead.owner_id, lead.finder_id):
            return True
        return (user.has_role(Role.MANAGER, Role.ASSISTANT) and lead.team_id is not None
                and lead.team_id in user.team_subtree_ids)
    return False


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
