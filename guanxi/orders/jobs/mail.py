"""Background work of quotes: e-mailing a sent quote as a PDF attachment. The outcome ("sent"
or why it failed) goes on the customer's timeline and the audit trail."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit, send_gates
from guanxi.core.errors import DomainError
from guanxi.core.tasks import background
from guanxi.customers.services.common import add_event


def email_quote(quote_id: int, actor_id: int, to: str, message: str,
                language: str = "zh-hans") -> str:
    """Render the PDF and send it to ``to``; returns "sent" or "failed"."""
    from guanxi.orders.models import Quote
    from guanxi.orders.services import pdf

    quote = Quote.objects.select_related("account", "contact", "owner").get(pk=quote_id)
    actor = User.objects.filter(pk=actor_id).first()
    with translation.override(language):
        subject = _("Quotation %(number)s from %(company)s") % {
            "number": quote.display_number, "company": pdf.company_name()}
        greeting = _("Dear %(name)s,") % {"name": quote.contact.name} if quote.contact \
            else _("Dear customer,")
        body = "\n\n".join(part for part in (
            greeting, message or _("Please find our quotation %(number)s attached.")
            % {"number": quote.display_number},
            _("Total: %(total)s %(currency)s") % {"total": quote.total,
                                                  "currency": quote.currency},
            str(quote.owner or ""), pdf.company_name()) if part)
    error = ""
    # A quote is a service to the customer: it goes unless the person objected.
    decision = send_gates.check(to, send_gates.EMAIL, send_gates.SERVICE)
    if not decision.allowed:
        audit.log(actor, "orders.quote.email_failed", quote,
                  data={"to": to, "error": decision.reason, "refused": True})
        return "failed"
    try:
        document = pdf.quote_pdf(quote, language)
        email = mail.EmailMessage(subject, body, from_email=settings.DEFAULT_FROM_EMAIL,
                                  to=[to], reply_to=[actor.email] if actor and actor.email
                                  else None)
        email.attach(pdf.filename(quote), document, "application/pdf")
        email.send()
    except (OSError, smtplib.SMTPException, DomainError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    if error:
        audit.log(actor, "orders.quote.email_failed", quote, data={"to": to, "error": error})
        return "failed"
    # Not audited (the sending was): the e-mail on the timeline is the only record of it.
    add_event(quote.account, "orders.quote",
              gettext_noop("Quote %(number)s sent to %(to)s"), actor,
              params={"number": quote.display_number, "to": to}, body=body,
              data={"quote": quote.pk}, contact=quote.contact)
    return "sent"


@background()
def send_quote_email(quote_id: int, actor_id: int, to: str, message: str,
                     language: str = "zh-hans") -> str:
    return email_quote(quote_id, actor_id, to, message, language)
