"""Payment reminders (催款) for overdue invoices.

The daily job sends one reminder per level: level 1 at the first of
``settings.GUANXI_DUNNING_DAYS`` days past the due date (7 by default), level 2 at the second
(30), level 3 at the third (60). An invoice that is already further overdue than a level when
the job first sees it gets only the highest level it reached, not a burst of reminders.
The unique (invoice, level) row is the claim, so running twice — or two workers at once —
sends nothing new. A reminder sent by hand counts as the next level.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit, send_gates
from guanxi.core.errors import Conflict, Forbidden
from guanxi.core.notifications import notify
from guanxi.orders import permissions as perms
from guanxi.orders.models import DunningReminder, Invoice

logger = logging.getLogger(__name__)


def dunning_days() -> list[int]:
    return sorted(int(d) for d in settings.GUANXI_DUNNING_DAYS)


def level_for(days_overdue: int) -> int:
    """How many reminder thresholds ``days_overdue`` has passed (0: none yet)."""
    return sum(1 for d in dunning_days() if days_overdue >= d)


def due_for_reminder(today: dt.date):
    """Open invoices that passed a reminder level they were not reminded at."""
    cond = Q()
    for level, days in enumerate(dunning_days(), start=1):
        cond |= Q(due_date__lte=today - dt.timedelta(days=days), dunning_level__lt=level)
    if not cond:
        return Invoice.objects.none()
    return Invoice.objects.filter(cond, outstanding__gt=0) \
        .exclude(status=Invoice.Status.CANCELLED).order_by("due_date", "id")


def send_reminders(today: dt.date | None = None) -> int:
    """Send the reminders due ``today``; returns how many reminder rows were made."""
    today = today or timezone.localdate()
    made = 0
    for invoice in due_for_reminder(today).select_related("account", "collection_owner",
                                                           "owner").iterator(chunk_size=200):
        days = (today - invoice.due_date).days
        level = level_for(days)
        if level > invoice.dunning_level and _remind(invoice, level, days) is not None:
            made += 1
    return made


def send_now(actor: User, invoice: Invoice, today: dt.date | None = None) -> DunningReminder:
    """A reminder sent by hand by finance or the invoice's collection owner."""
    if not perms.can_remind_invoice(actor, invoice):
        raise Forbidden(_("Only finance or the invoice's collection owner can send a "
                          "payment reminder."))
    today = today or timezone.localdate()
    if invoice.outstanding <= 0 or invoice.status == Invoice.Status.CANCELLED:
        raise Conflict(_("Nothing is outstanding on this invoice."), field="outstanding")
    days = max((today - invoice.due_date).days, 0)
    reminder = _remind(invoice, invoice.dunning_level + 1, days, actor=actor)
    if reminder is None:
        raise Conflict(_("A reminder was sent meanwhile."), field="version")
    return reminder


def recipient(invoice: Invoice) -> str:
    """The customer's primary contact's e-mail, else any contact's, else the customer's."""
    contact = invoice.account.contacts.filter(is_active=True).exclude(email="") \
        .order_by("-is_primary", "id").first()
    return contact.email if contact else (invoice.account.email or "")


def _remind(invoice: Invoice, level: int, days: int, actor: User | None = None,
            ) -> DunningReminder | None:
    to = recipient(invoice)
    try:
        with transaction.atomic():
            reminder = DunningReminder.objects.create(
                invoice=invoice, level=level, days_overdue=days, sent_to=to,
                status=DunningReminder.Status.SENT if to else DunningReminder.Status.NO_ADDRESS)
            # Only moves up: a slower worker cannot lower the level another one reached.
            Invoice.objects.filter(pk=invoice.pk, dunning_level__lt=level).update(
                dunning_level=level, last_dunned_at=timezone.now())
    except IntegrityError:
        return None  # someone else reminded at this level
    if to and not (decision := send_gates.check(to, send_gates.EMAIL,
                                                 send_gates.SERVICE)).allowed:
        reminder.status = DunningReminder.Status.FAILED
        reminder.error = decision.reason[:300]
        reminder.save(update_fields=["status", "error"])
    elif to:
        try:
            subject, body = reminder_mail(invoice, days)
            send_mail(subject, body, None, [to])
        except Exception as exc:  # SMTP down or refused: recorded, the collector is told
            logger.warning("payment reminder for %s failed: %s", invoice.number, exc)
            reminder.status = DunningReminder.Status.FAILED
            reminder.error = str(exc)[:300]
            reminder.save(update_fields=["status", "error"])
    invoice.dunning_level = max(invoice.dunning_level, level)
    audit.log(actor, "orders.invoice.reminded", invoice,
              data={"level": level, "days_overdue": days, "to": to,
                    "status": reminder.status})
    _tell_collector(invoice, reminder, actor)
    return reminder


def _tell_collector(invoice: Invoice, reminder: DunningReminder, actor: User | None) -> None:
    who = invoice.collection_owner or invoice.owner
    if who is None or not who.is_active:
        return
    url = reverse("orders:invoice", args=[invoice.pk])
    if reminder.status == DunningReminder.Status.SENT:
        notify(who, gettext_noop("Invoice %(number)s is %(days)s days overdue: reminder "
                                 "%(level)s sent to %(to)s"),
               {"number": invoice.number, "days": reminder.days_overdue,
                "level": reminder.level, "to": reminder.sent_to},
               kind="orders.dunning", url=url, actor=actor)
    else:
        notify(who, gettext_noop("Invoice %(number)s is %(days)s days overdue and the "
                                 "reminder could not be e-mailed: please call the customer"),
               {"number": invoice.number, "days": reminder.days_overdue},
               kind="orders.dunning", url=url, actor=actor)


def reminder_mail(invoice: Invoice, days: int) -> tuple[str, str]:
    """A polite reminder in Chinese and English (the customer's people may read either)."""
    amount = f"{invoice.currency} {invoice.outstanding:,.2f}"
    due = invoice.due_date.isoformat()
    company = getattr(settings, "GUANXI_COMPANY_NAME", "") or ""
    subject = f"付款提醒 Payment reminder: 发票 Invoice {invoice.number}"
    overdue_zh = f"已逾期 {days} 天，" if days > 0 else ""
    overdue_en = f" It is now {days} days overdue." if days > 0 else ""
    body = (
        f"尊敬的{invoice.account.name}：\n\n"
        f"您好！贵司发票号 {invoice.number} 的应付款项 {amount} 已于 {due} 到期，"
        f"{overdue_zh}目前尚未收到。烦请安排付款；如已付款，请忽略本提醒并告知付款日期，"
        f"以便我们核对。如有疑问，欢迎随时与我们联系。\n\n"
        f"谢谢！\n{company}\n\n"
        f"----\n\n"
        f"Dear {invoice.account.name_en or invoice.account.name},\n\n"
        f"Our records show that {amount} on invoice {invoice.number} was due on {due} and "
        f"has not been received yet.{overdue_en} We would be grateful if you could arrange "
        f"payment. If you have already paid, please ignore this reminder and let us know the "
        f"payment date so we can match it.\n\n"
        f"Thank you.\n{company}\n"
    )
    return subject, body
