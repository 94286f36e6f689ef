"""Reads of SMS for the settings page and a campaign's receipts and replies."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from guanxi.marketing.models import Campaign, SmsAccount, SmsMessage, SmsReply, SmsTemplate
from guanxi.marketing.services.sms_settings import mask, parameters
from guanxi.marketing.sms import config


def account_view() -> dict[str, Any]:
    """The provider account as the page shows it: keys masked, the secret never."""
    account = SmsAccount.objects.order_by("pk").first()
    env = config.conf()
    if account is None:
        return {"account": None, "from_environment": bool(env.get("provider")),
                "provider": env.get("provider") or "", "key_id": mask(env.get("key_id") or ""),
                "secret_set": bool(env.get("key_secret")),
                "sign_name": env.get("sign_name") or "", "app_id": env.get("app_id") or "",
                "region": env.get("region") or ""}
    return {"account": account, "from_environment": False, "provider": account.provider,
            "key_id": mask(account.key_id), "secret_set": bool(account.key_secret),
            "sign_name": account.sign_name, "app_id": account.app_id, "region": account.region}


def templates() -> list[dict[str, Any]]:
    from guanxi.marketing.services import sms

    out = []
    for t in SmsTemplate.objects.all():
        full = sms.full_text(t.text, config.sign_name())
        out.append({"t": t, "parameters": parameters(t.text), "length": len(full)})
    return out


def campaign_messages(campaign: Campaign, status: str = "",
                      limit: int = 200) -> QuerySet[SmsMessage]:
    rows = SmsMessage.objects.filter(member__campaign=campaign).select_related("account")
    if status in SmsMessage.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-sent_at", "-id")[:limit]


def campaign_status_counts(campaign: Campaign) -> dict[str, int]:
    counts = dict(SmsMessage.objects.filter(member__campaign=campaign).values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in SmsMessage.Status.values}


def campaign_replies(campaign: Campaign, limit: int = 200) -> QuerySet[SmsReply]:
    return SmsReply.objects.filter(message__member__campaign=campaign) \
        .select_related("message", "message__account").order_by("-received_at", "-id")[:limit]
