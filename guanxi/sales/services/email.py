"""E-mail from the record: templates with merge fields, rendering them safely, sending
through Django's e-mail backend, and keeping each message on the customer's history."""

from __future__ import annotations

import datetime as dt
import functools
import re
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.audit import diff
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.customers.models import Account, Contact
from guanxi.customers.services import consent
from guanxi.sales import permissions as perms
from guanxi.sales.models import Activity, EmailMessage, EmailTemplate, Opportunity
from guanxi.sales.services.work_common import clean, resolve_records

TEMPLATE_FIELDS = ("name", "language", "subject", "body", "active")
# The merge fields a template may use; each value is a plain string.
MERGE_FIELDS = {
    "contact": ("name", "name_en", "title", "department", "email", "mobile", "phone"),
    "account": ("name", "name_en", "phone", "email", "website"),
    "user": ("display_name", "email", "phone"),
    "opportunity": ("name", "amount", "currency", "next_step"),
}


# The only filters a merge field may use. No tags at all ({% debug %}, {% include %},
# {% load %} …), and none of the padding filters (ljust:"2000000000" would fill the memory).
register = Library()
for _name in ("default", "upper", "lower", "title", "capfirst", "truncatechars"):
    register.filter(_name, getattr(defaultfilters, _name))


class _MergeEngine(Engine):
    default_builtins: list[str] = []


_ENGINE = _MergeEngine(autoescape=False, libraries={},
                       builtins=[__name__], loaders=[], debug=False)


@dataclass
class Rendered:
    subject: str
    body: str
    missing: list[str] = field(default_factory=list)


def merge_context(contact: Contact | None, account: Account | None, user: User,
                  opportunity: Opportunity | None = None) -> dict[str, dict[str, str]]:
    """Plain strings only: a template can reach nothing but these values (no methods, no
    related objects, no settings)."""
    def values(obj: Any, names: tuple[str, ...]) -> dict[str, str]:
        if obj is None:
            return {}
        return {n: "" if getattr(obj, n, None) is None else str(getattr(obj, n))
                for n in names}

    ctx = {
        "contact": values(contact, MERGE_FIELDS["contact"]),
        "account": values(account, MERGE_FIELDS["account"]),
        "user": values(user, MERGE_FIELDS["user"]),
        "opportunity": values(opportunity, MERGE_FIELDS["opportunity"]),
    }
    if user is not None and not ctx["user"].get("display_name"):
        ctx["user"]["display_name"] = str(user)
    return ctx


class _Values:
    """A read-only bag of strings: a template can look values up and nothing else (a dict
    would offer ``{{ account.clear }}``, a model instance its methods and relations)."""

    __slots__ = ("_missing", "_prefix", "_values")

    def __init__(self, prefix: str, values: dict[str, str], missing: set[str]) -> None:
        self._prefix, self._values, self._missing = prefix, values, missing

    def __getitem__(self, key: Any) -> str:
        if key in self._values:
            return self._values[key]
        self._missing.add(f"{self._prefix}.{key}")
        raise KeyError(key)

    def __str__(self) -> str:  # {{ account }} alone names no field
        self._missing.add(self._prefix)
        return ""


class _MergeContext(Context):
    """Notes the names a template asks for that the context does not have."""

    def __init__(self, values: dict[str, Any], missing: set[str]) -> None:
        super().__init__(values, autoescape=False)
        self.missing = missing

    # Templates look merge fields up by name; BaseContext also accepts other keys.
    def __getitem__(self, key: str) -> Any:  # type: ignore[override]
        try:
            return super().__getitem__(key)
        except KeyError:
            self.missing.add(key)
            raise


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    """A template compiled once: a campaign renders the same text for every member."""
    return _ENGINE.from_string(text)


def render_text(text: str, context: dict[str, dict[str, str]], field_name: str = "body",
                ) -> tuple[str, list[str]]:
    """Render ``text`` with the merge fields; unknown fields come out empty and are listed.
    The result is plain text (never marked safe): pages escape it, e-mail sends it as is."""
    try:
        template = _compiled(text or "")
    except TemplateSyntaxError as exc:
        raise FieldErrors({field_name: [_("The merge fields cannot be read: %(error)s")
                                        % {"error": exc}]}) from None
    missing: set[str] = set()
    values = {name: _Values(name, fields, missing) for name, fields in context.items()}
    # The engine answers a SafeString: taken as such, the merged text (the template and the
    # customer's names in it) would reach a page unescaped. It is plain text, and plain str
    # is what every page escapes.
    out = str.__str__(template.render(_MergeContext(values, missing)))
    # "account.x" also reads "account" first: list only the full names that failed, and an
    # unknown top-level name as it was written ("settings.SECRET_KEY").
    written = set(re.findall(r"\{\{\s*([A-Za-z_][\w.]*)", text or ""))
    names: set[str] = set()
    for name in missing:
        if any(other.startswith(name + ".") for other in missing):
            continue
        names |= {w for w in written if w.startswith(name + ".")} or {name}
    return out, sorted(names)


def render(subject: str, body: str, context: dict[str, Any]) -> Rendered:
    subject_out, missing_s = render_text(subject, context, "subject")
    body_out, missing_b = render_text(body, context, "body")
    # A header is one line: a merge field with a line break must not add headers.
    subject_out = " ".join(subject_out.split())
    return Rendered(subject_out, body_out, sorted(set(missing_s) | set(missing_b)))


# --- Templates -------------------------------------------------------------------------------

def _require_template_role(actor: User) -> None:
    if not perms.can_edit_email_templates(actor):
        raise Forbidden(_("Only administrators and managers edit e-mail templates."))


def _check_template(cleaned: dict[str, Any]) -> None:
    for name in ("subject", "body"):
        if name in cleaned:
            render_text(cleaned[name], {}, name)


@transaction.atomic
def create_template(actor: User, data: dict[str, Any]) -> EmailTemplate:
    _require_template_role(actor)
    missing = [k for k in ("name", "subject", "body") if not data.get(k)]
    if missing:
        raise FieldErrors({k: [_("This field is required.")] for k in missing})
    cleaned = clean(EmailTemplate, data, TEMPLATE_FIELDS)
    _check_template(cleaned)
    template = EmailTemplate.objects.create(**cleaned, created_by=actor)
    audit.log(actor, "sales.email_template.created", template, changes=diff({}, cleaned))
    return template


@transaction.atomic
def update_template(actor: User, template: EmailTemplate, data: dict[str, Any],
                    version: int) -> EmailTemplate:
    _require_template_role(actor)
    cleaned = clean(EmailTemplate, data, TEMPLATE_FIELDS)
    _check_template(cleaned)
    before = {k: getattr(template, k) for k in cleaned}
    save_versioned(template, version, cleaned)
    audit.log(actor, "sales.email_template.updated", template, changes=diff(before, cleaned))
    return template


@transaction.atomic
def deactivate_template(actor: User, template: EmailTemplate, version: int) -> None:
    _require_template_role(actor)
    save_versioned(template, version, {"active": False})
    audit.log(actor, "sales.email_template.deactivated", template,
              changes={"active": [True, False]})


# --- Sending ---------------------------------------------------------------------------------

def send_email(actor: User, account: Account, *, contact: Contact | None, subject: str,
               body: str, to: str = "", template: EmailTemplate | None = None,
               opportunity: Opportunity | None = None,
               now: dt.datetime | None = None, purpose: str = "service") -> EmailMessage:
    """Send a message to a contact of ``account`` (or to ``to``). A failed send is kept as a
    failed message with the error, and the caller shows it; a sent one goes on the timeline
    and is logged as an e-mail activity. Nothing goes to a person who withdrew consent for
    ``purpose`` (a rep's own message is a service notice; automation sends marketing)."""
    now = now or timezone.now()
    # ``account`` is given, so it is the customer resolve_records answers.
    _account, contact, opportunity, _lead = resolve_records(actor, account, contact,
                                                            opportunity, None)
    if not perms.can_work_on(actor, account, opportunity):
        raise Forbidden(_("You may not write to this customer."))
    errors: dict[str, list[str]] = {}
    address = (to or (contact.email if contact else "")).strip()
    try:
        validate_email(address)
    except ValidationError:
        errors["to" if to or not contact else "contact"] = [
            _("Enter a valid e-mail address.") if address
            else _("This contact has no e-mail address.")]
    subject = " ".join((subject or "").split())
    if not subject:
        errors["subject"] = [_("This field is required.")]
    elif len(subject) > 300:
        errors["subject"] = [_("At most 300 characters.")]
    if not (body or "").strip():
        errors["body"] = [_("This field is required.")]
    if template is not None and not template.active:
        errors["template"] = [_("This template is no longer active.")]
    if errors:
        raise FieldErrors(errors)
    _require_consent(account, contact, address, purpose, field="to" if to else "contact")
    sender = settings.DEFAULT_FROM_EMAIL
    message = mail.EmailMessage(subject, body, from_email=sender, to=[address],
                                reply_to=[actor.email] if actor.email else None)
    message_id = message.message()["Message-ID"]
    message.extra_headers["Message-ID"] = message_id
    status, error = EmailMessage.Status.SENT, ""
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        status, error = EmailMessage.Status.FAILED, f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        row = EmailMessage.objects.create(
            account=account, contact=contact, opportunity=opportunity, template=template,
            direction="out", sender=sender, to=address, subject=subject, body=body,
            message_id=message_id, status=status, error=error, sent_by=actor, at=now)
        audit.log(actor, f"sales.email.{status}", row, data={"to": address, "error": error})
        if status == EmailMessage.Status.SENT:
            _record_sent(actor, row, now)
    return row


def _require_consent(account: Account, contact: Contact | None, address: str, purpose: str,
                     field: str) -> None:
    """The consent gate: the person written to, and whoever else uses the address."""
    decisions = [consent.may_contact(contact or account, "email", purpose)]
    if not contact or address.lower() != (contact.email or "").strip().lower():
        decisions.append(consent.may_contact_address(address, "email", purpose))
    for decision in decisions:
        if not decision.allowed:
            raise FieldErrors({field: [_("This person may not receive this e-mail: %(reason)s")
                                       % {"reason": decision.reason}]})


def _record_sent(actor: User, row: EmailMessage, now: dt.datetime) -> None:
    Activity.objects.create(kind=Activity.Kind.EMAIL, subject=row.subject[:200],
                            body=row.body, status=Activity.Status.DONE, starts_at=now,
                            account=row.account, contact=row.contact,
                            opportunity=row.opportunity, owner=actor)


class SendFailed(DomainError):
    """The mail server refused or could not be reached; the message is kept as failed."""

    status = 502


def failed_message(row: EmailMessage) -> SendFailed:
    """What a page or the API says when the send failed."""
    return SendFailed(_("The e-mail could not be sent: %(error)s") % {"error": row.error},
                      code="send_failed")
