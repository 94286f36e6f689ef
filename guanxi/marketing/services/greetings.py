"""Customer care greetings, sent by the worker every hour (``marketing.tasks``):

* birthday — contacts whose birthday is ``days_before`` days ahead (29 February on the 28th in
  other years); occasion ``birthday-<year>``;
* customer anniversary — the first contact of customers who became customers on that day in an
  earlier year; ``anniversary-<year>``;
* holiday — every contact, on the calendar's date of the rule's holiday; ``<key>-<date>``;
* notice — a new-product or promotion notice on its day; ``notice-<date>``.

Each send asks the consent gate (care for greetings, marketing for notices) and waits outside
quiet hours (``GUANXI_QUIET_HOURS``, default 21–9: nothing goes out from 21:00 to 9:00 local
time; the next hourly run sends what is due). A person is claimed by inserting the unique
(rule, person, occasion) row before anything is sent, so no greeting ever goes twice — not on
a rerun, not with two workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import send_gates
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.customers.models import Account, Contact
from guanxi.marketing.models import GreetingRule, GreetingSent, Holiday
from guanxi.marketing.services import messages
from guanxi.sales.services.email import render_text

Occasion = GreetingRule.Occasion
Status = GreetingSent.Status


def quiet_hours() -> tuple[int, int]:
    start, _sep, end = str(getattr(settings, "GUANXI_QUIET_HOURS", "") or "21-9").partition("-")
    return int(start), int(end or 9)


def is_quiet(now: dt.datetime) -> bool:
    start, end = quiet_hours()
    hour = timezone.localtime(now).hour
    return (hour >= start or hour < end) if start > end else start <= hour < end


def _same_day(field: str, day: dt.date) -> Q:
    q = Q(**{f"{field}__month": day.month, f"{field}__day": day.day})
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    if day.month == 2 and day.day == 28 and not leap:
        q |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return q


def _accounts(rule: GreetingRule) -> Any:
    accounts = Account.objects.filter(is_active=True)
    if rule.segment is not None and rule.created_by is not None:
        from guanxi.marketing.selectors.segments import segment_accounts

        accounts = accounts.filter(pk__in=segment_accounts(rule.created_by, rule.segment)
                                   .values("pk"))
    return accounts


def due(rule: GreetingRule, today: dt.date) -> Iterator[tuple[str, Account, Contact | None]]:
    """(occasion, customer, contact) of everyone ``rule`` greets today."""
    target = today + dt.timedelta(days=rule.days_before)
    accounts = _accounts(rule)
    contacts = Contact.objects.filter(is_active=True, account__in=accounts) \
        .select_related("account").order_by("pk")
    if rule.occasion == Occasion.BIRTHDAY:
        for c in contacts.filter(_same_day("birthday", target)).iterator(chunk_size=1000):
            yield f"birthday-{target.year}", c.account, c
    elif rule.occasion == Occasion.ANNIVERSARY:
        for account in accounts.filter(_same_day("created_at", target),
                                       created_at__year__lt=target.year).order_by("pk"):
            first = account.contacts.filter(is_active=True).order_by("pk").first()
            yield f"anniversary-{target.year}", account, first
    elif rule.occasion == Occasion.HOLIDAY:
        holiday = Holiday.objects.filter(key=rule.holiday_key, date=target).first()
        if holiday is not None:
            for c in contacts.iterator(chunk_size=1000):
                yield f"{holiday.key}-{holiday.date.isoformat()}", c.account, c
    elif rule.occasion == Occasion.NOTICE and rule.send_on == target:
        for c in contacts.iterator(chunk_size=1000):
            yield f"notice-{target.isoformat()}", c.account, c


def _address(rule: GreetingRule, account: Account, contact: Contact | None) -> str:
    person: Any = contact or account
    if rule.channel == GreetingRule.Channel.SMS:
        return (getattr(person, "mobile", "") or getattr(person, "phone", "") or "").strip()
    return (person.email or "").strip()


def _send(rule: GreetingRule, account: Account, contact: Contact | None, address: str) -> str:
    """Send one greeting; the error in words, or "" when it went out."""
    ctx = messages.merge_context(contact, account, None)
    # Chinese unless the rule has only English (contacts record no language).
    body_src = rule.body_zh or rule.body_en
    body, _missing = render_text(body_src, ctx, "body")
    if rule.channel == GreetingRule.Channel.SMS:
        from guanxi.marketing.services import sms

        try:
            row = sms.send_sms(address, template_code=rule.sms_template,
                               params={"content": body}, text=body, purpose=rule.purpose,
                               account=account, gate=False)
        except (FieldErrors, DomainError) as exc:
            return str(getattr(exc, "errors", None) or exc)[:500]
        return "" if row.status != row.Status.FAILED else (row.error or row.error_code)
    subject, _missing = render_text(rule.subject_zh or rule.subject_en, ctx, "subject")
    try:
        mail.send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return ""


def run_rule(rule: GreetingRule, now: dt.datetime) -> dict[str, int]:
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    today = timezone.localdate(now)
    for occasion, account, contact in due(rule, today):
        person_key = f"c{contact.pk}" if contact is not None else f"a{account.pk}"
        if GreetingSent.objects.filter(rule=rule, person_key=person_key,
                                       occasion=occasion).exists():
            continue
        address = _address(rule, account, contact)
        decision = send_gates.check(address, rule.channel, rule.purpose) if address else \
            send_gates.Decision(False, _("No address."))
        try:
            with transaction.atomic():
                row = GreetingSent.objects.create(
                    rule=rule, account=account, contact=contact, person_key=person_key,
                    occasion=occasion, address=address[:254], at=now,
                    status=Status.SENT if decision.allowed else Status.SKIPPED,
                    reason="" if decision.allowed else decision.reason[:500])
        except IntegrityError:
            continue  # another worker greeted them first
        if not decision.allowed:
            counts["skipped"] += 1
            continue
        error = _send(rule, account, contact, address)
        if error:
            GreetingSent.objects.filter(pk=row.pk).update(status=Status.FAILED, reason=error)
            counts["failed"] += 1
        else:
            counts["sent"] += 1
    return counts


def run_greetings(now: dt.datetime | None = None) -> dict[str, int]:
    """Send what every active rule has due; nothing during quiet hours."""
    now = now or timezone.now()
    totals = {"sent": 0, "skipped": 0, "failed": 0}
    if is_quiet(now):
        return totals
    for rule in GreetingRule.objects.filter(active=True).select_related("segment",
                                                                        "created_by"):
        for key, value in run_rule(rule, now).items():
            totals[key] += value
    return totals


# --- Editing rules and the calendar ----------------------------------------------------------

RULE_FIELDS = ("name", "occasion", "holiday_key", "send_on", "days_before", "channel",
               "subject_zh", "subject_en", "body_zh", "body_en", "sms_template", "active")


def _require_planner(actor: Any) -> None:
    from guanxi.core.errors import Forbidden
    from guanxi.marketing import permissions as perms

    if not perms.can_manage_care(actor):
        raise Forbidden(_("Only marketing and administrators set up greetings."))


def _rule_errors(rule: GreetingRule) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (rule.name or "").strip():
        errors["name"] = [_("Give the rule a name.")]
    if rule.occasion not in Occasion.values:
        errors["occasion"] = [_("Choose birthday, anniversary, holiday or notice.")]
    if rule.channel not in GreetingRule.Channel.values:
        errors["channel"] = [_("Choose e-mail or SMS.")]
    if rule.occasion == Occasion.HOLIDAY and not Holiday.objects.filter(
            key=rule.holiday_key).exists():
        errors["holiday_key"] = [_("No holiday with this key in the calendar.")]
    if rule.occasion == Occasion.NOTICE and rule.send_on is None:
        errors["send_on"] = [_("Give the day the notice goes out.")]
    if rule.channel == GreetingRule.Channel.SMS and not rule.sms_template:
        errors["sms_template"] = [_("Give the approved SMS template's code.")]
    if not (rule.body_zh or rule.body_en or "").strip():
        errors["body_zh"] = [_("Write the message in Chinese or English.")]
    blank = messages.merge_context(None, None, None)
    for name in ("subject_zh", "subject_en", "body_zh", "body_en"):
        try:
            _out, missing = render_text(getattr(rule, name) or "", blank, name)
        except FieldErrors as exc:
            errors |= exc.errors
            continue
        if missing:
            errors[name] = [_("Unknown merge field: %(names)s.") % {
                "names": ", ".join(f"{{{{ {m} }}}}" for m in missing)}]
    if rule.channel == GreetingRule.Channel.SMS and "body_zh" not in errors:
        from guanxi.marketing.services import sms

        try:
            sms.check(rule.body_zh or rule.body_en)
        except FieldErrors as exc:
            errors["body_zh"] = exc.errors["text"]
    return errors


def create_rule(actor: Any, data: dict[str, Any]) -> GreetingRule:
    """A greeting rule; refused with field errors for what is missing or wrong."""
    _require_planner(actor)
    rule = GreetingRule(created_by=actor, **{k: v for k, v in data.items() if k in RULE_FIELDS})
    errors = _rule_errors(rule)
    if errors:
        raise FieldErrors(errors)
    rule.save()
    return rule


def update_rule(actor: Any, rule: GreetingRule, version: int | None,
                data: dict[str, Any]) -> GreetingRule:
    """Change a rule as read at ``version``; what it already sent stays sent (the unique rows
    keep an edited rule from greeting anyone twice for the same occasion)."""
    from guanxi.core.locking import check_version, save_versioned

    _require_planner(actor)
    check_version(rule, version)
    changes = {k: v for k, v in data.items() if k in RULE_FIELDS}
    draft = GreetingRule(**{f: getattr(rule, f) for f in RULE_FIELDS} | changes)
    errors = _rule_errors(draft)
    if errors:
        raise FieldErrors(errors)
    save_versioned(rule, version, changes)
    return rule


def set_rule_active(actor: Any, rule: GreetingRule, version: int | None,
                    active: bool) -> GreetingRule:
    """Stop a rule (the worker no longer sends from it) or start it again."""
    from guanxi.core.locking import check_version, save_versioned

    _require_planner(actor)
    check_version(rule, version)
    save_versioned(rule, version, {"active": bool(active)})
    return rule


def set_holiday(actor: Any, key: str, date: dt.date, name_zh: str, name_en: str = "") -> Holiday:
    """Add a holiday to the calendar (or rename the one on that date)."""
    _require_planner(actor)
    from django.utils.text import slugify

    if not slugify(key or "") or slugify(key) != key:
        raise FieldErrors({"key": [_("Use lower-case letters, digits and underscores.")]})
    if not (name_zh or "").strip():
        raise FieldErrors({"name_zh": [_("Give the holiday's Chinese name.")]})
    holiday, _created = Holiday.objects.update_or_create(
        key=key, date=date, defaults={"name_zh": name_zh.strip(), "name_en": name_en.strip()})
    return holiday


def rename_holiday(actor: Any, holiday: Holiday, name_zh: str, name_en: str = "") -> Holiday:
    """Rename one date of a holiday (its key, which the rules name, stays)."""
    _require_planner(actor)
    if not (name_zh or "").strip():
        raise FieldErrors({"name_zh": [_("Give the holiday's Chinese name.")]})
    holiday.name_zh, holiday.name_en = name_zh.strip()[:40], (name_en or "").strip()[:60]
    holiday.save(update_fields=["name_zh", "name_en"])
    return holiday


def remove_holiday(actor: Any, holiday: Holiday) -> None:
    """Take a date off the calendar: the holiday's rules send nothing on it any more."""
    _require_planner(actor)
    holiday.delete()
