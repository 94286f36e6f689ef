"""A campaign's message for one member: merge fields (the same safe engine as e-mail from the
record), the A/B subject, tracked links and the open pixel, the unsubscribe link and headers."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from guanxi.core.errors import FieldErrors
from guanxi.customers.models import Account, Contact
from guanxi.customers.services import consent
from guanxi.marketing.channels.base import Rendered
from guanxi.marketing.models import Campaign, CampaignLink, CampaignMember
from guanxi.sales.services.email import render_text

TRACK_SALT = "guanxi.marketing.track"
# The merge fields a campaign message may use.
MERGE_FIELDS = {
    "contact": ("name", "name_en", "title", "department", "email", "mobile"),
    "account": ("name", "name_en", "phone", "email", "website"),
    "campaign": ("name",),
}
URL_RE = re.compile(r"https?://[^\s<>\"'）)]+")
MESSAGE_FIELDS = ("subject_zh", "subject_en", "subject_b_zh", "subject_b_en", "body_zh",
                  "body_en")


def _values(obj: Any, names: tuple[str, ...]) -> dict[str, str]:
    if obj is None:
        return dict.fromkeys(names, "")
    return {n: "" if getattr(obj, n, None) is None else str(getattr(obj, n)) for n in names}


def merge_context(contact: Contact | None, account: Account | None,
                  campaign: Campaign | None) -> dict[str, dict[str, str]]:
    return {"contact": _values(contact or (account if account and account.kind == "person"
                                           else None), MERGE_FIELDS["contact"]),
            "account": _values(account, MERGE_FIELDS["account"]),
            "campaign": _values(campaign, MERGE_FIELDS["campaign"])}


def check_messages(campaign: Campaign, *, for_sending: bool = False) -> None:
    """Raise FieldErrors naming each message field with an unknown merge field or bad syntax;
    before sending, a channel with subjects needs one, and every message needs a body."""
    errors: dict[str, list[str]] = {}
    blank = merge_context(None, None, None)
    for name in MESSAGE_FIELDS:
        text = getattr(campaign, name) or ""
        try:
            _out, missing = render_text(text, blank, name)
        except FieldErrors as exc:
            errors |= exc.errors
            continue
        if missing:
            errors[name] = [_("Unknown merge field: %(names)s. Use one of %(known)s.") % {
                "names": ", ".join(f"{{{{ {m} }}}}" for m in missing),
                "known": ", ".join(f"{{{{ {k}.{f} }}}}" for k, fs in MERGE_FIELDS.items()
                                   for f in fs)}]
    if for_sending:
        from guanxi.marketing.channels import get_channel

        channel = get_channel(campaign.channel)
        if not (campaign.body_zh.strip() or campaign.body_en.strip()):
            errors.setdefault("body_zh", [_("Write the message in Chinese or English.")])
        if channel is not None and channel.has_subject and not (
                campaign.subject_zh.strip() or campaign.subject_en.strip()):
            errors.setdefault("subject_zh", [_("Write a subject.")])
        if channel is not None:
            for field, messages in channel.check_message(campaign).items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise FieldErrors(errors)


def _pick(campaign: Campaign, base: str, language: str) -> str:
    zh, en = getattr(campaign, f"{base}_zh"), getattr(campaign, f"{base}_en")
    return (en or zh) if language == "en" else (zh or en)


def track_token(member_id: int, link_id: int = 0) -> str:
    return signing.dumps([member_id, link_id], salt=TRACK_SALT, compress=True)


def read_track_token(token: str) -> tuple[int, int] | None:
    try:
        member_id, link_id = signing.loads(token, salt=TRACK_SALT)
        return int(member_id), int(link_id)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _site() -> str:
    return settings.GUANXI_SITE_URL.rstrip("/")


def link_ids(campaign: Campaign, text: str) -> dict[str, int]:
    """Each URL in ``text`` with its link row (made once per campaign and URL)."""
    out: dict[str, int] = {}
    for url in dict.fromkeys(URL_RE.findall(text)):
        link, _created = CampaignLink.objects.get_or_create(campaign=campaign, url=url[:2000])
        out[url] = link.pk
    return out


def render_member(campaign: Campaign, member: CampaignMember, contact: Contact | None,
                  account: Account, links: dict[str, int] | None = None) -> Rendered:
    """The member's message in their language, with tracked links, pixel and unsubscribe."""
    ctx = merge_context(contact, account, campaign)
    language = member.language
    subject_base = "subject_b" if member.variant == "B" and campaign.has_ab else "subject"
    subject, _m = render_text(_pick(campaign, subject_base, language), ctx, "subject")
    body, _m = render_text(_pick(campaign, "body", language), ctx, "body")
    subject = " ".join(subject.split())
    links = links if links is not None else link_ids(campaign, body)
    site = _site()

    def tracked(url: str) -> str:
        link_id = links.get(url)
        if not link_id:
            return url
        return site + reverse("marketing:click", args=[track_token(member.pk, link_id)])

    text = URL_RE.sub(lambda m: tracked(m.group(0)), body)
    token = consent.unsubscribe_token(contact or account, campaign_consent_channel(campaign),
                                      campaign.purpose, member.address)
    unsubscribe = consent.unsubscribe_url(token)
    footer = _("Unsubscribe: %(link)s") % {"link": unsubscribe}
    text = f"{text}\n\n--\n{footer}"
    html_body = URL_RE.sub(lambda m: f'<a href="{escape(tracked(m.group(0)))}">'
                                     f"{escape(m.group(0))}</a>", escape(body))
    pixel = site + reverse("marketing:open", args=[track_token(member.pk)])
    html = (f'<div style="white-space:pre-wrap">{html_body}</div>'
            f'<p style="font-size:12px;color:#666"><a href="{escape(unsubscribe)}">'
            f'{escape(_("Unsubscribe"))}</a></p>'
            f'<img src="{escape(pixel)}" width="1" height="1" alt="">')
    return Rendered(subject=subject, text=text, html=html,
                    headers=consent.unsubscribe_headers(token))


def campaign_consent_channel(campaign: Campaign) -> str:
    from guanxi.marketing.channels import get_channel

    channel = get_channel(campaign.channel)
    return channel.consent_channel if channel else "email"
