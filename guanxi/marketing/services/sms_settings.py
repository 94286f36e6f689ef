"""The SMS settings page's writes: the provider account (the secret kept when the form leaves
it empty, never read back out) and the approved templates, each text checked against the
length limit with the signature before it is saved."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.locking import check_version, save_versioned
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import SmsAccount, SmsTemplate
from guanxi.marketing.sms import config

ACCOUNT_FIELDS = ("provider", "key_id", "key_secret", "sign_name", "app_id", "region")
TEMPLATE_FIELDS = ("code", "name", "text", "active")
PARAMETER = re.compile(r"\$\{(\w+)\}|\{(\d+)\}")
CODE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


def _require(actor: Any) -> None:
    if not perms.can_manage_sms_settings(actor):
        raise Forbidden(_("Only marketing and administrators change the SMS settings."))


def mask(value: str) -> str:
    """A key as the settings page shows it: the last four characters only."""
    value = value or ""
    if len(value) <= 4:
        return "•" * len(value)
    return "•" * min(8, len(value) - 4) + value[-4:]


def parameters(text: str) -> list[str]:
    """The template's parameters in order: ``${name}`` (Alibaba Cloud) or ``{1}`` (Tencent)."""
    seen: list[str] = []
    for named, numbered in PARAMETER.findall(text or ""):
        name = named or numbered
        if name not in seen:
            seen.append(name)
    return seen


@transaction.atomic
def save_account(actor: Any, data: dict[str, Any], version: int | None = None) -> SmsAccount:
    """Set the provider account. An empty ``key_secret`` keeps the one stored."""
    _require(actor)
    data = {k: str(data.get(k) or "").strip() for k in ACCOUNT_FIELDS}
    current = SmsAccount.objects.select_for_update().order_by("pk").first()
    if current is not None:
        check_version(current, version)
    errors: dict[str, list[str]] = {}
    if data["provider"] not in SmsAccount.Provider.values:
        errors["provider"] = [_("Choose Alibaba Cloud or Tencent Cloud.")]
    if not data["key_id"]:
        errors["key_id"] = [_("Give the access key's ID.")]
    if not data["key_secret"]:
        if current is None:
            errors["key_secret"] = [_("Give the access key's secret.")]
        else:
            data["key_secret"] = current.key_secret
    if not data["sign_name"]:
        errors["sign_name"] = [_("Give the approved signature, e.g. 关系科技.")]
    elif len(data["sign_name"]) > 20 or "【" in data["sign_name"] or "】" in data["sign_name"]:
        errors["sign_name"] = [_("The signature is 2–20 characters, without 【 】.")]
    if data["provider"] == SmsAccount.Provider.TENCENT and not data["app_id"]:
        errors["app_id"] = [_("Tencent Cloud needs the SDK AppID of the SMS application.")]
    if errors:
        raise FieldErrors(errors)
    if current is None:
        return SmsAccount.objects.create(updated_by=actor, **data)
    save_versioned(current, version, {**data, "updated_by": actor})
    return current


def _template_errors(data: dict[str, Any], exclude: int | None) -> dict[str, list[str]]:
    from guanxi.marketing.services import sms

    errors: dict[str, list[str]] = {}
    if not CODE.match(data["code"]):
        errors["code"] = [_("The template code as the provider gave it: letters, digits, _ "
                            "and -, at most 40.")]
    elif SmsTemplate.objects.filter(code=data["code"]).exclude(pk=exclude or 0).exists():
        errors["code"] = [_("A template with this code exists.")]
    if not data["name"]:
        errors["name"] = [_("Give the template a name.")]
    try:
        sms.check(data["text"], config.sign_name())
    except FieldErrors as exc:
        errors["text"] = exc.errors["text"]
    return errors


def _template_data(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": str(data.get("code") or "").strip(),
            "name": str(data.get("name") or "").strip(),
            "text": str(data.get("text") or "").strip(),
            "active": bool(data.get("active", True))}


def create_template(actor: Any, data: dict[str, Any]) -> SmsTemplate:
    _require(actor)
    clean = _template_data(data)
    errors = _template_errors(clean, None)
    if errors:
        raise FieldErrors(errors)
    return SmsTemplate.objects.create(**clean)


def update_template(actor: Any, template: SmsTemplate, version: int | None,
                    data: dict[str, Any]) -> SmsTemplate:
    _require(actor)
    check_version(template, version)
    clean = _template_data(data)
    errors = _template_errors(clean, template.pk)
    if errors:
        raise FieldErrors(errors)
    save_versioned(template, version, clean)
    return template


def delete_template(actor: Any, template: SmsTemplate, version: int | None) -> None:
    _require(actor)
    check_version(template, version)
    template.delete()
