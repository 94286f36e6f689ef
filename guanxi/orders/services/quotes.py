"""Writes of quotes: create and edit with priced lines, approval of the discount, sending as a
PDF, revisions, acceptance (which makes a prospect a lead customer), decline and cancel.

Every write checks who may do it, takes the version the user read (409 when stale), keeps the
totals equal to the sum of the lines, is audited and goes on the customer's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.tasks import later
from guanxi.customers.models import Account, Approval, Contact, Standing
from guanxi.customers.services import promote_standing
from guanxi.orders import permissions as perms
from guanxi.orders.models import Flow, Product, Quote, QuoteLine, Review
from guanxi.orders.money import ZERO, LineAmounts, LineInput, Totals, cents, price_lines
from guanxi.orders.numbers import QUOTE, next_number
from guanxi.orders.services import reviews
from guanxi.sales.selectors.opportunities import account_opportunity

S = Quote.Status
EDITABLE = (S.DRAFT, S.REJECTED)
SUBMITTABLE = (S.DRAFT, S.REJECTED)
SENDABLE = (S.APPROVED, S.SENT)
DECIDABLE = (S.APPROVED, S.SENT)          # the customer accepts or declines
REVISABLE = (S.APPROVED, S.SENT, S.REJECTED, S.DECLINED)
CANCELLABLE = (S.DRAFT, S.IN_APPROVAL, S.APPROVED, S.REJECTED, S.SENT)
MAX_LINES = 1000
HUNDRED = Decimal("100")
MONEY_LIMIT = Decimal("1e13")      # stays inside the 16-digit money columns with room to add
QTY_LIMIT = Decimal("1e9")
DEFAULT_VALIDITY_DAYS = 30

if TYPE_CHECKING:  # the model is sales'; orders reaches it through sales' selectors
    from guanxi.sales.models import Opportunity


@dataclass(frozen=True)
class QuoteInput(Input):
    """A quote's own values (the lines come apart); records as instances or ids."""

    title: str | None = UNSET
    contact: Contact | int | None = UNSET
    opportunity: Opportunity | int | None = UNSET
    currency: str | None = UNSET
    issue_date: dt.date | None = UNSET
    valid_until: dt.date | None = UNSET
    discount_percent: Decimal | None = UNSET
    terms: str | None = UNSET
    notes: str | None = UNSET


@dataclass(frozen=True)
class QuoteLineInput(Input):
    """One line: the product (or its id), the quantity, and optionally the unit price (default:
    the customer's price), the line discount in percent and a description."""

    product: Product | int | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    description: str | None = None

    @classmethod
    def rows(cls, rows: Sequence[Any]) -> list[Self]:
        """Lines as typed or sent; an error names its line: ``lines[<n>].<field>``."""
        if len(rows) > MAX_LINES:
            raise FieldErrors({"lines": [_("At most %(n)s lines.") % {"n": MAX_LINES}]})
        return cls.parse_rows(rows, "lines[{n}].{field}",
                              not_a_row=_("Each line needs a product and a quantity."))


def _require_edit(user: User, quote: Quote) -> None:
    if not perms.can_edit_quote(user, quote):
        raise Forbidden(_("Only the quote's rep, the customer's owner, the team's assistants "
                          "and managers can change this quote."))


def _require_status(quote: Quote, allowed: Sequence[str], message: str) -> None:
    if quote.status not in allowed:
        raise DomainError(message, field="status", code="wrong_status")


def actions_for(user: User, quote: Quote) -> set[str]:
    """What ``user`` may do to ``quote`` now (the page shows these buttons)."""
    if not perms.can_edit_quote(user, quote):
        return set()
    found = set()
    status = quote.status
    if status in EDITABLE:
        found |= {"edit", "submit"}
    if status in SENDABLE:
        found.add("send")
    if status in DECIDABLE:
        found |= {"accept", "decline"}
    if status in REVISABLE:
        found.add("revise")
    if status in CANCELLABLE:
        found.add("cancel")
    return found


# --- Prices ----------------------------------------------------------------------------------

def resolve_prices(account: Account, products: Sequence[Product], currency: str,
                   on: dt.date, quantities: dict[int, Decimal] | None = None,
                   ) -> dict[int, Decimal]:
    """The unit price of each product for ``account`` from the price lists (quantity breaks
    by ``quantities``), by product id; a product without a price in ``currency`` is absent."""
    from guanxi.orders.selectors.catalog import prices_for

    found = prices_for(account, list(products), currency, on, quantities=quantities or {})
    return {pk: quote.unit_price for pk, quote in found.items()}


# --- Validation ------------------------------------------------------------------------------

def _bounded(number: Decimal, places: str, *, low: Decimal | None = ZERO,
             high: Decimal | None, strict_low: bool = False) -> Decimal:
    if abs(number) >= Decimal("1e15"):
        raise DomainError(_("Enter a number such as 12.50."))
    number = number.quantize(Decimal(places))
    if low is not None and (number <= low if strict_low else number < low):
        raise DomainError(_("Must be more than %(low)s.") % {"low": low} if strict_low
                          else _("Cannot be negative."), code="too_low")
    if high is not None and number > high:
        raise DomainError(_("At most %(high)s.") % {"high": high}, code="too_high")
    return number


def _is_id(value: Any) -> bool:
    """A row id as a number or digits, small enough for every database's integer."""
    return str(value).isdigit() and len(str(value)) < 16


def _clean_fields(data: QuoteInput, account: Account, actor: User,
                  issue_date: dt.date | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in data.given().items():
        try:
            out[key] = _clean_field(key, value, account, actor)
        except DomainError as exc:
            errors[key] = [exc.message]
    issued = out.get("issue_date") or issue_date
    if issued and out.get("valid_until") and out["valid_until"] < issued:
        errors.setdefault("valid_until", [_("The quote cannot expire before its date.")])
    if errors:
        raise FieldErrors(errors)
    return out


def _clean_field(key: str, value: Any, account: Account, actor: User) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if key in ("title",):
        return (value or "")[:200]
    if key in ("terms", "notes"):
        return value or ""
    if key == "currency":
        code = (value or account.currency or "CNY").upper()
        if len(code) != 3 or not code.isalpha():
            raise DomainError(_("Use a three-letter currency code such as CNY."))
        return code
    if key in ("issue_date", "valid_until"):
        return value
    if key == "discount_percent":
        return _bounded(value or ZERO, "0.01", high=HUNDRED)
    if key == "contact":
        if value in (None, ""):
            return None
        pk = value.pk if isinstance(value, Contact) else value
        contact = Contact.objects.filter(pk=pk, account=account, is_active=True).first() \
            if _is_id(pk) else None
        if contact is None:
            raise DomainError(_("Choose a contact of this customer."))
        return contact
    if key == "opportunity":
        if value in (None, ""):
            return None
        opp = account_opportunity(actor, account, value)
        if opp is None:
            raise DomainError(_("Choose an opportunity of this customer."))
        return opp
    return value


@dataclass
class PricedLines:
    lines: list[QuoteLine]
    amounts: list[LineAmounts]
    totals: Totals


def price_quote_lines(account: Account, raw: Sequence[QuoteLineInput], currency: str,
                      on: dt.date, quote_discount: Decimal) -> PricedLines:
    """Check the lines and price them; every error names ``lines[i].<field>``. The lines
    come back unsaved (``quote`` unset)."""
    if len(raw) > MAX_LINES:
        raise FieldErrors({"lines": [_("At most %(n)s lines.") % {"n": MAX_LINES}]})
    errors: dict[str, list[str]] = {}
    ids: list[int | None] = []
    for line in raw:
        pk = line.product.pk if isinstance(line.product, Product) else line.product
        ids.append(pk if _is_id(pk) else None)
    products = {p.pk: p for p in Product.objects.filter(
        pk__in=[i for i in ids if i is not None], active=True)}
    quantities: dict[int, Decimal] = {}
    for i, line in enumerate(raw):
        pid = ids[i]
        if pid is not None and pid in products and line.quantity is not None:
            quantities[pid] = max(line.quantity, quantities.get(pid, ZERO))
    prices = resolve_prices(account, list(products.values()), currency, on, quantities) \
        if products else {}
    lines: list[QuoteLine] = []
    inputs: list[LineInput] = []
    for i, line in enumerate(raw):
        product = products.get(pid) if (pid := ids[i]) is not None else None
        if product is None:
            errors[f"lines[{i}].product"] = [_("Unknown product: choose an active product.")]
        values: dict[str, Decimal] = {}
        for key, places, low, high, strict in (
                ("quantity", "0.001", ZERO, QTY_LIMIT, True),
                ("unit_price", "0.01", ZERO, MONEY_LIMIT, False),
                ("discount_percent", "0.01", ZERO, HUNDRED, False)):
            value = getattr(line, key)
            if value is None and key != "quantity":
                continue
            if value is None:
                errors[f"lines[{i}].{key}"] = [_("Enter a quantity.")]
                continue
            try:
                values[key] = _bounded(value, places, low=low, high=high, strict_low=strict)
            except DomainError as exc:
                message = exc.message
                if key == "discount_percent":
                    message = _("A discount is between 0 and 100 percent.")
                elif key == "quantity" and exc.code == "too_low":
                    message = _("The quantity must be more than zero.")
                errors[f"lines[{i}].{key}"] = [message]
        if product is None or f"lines[{i}].quantity" in errors:
            continue
        price = prices.get(product.pk)
        unit_price = values.get("unit_price", price)
        if unit_price is None:  # no price list price and none entered
            errors[f"lines[{i}].unit_price"] = [
                _("%(product)s has no price in %(currency)s: enter a unit price.")
                % {"product": product.code, "currency": currency}]
            continue
        price = unit_price if price is None else price
        discount = values.get("discount_percent", ZERO)
        if values["quantity"] * unit_price >= MONEY_LIMIT:
            errors[f"lines[{i}].quantity"] = [_("The line amount is too large.")]
            continue
        description = (line.description or "").strip()[:300] or product.name_zh
        lines.append(QuoteLine(
            position=i + 1, product=product, description=description, unit=product.unit,
            quantity=values["quantity"], list_price=price, unit_price=unit_price,
            discount_percent=discount, tax_rate=product.tax_rate, cost=product.cost))
        inputs.append(LineInput(quantity=values["quantity"], list_price=price,
                                unit_price=unit_price, discount_percent=discount,
                                tax_rate=product.tax_rate, cost=product.cost))
    if errors:
        raise FieldErrors(errors)
    amounts, totals = price_lines(inputs, quote_discount)
    for quote_line, amount in zip(lines, amounts, strict=True):
        quote_line.net_amount, quote_line.tax_amount, quote_line.total = (
            amount.net, amount.tax, amount.total)
    return PricedLines(lines, amounts, totals)


def _totals_fields(totals: Totals) -> dict[str, Decimal]:
    return {"subtotal": cents(totals.subtotal), "discount_amount": cents(totals.discount_amount),
            "net_amount": cents(totals.net), "tax_amount": cents(totals.tax),
            "total": cents(totals.total), "max_discount": cents(totals.max_discount)}


def _check_account(actor: User, account: Account) -> None:
    if not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
        raise NotFound(_("Not found."))
    if account.merged_into_id or not account.is_active:
        raise DomainError(_("This customer was merged or removed; open the remaining record."),
                          field="account", code="account_inactive")
    if account.approval == Approval.REJECTED:
        raise DomainError(_("This customer was not approved; it cannot be quoted."),
                          field="account", code="account_rejected")


def url_of(quote: Quote) -> str:
    return reverse("orders:quote", args=[quote.pk])


# --- Create and edit -------------------------------------------------------------------------

def create_quote(actor: User, account: Account, data: QuoteInput,
                 lines: Sequence[QuoteLineInput], *, opportunity: Opportunity | None = None,
                 today: dt.date | None = None) -> Quote:
    """A draft quote for ``account``. Defaults: the customer's currency, issued today, valid
    for 30 days, no discount on the whole quote."""
    today = today or timezone.localdate()
    if not perms.can_create_quote(actor):
        raise Forbidden(_("Your role cannot write quotes."))
    _check_account(actor, account)
    if opportunity is not None:
        data = data.replace(opportunity=opportunity)
    errors: dict[str, list[str]] = {}
    try:
        cleaned = _clean_fields(data, account, actor, today)
    except FieldErrors as exc:  # the lines' errors too, all at once
        errors, cleaned = dict(exc.errors), {}
    cleaned["currency"] = cleaned.get("currency") or account.currency or "CNY"
    cleaned["issue_date"] = cleaned.get("issue_date") or today
    if "valid_until" not in cleaned:
        cleaned["valid_until"] = cleaned["issue_date"] + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    try:
        priced = price_quote_lines(account, lines, cleaned["currency"], cleaned["issue_date"],
                                   cleaned.get("discount_percent", ZERO))
    except FieldErrors as exc:
        errors |= exc.errors
    if errors:
        raise FieldErrors(errors)
    owner = account.owner if account.owner is not None and account.owner.is_active else actor
    with transaction.atomic():
        quote = Quote.objects.create(
            number=next_number(QUOTE, cleaned["issue_date"]), account=account, owner=owner,
            team_id=owner.team_id, created_by=actor, **cleaned,
            **_totals_fields(priced.totals))
        _save_lines(quote, priced.lines)
        audit.log(actor, "orders.quote.created", quote,
                  changes=audit.diff({}, {"total": quote.total, "currency": quote.currency,
                                          "lines": len(priced.lines)}))
    return quote


def _save_lines(quote: Quote, lines: list[QuoteLine]) -> None:
    for line in lines:
        line.quote = quote
    QuoteLine.objects.bulk_create(lines, batch_size=500)


def update_quote(actor: User, quote: Quote, data: QuoteInput,
                 lines: Sequence[QuoteLineInput] | None, version: int | None) -> Quote:
    """Edit a draft or rejected quote; ``lines`` (when given) replace all lines. An approved
    or sent quote is revised instead."""
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, EDITABLE, _("Only a draft or rejected quote can be edited; revise "
                                       "an approved or sent quote instead."))
    errors: dict[str, list[str]] = {}
    try:
        cleaned = _clean_fields(data, quote.account, actor, quote.issue_date)
    except FieldErrors as exc:
        errors, cleaned = dict(exc.errors), {}
    issue_date = cleaned.get("issue_date") or quote.issue_date
    valid_until = cleaned.get("valid_until", quote.valid_until)
    if valid_until and valid_until < issue_date:
        errors.setdefault("valid_until", [_("The quote cannot expire before its date.")])
    currency = cleaned.get("currency") or quote.currency
    discount = cleaned.get("discount_percent", quote.discount_percent)
    if lines is None:
        lines = [QuoteLineInput(product=li.product_id, quantity=li.quantity,
                                unit_price=li.unit_price, discount_percent=li.discount_percent,
                                description=li.description) for li in quote.lines.all()]
    try:
        priced = price_quote_lines(quote.account, lines, currency, issue_date, discount)
    except FieldErrors as exc:
        errors |= exc.errors
    if errors:
        raise FieldErrors(errors)
    changes = {**cleaned, **_totals_fields(priced.totals)}
    before = {k: getattr(quote, k) for k in changes}
    with transaction.atomic():
        save_versioned(quote, version, changes)
        quote.lines.all().delete()
        _save_lines(quote, priced.lines)
        diff = audit.diff({k: getattr(v, "pk", v) for k, v in before.items()},
                          {k: getattr(v, "pk", v) for k, v in changes.items()})
        audit.log(actor, "orders.quote.updated", quote, changes=diff,
                  data={"lines": len(priced.lines)})
    return quote


# --- Approval --------------------------------------------------------------------------------

def facts_of(quote: Quote) -> reviews.Facts:
    return reviews.Facts(amount=quote.total,
                         discount=max(quote.max_discount, quote.discount_percent),
                         customer_rate=quote.account.discount_rate)


def submit_quote(actor: User, quote: Quote, version: int | None, *,
                 now: dt.datetime | None = None) -> Quote:
    """Ask for approval of the discount; with nothing to approve the quote is approved at once.
    A discount beyond the customer's approved rate goes to the sales manager, beyond the
    company limit also to the general manager."""
    now = now or timezone.now()
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, SUBMITTABLE, _("Only a draft or rejected quote can be submitted."))
    if not quote.lines.exists():
        raise DomainError(_("Add at least one line before submitting."), field="lines",
                          code="no_lines")
    with transaction.atomic():
        save_versioned(quote, version, {})
        review = reviews.start_review(quote, Flow.QUOTE, actor, facts_of(quote),
                                      reason=_discount_reason(quote), now=now)
        status = S.IN_APPROVAL if review else S.APPROVED
        Quote.objects.filter(pk=quote.pk).update(status=status, review=review)
        old = quote.status
        quote.status, quote.review = status, review
        audit.log(actor, "orders.quote.submitted", quote, changes={"status": [old, status]},
                  data={"review": review.pk if review else None,
                        "discount": facts_of(quote).discount})
    return quote


def _discount_reason(quote: Quote) -> str:
    return f"{max(quote.max_discount, quote.discount_percent)}% / " \
           f"{quote.account.discount_rate}%"


OUTCOMES: dict[str, tuple[str, str, str]] = {
    Review.Status.APPROVED: (S.APPROVED, "orders.quote.approved",
                             gettext_noop("Quote %(number)s approved by %(by)s")),
    Review.Status.REJECTED: (S.REJECTED, "orders.quote.rejected",
                             gettext_noop("Quote %(number)s: discount rejected by %(by)s")),
    Review.Status.RETURNED: (S.DRAFT, "orders.quote.returned",
                             gettext_noop("Quote %(number)s returned for changes by %(by)s")),
}


def _on_outcome(quote: Quote, review: Review, outcome: str, actor: User) -> None:
    """The review engine's verdict, in the deciding transaction."""
    if outcome not in OUTCOMES or quote.review_id != review.pk:
        return
    status, action, title = OUTCOMES[outcome]
    old = quote.status
    Quote.objects.filter(pk=quote.pk).update(status=status, version=F("version") + 1,
                                             updated_at=timezone.now())
    quote.status = status
    comment = review.steps.exclude(comment="").order_by("-decided_at", "-id") \
        .values_list("comment", flat=True).first() or ""
    audit.log(actor, action, quote, changes={"status": [old, status]},
              data={"review": review.pk, "comment": comment})


reviews.register(Flow.QUOTE, Quote, _on_outcome, url_of)


# --- Sending ---------------------------------------------------------------------------------

LANGUAGES = ("zh-hans", "en")


def send_quote(actor: User, quote: Quote, to_email: str, message: str, version: int | None,
               *, language: str = "zh-hans", now: dt.datetime | None = None) -> Quote:
    """Mark the quote sent to ``to_email`` and e-mail it as a PDF after commit (the outcome
    goes on the customer's timeline). Moves its opportunity forward to the quotation stage."""
    now = now or timezone.now()
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, SENDABLE, _("Only an approved quote can be sent."))
    address = (to_email or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(address)
    except ValidationError:
        errors["to"] = [_("Enter a valid e-mail address.")]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose Chinese or English.")]
    if errors:
        raise FieldErrors(errors)
    old = quote.status
    with transaction.atomic():
        save_versioned(quote, version, {"status": S.SENT, "sent_to": address, "sent_at": now})
        audit.log(actor, "orders.quote.sent", quote, changes={"status": [old, S.SENT]},
                  data={"to": address, "language": language})
        _advance_opportunity(actor, quote, now)
        from guanxi.orders.jobs.mail import send_quote_email

        later(send_quote_email, quote.pk, actor.pk, address, (message or "").strip(), language)
    return quote


def _advance_opportunity(actor: User, quote: Quote, now: dt.datetime) -> None:
    """A sent quote puts its opportunity at the quotation stage, never backwards."""
    from guanxi.sales.services.opportunities import advance_to

    try:
        advance_to(actor, quote.opportunity_id, "quotation", now=now)
    except (Forbidden, Conflict, DomainError):
        # The sender may not own the deal (an assistant): the rep moves it themselves.
        return


# --- The customer's answer -------------------------------------------------------------------

def accept_quote(actor: User, quote: Quote, version: int | None, *,
                 now: dt.datetime | None = None) -> Quote:
    """The customer accepted: a prospect becomes a lead customer (线索客户)."""
    now = now or timezone.now()
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, DECIDABLE, _("Only an approved or sent quote can be accepted."))
    old = quote.status
    with transaction.atomic():
        save_versioned(quote, version, {"status": S.ACCEPTED, "decided_at": now})
        audit.log(actor, "orders.quote.accepted", quote, changes={"status": [old, S.ACCEPTED]},
                  data={"total": quote.total, "currency": quote.currency})
        promote_standing(actor, quote.account, Standing.LEAD,
                         gettext_noop("Now a lead customer: quote %(number)s accepted"),
                         {"number": quote.display_number}, data={"quote": quote.pk})
    return quote


def decline_quote(actor: User, quote: Quote, reason: str, version: int | None, *,
                  now: dt.datetime | None = None) -> Quote:
    now = now or timezone.now()
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, DECIDABLE, _("Only an approved or sent quote can be declined."))
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": [_("Say why the customer declined.")]})
    old = quote.status
    with transaction.atomic():
        save_versioned(quote, version, {"status": S.DECLINED, "decided_at": now})
        audit.log(actor, "orders.quote.declined", quote, changes={"status": [old, S.DECLINED]},
                  data={"reason": reason})
    return quote


def cancel_quote(actor: User, quote: Quote, version: int | None, reason: str = "", *,
                 now: dt.datetime | None = None) -> Quote:
    """Withdraw the quote (a pending approval is withdrawn with it)."""
    now = now or timezone.now()
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, CANCELLABLE, _("This quote can no longer be cancelled."))
    old = quote.status
    with transaction.atomic():
        save_versioned(quote, version, {"status": S.CANCELLED})
        review = quote.review
        if review is not None and review.status == Review.Status.PENDING:
            _withdraw(review, now)
        audit.log(actor, "orders.quote.cancelled", quote,
                  changes={"status": [old, S.CANCELLED]}, data={"reason": reason})
    return quote


def _withdraw(review: Review, now: dt.datetime) -> None:
    from guanxi.orders.models import ReviewStep

    review.steps.filter(status__in=[ReviewStep.Status.QUEUED, ReviewStep.Status.WAITING]) \
        .update(status=ReviewStep.Status.CANCELLED)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.WITHDRAWN, finished_at=now)


# --- Revisions -------------------------------------------------------------------------------

def revise_quote(actor: User, quote: Quote, version: int | None = None, *,
                 today: dt.date | None = None) -> Quote:
    """A new version of ``quote`` to change it after approval or sending: same number, the
    next revision, a draft with the same lines. The old version is superseded."""
    today = today or timezone.localdate()
    _require_edit(actor, quote)
    check_version(quote, version)
    _require_status(quote, REVISABLE, _("Only an approved, sent, rejected or declined quote "
                                        "can be revised; edit a draft directly."))
    lines = list(quote.lines.all())
    old = quote.status
    with transaction.atomic():
        save_versioned(quote, version, {"status": S.SUPERSEDED})
        validity = (quote.valid_until - quote.issue_date) if quote.valid_until else None
        new = Quote.objects.create(
            number=quote.number, revision=quote.revision + 1, previous=quote, title=quote.title,
            account=quote.account, contact=quote.contact, opportunity=quote.opportunity,
            price_list=quote.price_list, currency=quote.currency, status=S.DRAFT,
            issue_date=today, valid_until=today + validity if validity is not None else None,
            discount_percent=quote.discount_percent, subtotal=quote.subtotal,
            discount_amount=quote.discount_amount, net_amount=quote.net_amount,
            tax_amount=quote.tax_amount, total=quote.total, max_discount=quote.max_discount,
            terms=quote.terms, notes=quote.notes, owner=quote.owner, team=quote.team,
            created_by=actor)
        for line in lines:
            line.pk = None
        _save_lines(new, lines)
        audit.log(actor, "orders.quote.revised", new,
                  changes={"revision": [quote.revision, new.revision]},
                  data={"previous": quote.pk, "previous_status": old})
    return new
