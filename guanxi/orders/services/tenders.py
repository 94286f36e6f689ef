"""Writes of tenders (招投标): enter and edit a tender, record its result, follow the bond.

Who writes: the tender's owner, the customer's owner, managers and sales assistants over the
tender's team, administrators. Finance pays and receives bonds, so finance may change the bond
and nothing else. Executives only read. Linking a tender to an opportunity moves the
opportunity forward to the tender stage (never backwards); a lost tender can close the
opportunity as lost with the reason "tender"; a won one leaves the stage to the rep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db import transaction
from django.db.models import CharField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import save_versioned
from guanxi.customers.models import Account, Approval
from guanxi.orders import permissions as perms
from guanxi.orders.models import Contract, Tender
from guanxi.sales.selectors.opportunities import account_opportunity

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("1e14")

TENDER_FIELDS = ("number", "title", "issuer", "opportunity", "deadline", "opening_at",
                 "budget", "bid_amount", "currency", "bond_amount", "bond_status", "bond_due",
                 "owner")
CREATE_FIELDS = (*TENDER_FIELDS, "result", "result_note", "winner")
BOND_FIELDS = ("bond_status", "bond_amount", "bond_due")

if TYPE_CHECKING:  # the model is sales'; orders reaches it through sales' selectors
    from guanxi.sales.models import Opportunity


# --- Permissions ---------------------------------------------------------------------------

def require_write(user: User, record: Tender | Contract) -> None:
    allowed = perms.can_write_tender(user, record) if isinstance(record, Tender) \
        else perms.can_write_contract(user, record)
    if not allowed:
        raise Forbidden(_("Only the owner, the customer's owner, the team's manager or "
                          "assistant can change this."))


# --- Input ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TenderInput(Input):
    """A tender's values; the result fields only when it is entered after the fact. A
    deadline or opening given as a day alone is at 17:00 that day."""

    day_time: ClassVar[dt.time] = dt.time(17, 0)

    number: str | None = UNSET
    title: str | None = UNSET
    issuer: str | None = UNSET
    opportunity: Opportunity | int | None = UNSET
    deadline: dt.datetime | None = UNSET
    opening_at: dt.datetime | None = UNSET
    budget: Decimal | None = UNSET
    bid_amount: Decimal | None = UNSET
    currency: str | None = UNSET
    bond_amount: Decimal | None = UNSET
    bond_status: str | None = UNSET
    bond_due: dt.date | None = UNSET
    owner: User | int | None = UNSET
    result: str | None = UNSET
    result_note: str | None = UNSET
    winner: str | None = UNSET


def check_money(amount: Decimal | None, *, allow_none: bool = False) -> Decimal | None:
    """An amount in yuan to the fen; empty is none when allowed, else 0."""
    if amount is None:
        if allow_none:
            return None
        amount = ZERO
    amount = Decimal(amount)  # an int from code is fine too
    if amount < 0:
        raise DomainError(_("The amount cannot be negative."))
    if amount >= MAX_AMOUNT:
        raise DomainError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


def parse_currency(value: Any) -> str:
    code = str(value or "CNY").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise DomainError(_("Use a three-letter currency code such as CNY."))
    return code


def active_user(value: Any) -> User | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, User) else value
    user = User.objects.filter(pk=pk, is_active=True).first() if str(pk).isdigit() else None
    if user is None:
        raise DomainError(_("No active user with this id."))
    return user


def opportunity_of(actor: User, account: Account, value: Any) -> Opportunity | None:
    if value in (None, ""):
        return None
    opp = account_opportunity(actor, account, value)
    if opp is None:
        raise DomainError(_("Choose an opportunity of this customer."))
    return opp


def text(value: Any, limit: int | None) -> str:
    return str(value or "").strip()[:limit]


def _clean(actor: User, account: Account, data: Mapping[str, Any],
           allowed: tuple[str, ...]) -> dict[str, Any]:
    """Check each field; collect every error before refusing."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            errors[key] = [_("This field cannot be set here.")]
            continue
        try:
            out[key] = _clean_one(actor, account, key, value)
        except DomainError as exc:
            errors[key] = [exc.message]
    if errors:
        raise FieldErrors(errors)
    return out


def _max_length(name: str) -> int | None:
    return cast(CharField, Tender._meta.get_field(name)).max_length


def _clean_one(actor: User, account: Account, key: str, value: Any) -> Any:
    if key in ("number", "title", "issuer"):
        limit = _max_length(key)
        if not str(value or "").strip():
            raise DomainError(_("This field is required."))
        return text(value, limit)
    if key in ("result_note", "winner"):
        return text(value, _max_length(key))
    if key in ("budget", "bid_amount"):
        return check_money(value, allow_none=True)
    if key == "bond_amount":
        return check_money(value)
    if key == "currency":
        return parse_currency(value)
    if key == "bond_status":
        if value not in Tender.BondStatus.values:
            raise DomainError(_("Choose one of the listed values."))
        return value
    if key == "result":
        if value not in Tender.Result.values:
            raise DomainError(_("Choose one of the listed values."))
        return value
    if key == "owner":
        return active_user(value)
    if key == "opportunity":
        return opportunity_of(actor, account, value)
    return value


def _check_bond(status: str, amount: Decimal | None) -> None:
    if status != Tender.BondStatus.NOT_REQUIRED and not (amount and amount > 0):
        raise FieldErrors({"bond_amount": [_("Enter the bond amount: a bond that is to be "
                                             "paid, paid, returned or forfeited has an "
                                             "amount.")]})


def _check_dates(deadline: dt.datetime | None, opening: dt.datetime | None, result: str,
                 now: dt.datetime, *, deadline_changed: bool = True) -> None:
    if deadline is None:
        raise FieldErrors({"deadline": [_("Enter the bid deadline.")]})
    if deadline_changed and deadline < now and result == Tender.Result.PENDING:
        raise FieldErrors({"deadline": [_("The bid deadline has passed. Record a past tender "
                                          "with its result.")]})
    if opening is not None and opening < deadline:
        raise FieldErrors({"opening_at": [_("Bids are opened after the deadline.")]})


def check_account(actor: User, account: Account) -> None:
    if not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
        raise NotFound(_("Not found."))
    if account.merged_into_id or not account.is_active:
        raise DomainError(_("This customer was merged or removed; open the remaining record."),
                          field="account", code="account_inactive")
    if account.approval == Approval.REJECTED:
        raise DomainError(_("This customer was not approved."), field="account",
                          code="account_rejected")


def tender_url(tender: Tender) -> str:
    return reverse("orders:tender", args=[tender.pk])


# --- The opportunity -----------------------------------------------------------------------

def _advance_opportunity(actor: User, opp: Opportunity | None) -> None:
    """Bring the opportunity forward to the tender stage; never backwards, never reopened,
    and only if the actor may move it (otherwise its rep does)."""
    from guanxi.sales.services import opportunities as opps

    opps.advance_to(actor, opp, "tender")


def lose_opportunity(actor: User, opp: Opportunity, note: str = "") -> bool:
    """Close the opportunity as lost because the tender was not won (if it is open and the
    actor may)."""
    from guanxi.sales.services import opportunities as opps

    return opps.close_lost(actor, opp, "tender", note)


# --- Create and edit -----------------------------------------------------------------------

def create_tender(actor: User, account: Account, values: TenderInput, *,
                  now: dt.datetime | None = None) -> Tender:
    """Enter a tender of ``account``: number, title, issuer, deadline, opening_at,
    budget, bid_amount, currency, bond_amount, bond_status, bond_due, opportunity, owner;
    and for a tender recorded after the fact result, result_note, winner."""
    now = now or timezone.now()
    if not perms.can_create_deal(actor):
        raise Forbidden(_("Your role cannot enter tenders."))
    check_account(actor, account)
    cleaned = _clean(actor, account, values.given(), CREATE_FIELDS)
    missing = {k: [_("This field is required.")] for k in ("number", "title", "issuer")
               if not cleaned.get(k)}
    if missing:
        raise FieldErrors(missing)
    cleaned.setdefault("result", Tender.Result.PENDING)
    cleaned.setdefault("bond_status", Tender.BondStatus.NOT_REQUIRED)
    _check_dates(cleaned.get("deadline"), cleaned.get("opening_at"), cleaned["result"], now)
    _check_bond(cleaned["bond_status"], cleaned.get("bond_amount"))
    owner = cleaned.pop("owner", None)
    if owner is None:
        selling = actor.has_role(Role.REP, Role.MANAGER)
        owner = actor if selling or account.owner_id is None else account.owner
    with transaction.atomic():
        tender = Tender.objects.create(account=account, owner=owner, created_by=actor,
                                       team_id=owner.team_id if owner else account.team_id,
                                       **cleaned)
        audit.log(actor, "orders.tender.created", tender, changes=audit.diff({}, {
            k: getattr(tender, k) for k in ("number", "title", "deadline", "bond_amount",
                                            "bond_status", "result", "opportunity_id")}))
        _advance_opportunity(actor, tender.opportunity)
    return tender


def update_tender(actor: User, tender: Tender, version: int | None, values: TenderInput, *,
                  now: dt.datetime | None = None) -> Tender:
    """Edit a tender's details (the result has its own call; finance uses ``set_bond``)."""
    now = now or timezone.now()
    if not perms.can_write_tender(actor, tender):
        if perms.can_change_bond(actor, tender):
            raise Forbidden(_("Finance may change only the bond of a tender."))
        require_write(actor, tender)
    cleaned = _clean(actor, tender.account, values.given(), TENDER_FIELDS)
    if "owner" in cleaned:
        if cleaned["owner"] is None:
            raise FieldErrors({"owner": [_("A tender always has an owner.")]})
        cleaned["team_id"] = cleaned["owner"].team_id
    merged = {k: cleaned.get(k, getattr(tender, k)) for k in
              ("deadline", "opening_at", "bond_status", "bond_amount")}
    _check_dates(merged["deadline"], merged["opening_at"], tender.result, now,
                 deadline_changed="deadline" in cleaned
                 and cleaned["deadline"] != tender.deadline)
    _check_bond(merged["bond_status"], merged["bond_amount"])
    before = {k: getattr(tender, k) for k in cleaned}
    changes = audit.diff(before, cleaned)
    old_opp = tender.opportunity_id
    with transaction.atomic():
        save_versioned(tender, version, cleaned)
        if changes:
            audit.log(actor, "orders.tender.updated", tender, changes=changes)
        if "opportunity" in cleaned and tender.opportunity_id != old_opp:
            _advance_opportunity(actor, tender.opportunity)
    return tender


def set_bond(actor: User, tender: Tender, version: int | None, status: str,
             amount: Decimal | None = None, due: dt.date | None = None) -> Tender:
    """Change the bond (投标保证金): to be paid, paid, returned, forfeited or none. Finance
    does this as well as whoever may edit the tender."""
    if not perms.can_change_bond(actor, tender):
        raise Forbidden(_("Only finance or whoever may edit the tender can change its bond."))
    data: dict[str, Any] = {"bond_status": status}
    if amount is not None:
        data["bond_amount"] = amount
    if due is not None:
        data["bond_due"] = due
    cleaned = _clean(actor, tender.account, data, BOND_FIELDS)
    _check_bond(cleaned["bond_status"], cleaned.get("bond_amount", tender.bond_amount))
    changes = audit.diff({k: getattr(tender, k) for k in cleaned}, cleaned)
    with transaction.atomic():
        save_versioned(tender, version, cleaned)
        if changes:
            audit.log(actor, "orders.tender.updated", tender, changes=changes)
    return tender


BOND_TITLES = {
    Tender.BondStatus.NOT_REQUIRED: gettext_noop("Tender %(number)s: no bid bond"),
    Tender.BondStatus.TO_PAY: gettext_noop("Tender %(number)s: bid bond of %(amount)s "
                                           "%(currency)s to be paid"),
    Tender.BondStatus.PAID: gettext_noop("Tender %(number)s: bid bond of %(amount)s "
                                         "%(currency)s paid"),
    Tender.BondStatus.RETURNED: gettext_noop("Tender %(number)s: bid bond of %(amount)s "
                                             "%(currency)s returned"),
    Tender.BondStatus.FORFEITED: gettext_noop("Tender %(number)s: bid bond of %(amount)s "
                                              "%(currency)s forfeited"),
}


def record_result(actor: User, tender: Tender, version: int | None, result: str, *,
                  note: str = "", winner: str = "", close_opportunity: bool = False,
                  now: dt.datetime | None = None) -> Tender:
    """Record that the bid was submitted, won, lost, or the tender cancelled. A lost tender
    closes its opportunity as lost (reason "tender") when ``close_opportunity``; a won one
    leaves a note on the customer's timeline for the rep to move the opportunity."""
    now = now or timezone.now()
    require_write(actor, tender)
    allowed = (Tender.Result.SUBMITTED, Tender.Result.WON, Tender.Result.LOST,
               Tender.Result.CANCELLED)
    if result not in allowed:
        raise FieldErrors({"result": [_("Choose submitted, won, lost or cancelled.")]})
    note, winner = text(note, 300), text(winner, 200)
    changes = audit.diff({"result": tender.result, "result_note": tender.result_note,
                          "winner": tender.winner},
                         {"result": result, "result_note": note, "winner": winner})
    with transaction.atomic():
        save_versioned(tender, version, {"result": result, "result_note": note,
                                         "winner": winner})
        audit.log(actor, "orders.tender.result", tender, changes=changes,
                  data={"result": result})
        opp = tender.opportunity
        if opp is not None and result == Tender.Result.LOST and close_opportunity:
            lose_opportunity(actor, opp, note or winner)
    return tender
