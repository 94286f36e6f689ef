"""Satisfaction surveys after a case is resolved. The case's resolution makes one survey (once
per case, however often it is resolved again) and e-mails a signed link (django.core.signing,
expiring) that needs no login. The answer is taken once; a detractor (NPS ≤ 6 or CSAT ≤ 2)
gives the team manager a follow-up task in the same transaction."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core import mail, signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.accounts.selectors import administrators
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.events import Event
from guanxi.core.tasks import background, later
from guanxi.sales import permissions as sales_perms
from guanxi.sales.services.tasks import create_task
from guanxi.service.models import Case, Survey

log = logging.getLogger(__name__)

SALT = "guanxi.service.survey"


def valid_days() -> int:
    """How long a survey link works (``GUANXI_SURVEY_DAYS``, default 14)."""
    return int(getattr(settings, "GUANXI_SURVEY_DAYS", 14))


def token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SALT, compress=True)


def survey_url(survey: Survey) -> str:
    base = getattr(settings, "GUANXI_SITE_URL", "").rstrip("/")
    return base + reverse("service_survey:answer", args=[token(survey)])


def _recipient(case: Case) -> str:
    contact = case.contact if case.contact_id else None
    if contact is not None and contact.email:
        return contact.email
    return case.requester_email


def survey_for(case: Case, now: dt.datetime | None = None) -> Survey | None:
    """The case's survey, made (and its e-mail queued) the first time it is resolved; None
    when nobody can be asked (no e-mail address)."""
    existing = Survey.objects.filter(case=case).first()
    if existing is not None:
        return existing
    email = _recipient(case)
    if not email:
        return None
    now = now or timezone.now()
    survey = Survey.objects.create(
        case=case, account_id=case.account_id, product_id=case.product_id,
        team_id=case.team_id, agent_id=case.assignee_id, email=email,
        expires_at=now + dt.timedelta(days=valid_days()))
    later(send_survey_task, survey.pk)
    return survey


def on_case_event(event: Event) -> None:
    """In the resolving transaction: a resolved case gets its survey (never twice)."""
    if event.type != "service.case.status_changed" or event.data.get("to") != "resolved":
        return
    case = event.subject
    if isinstance(case, Case):
        survey_for(case)


def deliver(survey_id: int) -> str:
    """E-mail the survey link; "sent", "failed" or "skipped" (sent already, answered)."""
    survey = Survey.objects.select_related("case", "account").filter(pk=survey_id).first()
    if survey is None or survey.sent_at or survey.answered_at or not survey.email:
        return "skipped"
    case = survey.case
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("How did we do? Case %(number)s") % {"number": case.number}
        body = "\n\n".join((
            _("Your case %(number)s (%(subject)s) has been resolved.")
            % {"number": case.number, "subject": case.subject},
            _("Please tell us how satisfied you are; it takes a minute and needs no login:"),
            survey_url(survey),
            _("The link works until %(date)s.") % {"date": timezone.localtime(
                survey.expires_at).date().isoformat()}))
    try:
        mail.EmailMessage(subject, body, from_email=settings.DEFAULT_FROM_EMAIL,
                          to=[survey.email]).send()
    except (OSError, smtplib.SMTPException):
        log.warning("survey %s e-mail failed", survey.pk, exc_info=True)
        return "failed"
    Survey.objects.filter(pk=survey.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return "sent"


@background()
def send_survey_task(survey_id: int) -> str:
    # Registered when the app starts (plugins import this module), so workers know it.
    return deliver(survey_id)


# --- Answering ---------------------------------------------------------------------------------

class LinkError(DomainError):
    """A survey link that cannot be used: ``code`` is "invalid", "expired" or "answered"."""

    status = 410


def open_link(raw: str, now: dt.datetime | None = None) -> Survey:
    """The survey a link names, or LinkError saying why it cannot be answered."""
    now = now or timezone.now()
    try:
        pk = signing.loads(raw, salt=SALT, max_age=dt.timedelta(days=valid_days()))
    except signing.SignatureExpired:
        raise LinkError(_("This survey link has expired."), code="expired") from None
    except signing.BadSignature:
        raise LinkError(_("This survey link is not valid. Please use the link from the "
                          "e-mail as it was sent."), code="invalid") from None
    survey = Survey.objects.select_related("case").filter(pk=pk).first()
    if survey is None:
        raise LinkError(_("This survey link is not valid. Please use the link from the "
                          "e-mail as it was sent."), code="invalid")
    if survey.answered_at is not None:
        raise LinkError(_("This survey was already answered. Thank you!"), code="answered")
    if survey.expires_at < now:
        raise LinkError(_("This survey link has expired."), code="expired")
    return survey


def _score(value: Any, low: int, high: int, field: str, errors: dict[str, list[str]]) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        errors[field] = [_("Choose a score from %(low)d to %(high)d.")
                         % {"low": low, "high": high}]
    return number


def _manager_of(survey: Survey) -> User | None:
    team = survey.team
    manager = team.manager if team is not None else None
    if manager is not None and manager.is_active:
        return manager
    return administrators().first()


def _follow_up(survey: Survey) -> Any:
    manager = _manager_of(survey)
    if manager is None:
        return None
    case = survey.case
    account = case.account if case.account_id and sales_perms.can_work_on(
        manager, case.account) else None
    title = _("Unhappy customer on case %(number)s: satisfaction %(csat)s/5, "
              "recommend %(nps)s/10") % {"number": case.number, "csat": survey.csat,
                                         "nps": survey.nps}
    notes = "\n\n".join(x for x in (survey.comment, getattr(settings, "GUANXI_SITE_URL", "")
                                    .rstrip("/") + reverse("service:case", args=[case.pk]))
                        if x)
    return create_task(manager, {"title": title[:200], "notes": notes,
                                 "due_at": timezone.now() + dt.timedelta(days=1),
                                 "priority": "high"}, assignee=manager, account=account)


def answer(raw: str, csat: Any, nps: Any, comment: str = "",
           now: dt.datetime | None = None) -> Survey:
    """Take the answer of the survey ``raw`` names: once, all or nothing."""
    now = now or timezone.now()
    survey = open_link(raw, now)
    errors: dict[str, list[str]] = {}
    csat_value = _score(csat, 1, 5, "csat", errors)
    nps_value = _score(nps, 0, 10, "nps", errors)
    comment = (comment or "").strip()[:5000]
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        taken = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            answered_at=now, csat=csat_value, nps=nps_value, comment=comment)
        if not taken:  # answered meanwhile in another tab
            raise LinkError(_("This survey was already answered. Thank you!"),
                            code="answered")
        survey.refresh_from_db()
        if survey.is_detractor:
            task = _follow_up(survey)
            if task is not None:
                Survey.objects.filter(pk=survey.pk).update(follow_up=task)
                survey.follow_up = task
        audit.log(None, "service.survey.answered", survey,
                  data={"case": survey.case.number, "csat": csat_value, "nps": nps_value,
                        "detractor": survey.is_detractor})
    return survey
