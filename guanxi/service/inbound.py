"""Mail into cases: a reply in a case's thread (Message-ID / In-Reply-To / References, or the
case number in the subject) is appended to it; a new mail to a support mailbox opens a case for
the sender's contact, or an unknown-sender case. Auto-replies and bounces never open a case and
nothing here ever answers a mail automatically, so two robots cannot loop."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from guanxi.core import audit, uploads
from guanxi.core.inbound_mail import InboundMail, register_handler
from guanxi.customers.models import Contact
from guanxi.service.models import Case, CaseAttachment, CaseEvent, CaseMessage, ServiceTeam
from guanxi.service.selectors.cases import normalize_number
from guanxi.service.services import cases as case_services
from guanxi.service.services import sla

NUMBER_IN_SUBJECT = re.compile(r"\bCS-\d{4}-\d{6}\b", re.IGNORECASE)
ORDER = 20  # before the apps that only log replies on the timeline


def find_case(mail: InboundMail) -> Case | None:
    """The case this mail belongs to: by the thread's Message-IDs, then the number."""
    ids = mail.thread_ids
    if ids:
        found = (CaseMessage.objects.filter(message_id__in=ids).select_related("case")
                 .order_by("-created_at").first())
        if found is not None:
            return found.case
    match = NUMBER_IN_SUBJECT.search(mail.subject or "")
    if match:
        number = normalize_number(match.group(0))
        return Case.objects.filter(number=number).first()
    return None


def _own_addresses() -> set[str]:
    own = {settings.DEFAULT_FROM_EMAIL.lower()}
    own |= {e.lower() for e in ServiceTeam.objects.exclude(e_mail="").values_list(
        "e_mail", flat=True)}
    return own


def _store_attachments(message: CaseMessage, mail: InboundMail) -> list[str]:
    """Keep each attachment through the storage API; a too-large one is named, not kept."""
    skipped = []
    limit = uploads.max_bytes()
    for part in mail.attachments:
        name = get_valid_filename(part.name or "attachment")[:120] or "attachment"
        if len(part.data) > limit:
            skipped.append(name)
            continue
        path = default_storage.save(
            f"service/attachments/{timezone.now():%Y/%m}/{get_random_string(12)}-{name}",
            ContentFile(part.data))
        CaseAttachment.objects.create(message=message, file=path, name=part.name[:255] or name,
                                      content_type=part.content_type[:100],
                                      size=len(part.data))
    return skipped


def _append(case: Case, mail: InboundMail) -> CaseMessage:
    now = timezone.now()
    message = CaseMessage.objects.create(
        case=case, kind=CaseMessage.Kind.INBOUND, by_email=True, sender=mail.sender,
        to=", ".join(mail.to)[:1000], subject=mail.subject[:300], body=mail.text,
        message_id=mail.message_id[:255], in_reply_to=mail.in_reply_to[:255],
        references=" ".join(mail.references), created_at=mail.received_at or now)
    skipped = _store_attachments(message, mail)
    note = mail.subject[:300]
    if skipped:
        note += "\n" + _("Attachments too large to keep: %(names)s") % {
            "names": ", ".join(skipped)}
    case_services._event(case, CaseEvent.Kind.MAIL_IN, None, mail.sender, "", note, at=now)
    return message


def _wake(case: Case, mail: InboundMail) -> None:
    """The customer answered: a case waiting on them (or resolved) is worked on again."""
    if mail.is_auto_reply or mail.is_bounce:
        return
    if case.status in (Case.Status.WAITING, Case.Status.RESOLVED):
        now = timezone.now()
        old = case.status
        changes = {"status": Case.Status.IN_PROGRESS, **sla.resume(case, now)}
        if old == Case.Status.RESOLVED:
            changes |= {"resolved_at": None}
        Case.objects.filter(pk=case.pk).update(version=case.version + 1, **changes)
        case_services._event(case, CaseEvent.Kind.STATUS, None, old,
                             Case.Status.IN_PROGRESS, _("The customer answered by e-mail"),
                             at=now)
        for key, value in changes.items():
            setattr(case, key, value)
        audit.log(None, "service.case.status_changed", case,
                  changes={"status": [old, Case.Status.IN_PROGRESS]},
                  data={"number": case.number, "from": old, "to": Case.Status.IN_PROGRESS,
                        "note": "e-mail"})


@transaction.atomic
def handle(mail: InboundMail) -> bool:
    """The inbound mail handler service registers with core."""
    if mail.message_id and CaseMessage.objects.filter(message_id=mail.message_id).exists():
        return True  # read before: taken already, nothing more to do
    if mail.sender.lower() in _own_addresses():
        return False  # our own mail coming back: never a case
    case = find_case(mail)
    if case is not None:
        _append(case, mail)
        _wake(case, mail)
        audit.log(None, "service.case.mail_received", case,
                  data={"number": case.number, "from": mail.sender,
                        "auto": mail.is_auto_reply, "bounce": mail.is_bounce})
        return True
    if mail.purpose != "support" or mail.is_auto_reply or mail.is_bounce:
        return False
    contact = (Contact.objects.filter(email__iexact=mail.sender, is_active=True,
                                      account__is_active=True)
               .select_related("account").order_by("-is_primary", "pk").first())
    subject = (mail.subject or "").strip() or _("(no subject)")
    case = case_services.create_case(
        None, subject=subject, kind=Case.Kind.INQUIRY, channel=Case.Channel.EMAIL,
        description=mail.text, contact=contact,
        requester_email="" if contact else mail.sender,
        requester_name="" if contact else mail.sender_name)
    _append(case, mail)
    return True


def register() -> None:
    register_handler("service.cases", handle, order=ORDER)
