"""Converting a lead into customer + contact + opportunity in one step, keeping its history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.access import require
from guanxi.core.errors import DomainError
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers import services as customers
from guanxi.customers.models import Account, Contact
from guanxi.customers.regions import province_code
from guanxi.sales import permissions as perms
from guanxi.sales.models import Activity, Lead, Task
from guanxi.sales.services.opportunities import OpportunityInput, create_opportunity


def _contact_data(lead: Lead) -> dict[str, Any]:
    data: dict[str, Any] = {"name": lead.name, "title": lead.title, "email": lead.email}
    data["mobile"] = lead.phone  # E.164 already; a lead's phone is usually a mobile
    return data


def _new_account(actor: User, lead: Lead, force: bool) -> tuple[Account, Contact]:
    data: dict[str, Any] = {
        "name": lead.company or lead.name,
        "kind": Account.Kind.COMPANY if lead.company else Account.Kind.PERSON,
        "source": lead.source, "email": lead.email,
        "needs": lead.interest,
    }
    addresses = []
    if lead.province and province_code(lead.province):
        addresses.append({"province": lead.province, "city": lead.city})
    account = customers.create_account(actor, data, contacts=[_contact_data(lead)],
                                       addresses=addresses, owner=lead.owner or actor,
                                       force=force)
    return account, account.contacts.get()


@transaction.atomic
def convert_lead(actor: User, lead: Lead, version: int, *, account: Account | None = None,
                 force: bool = False, opportunity_name: str = "",
                 now: dt.datetime | None = None) -> Lead:
    """Lead → customer (or the existing ``account`` the user picked) + contact + opportunity.

    A likely duplicate customer stops the conversion with a Conflict naming it (the page then
    offers to use it); ``force`` creates a new customer anyway. Everything or nothing."""
    require(perms.can_edit_lead(actor, lead))
    check_version(lead, version)
    if not lead.is_open:
        raise DomainError(_("This lead is closed."), code="closed")
    now = now or timezone.now()
    if account is None:
        account, contact = _new_account(actor, lead, force)
    else:
        contact = account.contacts.filter(is_active=True).filter(
            **({"mobile": lead.phone} if lead.phone else {"name": lead.name})).first() \
            or customers.add_contact(actor, account, _contact_data(lead))
    name = (opportunity_name or "").strip()[:200] or (
        f"{account.name} · {lead.interest}" if lead.interest else account.name)[:200]
    opportunity = create_opportunity(actor, account, OpportunityInput(
        name=name, amount=lead.budget or Decimal(0), contact=contact, source=lead.source,
        timeframe=lead.timeframe, lead=lead, owner=lead.owner or actor,
        finder=lead.finder), now=now)
    # The lead's history moves along to the customer.
    Activity.objects.filter(lead=lead, account__isnull=True).update(account=account)
    Task.objects.filter(lead=lead, account__isnull=True).update(account=account)
    Task.objects.filter(lead=lead, status=Task.Status.OPEN).update(opportunity=opportunity)
    before = lead.status
    save_versioned(lead, version, {
        "status": Lead.Status.CONVERTED, "converted_at": now, "account": account,
        "converted_account": account, "converted_contact": contact,
        "converted_opportunity": opportunity, "revisit_on": None})
    audit.log(actor, "sales.lead.converted", lead,
              changes={"status": [before, lead.status]},
              data={"account": account.pk, "contact": contact.pk,
                    "opportunity": opportunity.pk})
    return lead
