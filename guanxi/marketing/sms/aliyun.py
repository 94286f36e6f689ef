"""Alibaba Cloud SMS (dysmsapi, API version 2017-05-25): SendSms for one number, SendBatchSms
for several, RPC-style requests signed with HMAC-SHA1; receipts (SmsReport) and replies (SmsUp)
pushed to us as JSON arrays (HTTP batch push).

The signature: every parameter but ``Signature``, sorted by name, each name and value
percent-encoded (RFC 3986: space as %20, ``*`` as %2A, ``~`` kept), joined as
``k=v&k=v``; the string to sign is ``POST&%2F&`` + that string encoded once more; the
signature is base64(HMAC-SHA1(secret + "&", string to sign)).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

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

VERSION = "2017-05-25"


def encode(value: str) -> str:
    return quote(str(value), safe="~")


def canonical(params: Mapping[str, str]) -> str:
    return "&".join(f"{encode(k)}={encode(params[k])}" for k in sorted(params))


def signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    to_sign = f"{method}&{encode('/')}&{encode(canonical(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def local_number(phone: str) -> str:
    """Alibaba takes Chinese numbers without +86."""
    phone = phone.strip().replace(" ", "")
    return phone[3:] if phone.startswith("+86") else phone


class AliyunProvider(Provider):
    key = "aliyun"

    def default_endpoint(self) -> str:
        return "https://dysmsapi.aliyuncs.com/"

    def _common(self, action: str) -> dict[str, str]:
        return {
            "AccessKeyId": self.key_id, "Action": action, "Format": "JSON",
            "RegionId": self.region or "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
        }

    def send(self, request: SmsRequest) -> list[SendResult]:
        phones = [local_number(p) for p in request.phones]
        if len(phones) == 1:
            params = self._common("SendSms") | {
                "PhoneNumbers": phones[0], "SignName": request.sign_name,
                "TemplateCode": request.template_code,
                "TemplateParam": json.dumps(dict(request.params), ensure_ascii=False)}
            if request.out_id:
                params["OutId"] = request.out_id
        else:
            params = self._common("SendBatchSms") | {
                "PhoneNumberJson": json.dumps(phones),
                "SignNameJson": json.dumps([request.sign_name] * len(phones),
                                           ensure_ascii=False),
                "TemplateCode": request.template_code,
                "TemplateParamJson": json.dumps([dict(request.params)] * len(phones),
                                                ensure_ascii=False)}
        params["Signature"] = signature(params, self.secret)
        body = "&".join(f"{encode(k)}={encode(v)}" for k, v in params.items()).encode()
        _status, answer = self._post(self.endpoint, body, {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/json"})
        answer = answer if isinstance(answer, dict) else {}
        code = str(answer.get("Code") or "")
        if code != "OK":
            vendor = str(answer.get("Message") or "")
            raise SmsError(code or "unknown", errors.explain(errors.ALIYUN, code, vendor),
                           permanent=errors.permanent(code))
        biz_id = str(answer.get("BizId") or "")
        return [SendResult(phone, True, message_id=biz_id, code=code) for phone in phones]

    def receipts(self, payload: Any) -> list[Receipt]:
        out = []
        for item in as_list(payload):
            out.append(Receipt(
                phone=local_number(str(item.get("phone_number") or "")),
                delivered=item.get("success") in (True, "true", "True"),
                message_id=str(item.get("biz_id") or ""), out_id=str(item.get("out_id") or ""),
                code=str(item.get("err_code") or ""),
                description=str(item.get("err_msg") or ""),
                at=local_time(item.get("report_time") or "")))
        return out

    def replies(self, payload: Any) -> list[Reply]:
        return [Reply(phone=local_number(str(item.get("phone_number") or "")),
                      text=str(item.get("content") or ""),
                      at=local_time(item.get("send_time") or ""),
                      sign_name=str(item.get("sign_name") or ""))
                for item in as_list(payload)]

    def callback_answer(self) -> dict[str, Any]:
        return {"code": 0, "msg": "接收成功"}
