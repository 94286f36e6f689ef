"""The one SMS interface: a provider sends a template message to phone numbers and reads the
delivery receipts and replies its servers push back. Alibaba Cloud and Tencent Cloud adapters
implement it (``aliyun.py``, ``tencent.py``); ``config.provider()`` picks one from the
environment.

Chinese SMS go out as approved templates: a signature (签名, shown as 【…】 before the text),
a template code and the template's parameters. ``text`` is the message as the template renders
it, kept for the length check and the record.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

SINGLE, PART = 70, 67  # characters of one SMS with any Chinese, and of each part of a long one
SINGLE_GSM, PART_GSM = 160, 153  # the same for plain Latin text (GSM 7-bit)
UNSUBSCRIBE_WORDS = frozenset({"退订", "TD", "T", "N", "取消", "UNSUBSCRIBE", "STOP"})


class SmsError(Exception):
    """A send refused before or by the provider: ``code`` is the provider's (or ours),
    ``message`` says what to do in the reader's language; ``permanent`` when retrying the same
    request cannot help (a bad number, an unapproved template)."""

    def __init__(self, code: str, message: str, *, permanent: bool = True) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.permanent = code, message, permanent


@dataclass(frozen=True)
class SmsRequest:
    phones: list[str]
    sign_name: str
    template_code: str
    params: Mapping[str, str] = field(default_factory=dict)  # in the template's order
    text: str = ""
    out_id: str = ""  # our id, echoed in receipts


@dataclass(frozen=True)
class SendResult:
    """One number's outcome: ``message_id`` (Alibaba's BizId, Tencent's SerialNo) finds the
    receipt again."""

    phone: str
    ok: bool
    message_id: str = ""
    code: str = ""
    message: str = ""
    permanent: bool = False


@dataclass(frozen=True)
class Receipt:
    phone: str
    delivered: bool
    message_id: str = ""
    out_id: str = ""
    code: str = ""
    description: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Reply:
    phone: str
    text: str
    at: dt.datetime | None = None
    sign_name: str = ""

    @property
    def unsubscribes(self) -> bool:
        """"退订", "TD", "T" (any case, spaces and punctuation around) withdraw consent."""
        word = self.text.strip().strip("。.!！ ").upper()
        return word in UNSUBSCRIBE_WORDS


def parts(text: str) -> int:
    """How many SMS ``text`` takes: 70 characters in one when any is not plain Latin (UCS-2),
    67 per part when longer; 160 and 153 for plain Latin text."""
    n = len(text)
    latin = all(ord(c) < 128 for c in text)
    single, part = (SINGLE_GSM, PART_GSM) if latin else (SINGLE, PART)
    return 1 if n <= single else -(-n // part)


def check_length(text: str, max_parts: int) -> None:
    """Refuse a message longer than ``max_parts`` SMS, saying by how much."""
    if not text.strip():
        raise SmsError("empty", _("The SMS has no text."))
    count = parts(text)
    if count > max_parts:
        latin = all(ord(c) < 128 for c in text)
        limit = (SINGLE_GSM if latin else SINGLE) if max_parts == 1 else \
            (PART_GSM if latin else PART) * max_parts
        raise SmsError("too_long", _(
            "The SMS is %(length)s characters with the signature: %(parts)s messages. At most "
            "%(limit)s characters (%(max)s messages; 70 characters for one message with "
            "Chinese, 67 for each part of a longer one) may be sent.") % {
                "length": len(text), "parts": count, "limit": limit, "max": max_parts})


class Provider:
    """Subclass per vendor. ``endpoint`` is the vendor's API address (a test server's on
    loopback in tests)."""

    key: ClassVar[str] = ""
    timeout: ClassVar[float] = 10.0

    def __init__(self, *, key_id: str, secret: str, endpoint: str = "", region: str = "",
                 app_id: str = "") -> None:
        self.key_id, self.secret = key_id, secret
        self.endpoint = endpoint or self.default_endpoint()
        self.region, self.app_id = region, app_id

    def default_endpoint(self) -> str:
        raise NotImplementedError

    def send(self, request: SmsRequest) -> list[SendResult]:
        """Send; one result per number. Raises SmsError when the whole request is refused."""
        raise NotImplementedError

    def receipts(self, payload: Any) -> list[Receipt]:
        """Delivery receipts from a callback's parsed JSON body."""
        raise NotImplementedError

    def replies(self, payload: Any) -> list[Reply]:
        """Replies from a callback's parsed JSON body."""
        raise NotImplementedError

    def callback_answer(self) -> dict[str, Any]:
        """The body the vendor expects back from a callback it pushed."""
        raise NotImplementedError

    # --- HTTP ----------------------------------------------------------------------------

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        """POST and read the JSON answer, also of an error status (vendors put the error
        code in it). Network failures are temporary SmsErrors."""
        if not url.startswith(("https://", "http://")):
            raise SmsError("endpoint", _("The SMS endpoint must be an http(s) address."))
        req = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310
                                     method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:  # noqa: S310
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (OSError, urllib.error.URLError) as exc:
            raise SmsError("network", _("The SMS service could not be reached: %(error)s")
                           % {"error": exc}, permanent=False) from exc
        try:
            return status, json.loads(raw.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SmsError("bad_answer", _("The SMS service answered with HTTP %(status)s and "
                                           "no readable body.") % {"status": status},
                           permanent=False) from exc


def as_list(payload: Any) -> list[dict[str, Any]]:
    """Callbacks push one object or a list of them."""
    if isinstance(payload, dict):
        return [payload]
    if isinstance(payload, list) and all(isinstance(p, dict) for p in payload):
        return payload
    raise ValueError("expected a JSON object or a list of objects")


def local_time(text: str) -> dt.datetime | None:
    """"2026-12-07 20:03:04" in China time (the vendors' receipts), as an aware datetime."""
    try:
        return dt.datetime.strptime(f"{str(text).strip()} +0800", "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None
