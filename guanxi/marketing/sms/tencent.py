"""Tencent Cloud SMS (API 3.0, version 2021-01-11): SendSms for up to 200 numbers, a JSON POST
signed with TC3-HMAC-SHA256; status reports and replies pushed to us as JSON.

The signature (signature v3): the canonical request ``POST\\n/\\n\\n`` + the signed headers
``content-type`` and ``host`` + the body's SHA-256; the string to sign names the algorithm, the
time stamp, the credential scope ``<date>/sms/tc3_request`` and the canonical request's
SHA-256; the key is derived HMAC by HMAC from "TC3" + secret key over the date, the service
and "tc3_request".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

from guanxi.marketing.sms import errors
from guanxi.marketing.sms.base import (
    Provider,
    Receipt,
    Reply,
    SendResult,
    SmsError,
    SmsRequest,
    as_list,
    local_time,
)

VERSION = "2021-01-11"
SERVICE = "sms"
CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(secret_id: str, secret_key: str, host: str, body: bytes,
                  timestamp: int) -> str:
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:{CONTENT_TYPE}", f"host:{host}", "",
                           "content-type;host", hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{SERVICE}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
            f"Signature={sig}")


def e164(phone: str) -> str:
    """Tencent takes +86 numbers (E.164)."""
    phone = phone.strip().replace(" ", "")
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentProvider(Provider):
    key = "tencent"

    def default_endpoint(self) -> str:
        return "https://sms.tencentcloudapi.com/"

    def send(self, request: SmsRequest) -> list[SendResult]:
        payload = {"PhoneNumberSet": [e164(p) for p in request.phones],
                   "SmsSdkAppId": self.app_id, "SignName": request.sign_name,
                   "TemplateId": request.template_code,
                   "TemplateParamSet": [str(v) for v in request.params.values()],
                   "SessionContext": request.out_id}
        body = json.dumps(payload, ensure_ascii=False).encode()
        host = urlsplit(self.endpoint).netloc
        now = int(time.time())
        _status, answer = self._post(self.endpoint, body, {
            "Authorization": authorization(self.key_id, self.secret, host, body, now),
            "Content-Type": CONTENT_TYPE, "Host": host, "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(now), "X-TC-Version": VERSION,
            "X-TC-Region": self.region or "ap-guangzhou"})
        response = (answer or {}).get("Response") if isinstance(answer, dict) else None
        if not isinstance(response, dict):
            raise SmsError("bad_answer", errors.explain(errors.TENCENT, "bad_answer",
                                                        "no Response"), permanent=False)
        if "Error" in response:
            code = str(response["Error"].get("Code") or "")
            raise SmsError(code, errors.explain(errors.TENCENT, code,
                                                str(response["Error"].get("Message") or "")),
                           permanent=errors.permanent(code))
        out = []
        for item in response.get("SendStatusSet") or []:
            code = str(item.get("Code") or "")
            ok = code == "Ok"
            out.append(SendResult(
                phone=str(item.get("PhoneNumber") or ""), ok=ok,
                message_id=str(item.get("SerialNo") or ""), code=code,
                message="" if ok else errors.explain(errors.TENCENT, code,
                                                     str(item.get("Message") or "")),
                permanent=not ok and errors.permanent(code)))
        return out

    def receipts(self, payload: Any) -> list[Receipt]:
        return [Receipt(
            phone=e164(f"+{item.get('nationcode') or '86'}{item.get('mobile') or ''}"),
            delivered=str(item.get("report_status") or "").upper() == "SUCCESS",
            message_id=str(item.get("sid") or ""),
            out_id=str((item.get("ext") or {}).get("SessionContext") or "")
            if isinstance(item.get("ext"), dict) else "",
            code=str(item.get("errmsg") or ""), description=str(item.get("description") or ""),
            at=local_time(item.get("user_receive_time") or ""))
            for item in as_list(payload)]

    def replies(self, payload: Any) -> list[Reply]:
        out = []
        for item in as_list(payload):
            stamp = item.get("time")
            at = dt.datetime.fromtimestamp(int(stamp), dt.UTC) if str(stamp or "").isdigit() \
                else None
            out.append(Reply(phone=e164(f"+{item.get('nationcode') or '86'}"
                                        f"{item.get('mobile') or ''}"),
                             text=str(item.get("text") or ""), at=at,
                             sign_name=str(item.get("sign") or "")))
        return out

    def callback_answer(self) -> dict[str, Any]:
        return {"result": 0, "errmsg": "OK"}
