"""Which SMS provider, with which keys: from the environment (``GUANXI_SMS_*``, read into
``settings.GUANXI_SMS`` by ``guanxi/settings.py``).

    GUANXI_SMS_PROVIDER        aliyun | tencent (empty: SMS off)
    GUANXI_SMS_KEY_ID          AccessKeyId / SecretId
    GUANXI_SMS_KEY_SECRET      AccessKeySecret / SecretKey
    GUANXI_SMS_SIGN_NAME       the approved signature (签名), e.g. 关系科技
    GUANXI_SMS_APP_ID          Tencent's SmsSdkAppId
    GUANXI_SMS_REGION          cn-hangzhou / ap-guangzhou by default
    GUANXI_SMS_ENDPOINT        the API address, when not the vendor's public one
    GUANXI_SMS_CALLBACK_TOKEN  the secret in the receipt and reply callback addresses
    GUANXI_SMS_MAX_PARTS       longest message, in SMS (default 3: 201 Chinese characters)
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from guanxi.marketing.sms.aliyun import AliyunProvider
from guanxi.marketing.sms.base import Provider, SmsError
from guanxi.marketing.sms.tencent import TencentProvider

PROVIDERS: dict[str, type[Provider]] = {"aliyun": AliyunProvider, "tencent": TencentProvider}


def conf() -> dict[str, Any]:
    """The environment's settings, with the account set on the SMS settings page (when one
    is) in place of its provider, keys, signature, app id and region."""
    c = dict(getattr(settings, "GUANXI_SMS", {}) or {})
    from guanxi.marketing.models import SmsAccount

    account = SmsAccount.objects.order_by("pk").first()
    if account is not None:
        c |= {"provider": account.provider, "key_id": account.key_id,
              "key_secret": account.key_secret, "sign_name": account.sign_name,
              "app_id": account.app_id, "region": account.region}
    return c


def provider(key: str | None = None) -> Provider:
    """The configured provider (or ``key``'s, for a callback), with the configured keys."""
    c = conf()
    name = key or c.get("provider") or ""
    cls = PROVIDERS.get(name)
    if cls is None:
        raise SmsError("not_configured", _("SMS is not set up: set GUANXI_SMS_PROVIDER to "
                                           "aliyun or tencent, and its keys."))
    return cls(key_id=c.get("key_id", ""), secret=c.get("key_secret", ""),
               endpoint=c.get("endpoint", ""), region=c.get("region", ""),
               app_id=c.get("app_id", ""))


def sign_name() -> str:
    return str(conf().get("sign_name") or "")


def max_parts() -> int:
    return int(conf().get("max_parts") or 3)


def callback_token_ok(token: str) -> bool:
    """The vendors do not sign their pushes; the callback address carries a secret instead.
    Without one configured, every callback is refused."""
    expected = str(conf().get("callback_token") or "")
    return bool(expected) and hmac.compare_digest(expected.encode(), (token or "").encode())
