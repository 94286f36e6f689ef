"""Stand-ins for Alibaba Cloud's and Tencent Cloud's SMS APIs on loopback, speaking their
documented requests and answers: they check the request signature the way the vendors do
(computed here independently of the adapters), the approved signatures and templates, the
numbers, and answer with the vendors' JSON, error codes included. Every request received is
kept in ``requests``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote

KEY_ID, SECRET = "LTAI-test-key", "test-secret-value"
APP_ID = "1400006666"
SIGNS = {"关系科技"}
TEMPLATES = {"SMS_100001": ["name", "product"], "1100001": ["1", "2"]}
LIMITED = {"13900000009", "+8613900000009"}  # numbers over their daily limit
MOBILE = re.compile(r"^(\+86)?1[3-9]\d{9}$")


class VendorServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.requests: list[dict[str, Any]] = []
        handler.server_ref = self  # type: ignore[attr-defined]
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Base(BaseHTTPRequestHandler):
    server_ref: VendorServer

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _pct(text: str) -> str:
    return quote(text, safe="-_.~", encoding="utf-8")


class AliyunHandler(_Base):
    """dysmsapi RPC: form-encoded POST, HMAC-SHA1 signature over the sorted parameters."""

    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        params = dict(parse_qsl(raw, keep_blank_values=True))
        self.server_ref.requests.append(params)
        rid = "F655A8D5-B967-440B-8683-DAD6FF8DE990"
        given = params.pop("Signature", "")
        if params.get("AccessKeyId") != KEY_ID:
            return self._answer(404, {"RequestId": rid, "Code": "InvalidAccessKeyId.NotFound",
                                      "Message": "Specified access key is not found."})
        query = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params.items()))
        to_sign = "POST&%2F&" + _pct(query)
        expected = base64.b64encode(hmac.new((SECRET + "&").encode(), to_sign.encode(),
                                             hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(given, expected):
            return self._answer(400, {"RequestId": rid, "Code": "SignatureDoesNotMatch",
                                      "Message": "Specified signature is not matched with our "
                                                 "calculation."})
        for key in ("Format", "SignatureMethod", "SignatureVersion", "Version", "Timestamp",
                    "SignatureNonce"):
            if not params.get(key):
                return self._answer(400, {"RequestId": rid, "Code": "MissingParameter",
                                          "Message": f"{key} is mandatory"})
        if params["Action"] == "SendSms":
            phones = params.get("PhoneNumbers", "").split(",")
            signs = [params.get("SignName", "")]
            template_params = [json.loads(params.get("TemplateParam") or "{}")]
        elif params["Action"] == "SendBatchSms":
            phones = json.loads(params["PhoneNumberJson"])
            signs = json.loads(params["SignNameJson"])
            template_params = json.loads(params["TemplateParamJson"])
        else:
            return self._answer(400, {"RequestId": rid, "Code": "InvalidAction.NotFound",
                                      "Message": "Specified api is not found."})

        def fail(code: str, message: str) -> None:
            self._answer(200, {"RequestId": rid, "Code": code, "Message": message})

        if any(not MOBILE.match(p) for p in phones):
            return fail("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if any(s not in SIGNS for s in signs):
            return fail("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法")
        needed = TEMPLATES.get(params.get("TemplateCode", ""))
        if needed is None:
            return fail("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法")
        if any(set(needed) - set(tp) for tp in template_params):
            return fail("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        if any(p in LIMITED for p in phones):
            return fail("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
        n = len(self.server_ref.requests)
        self._answer(200, {"RequestId": rid, "Code": "OK", "Message": "OK",
                           "BizId": f"90061974693649{n:02d}^0"})


class TencentHandler(_Base):
    """SMS API 3.0: JSON POST signed with TC3-HMAC-SHA256 in the Authorization header."""

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.loads(body.decode())
        self.server_ref.requests.append({"headers": dict(self.headers), "body": payload})
        rid = "a0aabda6-cf91-4f3e-a2cd-6a3e1f2b7c11"

        def error(code: str, message: str) -> None:
            self._answer(200, {"Response": {"Error": {"Code": code, "Message": message},
                                            "RequestId": rid}})

        auth = self.headers.get("Authorization", "")
        found = re.match(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/"
                         r"tc3_request, SignedHeaders=content-type;host, Signature=([0-9a-f]+)$",
                         auth)
        if not found:
            return error("AuthFailure.InvalidAuthorization", "Authorization header malformed")
        secret_id, date, given = found.groups()
        if secret_id != KEY_ID:
            return error("AuthFailure.SecretIdNotFound", "The SecretId is not found")
        timestamp = self.headers.get("X-TC-Timestamp", "")
        if dt.datetime.fromtimestamp(int(timestamp), dt.UTC).strftime("%Y-%m-%d") != date:
            return error("AuthFailure.SignatureFailure", "date does not match the timestamp")
        canonical = (f"POST\n/\n\ncontent-type:{self.headers.get('Content-Type')}\n"
                     f"host:{self.headers.get('Host')}\n\ncontent-type;host\n"
                     + hashlib.sha256(body).hexdigest())
        to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n"
                   + hashlib.sha256(canonical.encode()).hexdigest())
        key = hmac.new(("TC3" + SECRET).encode(), date.encode(), hashlib.sha256).digest()
        key = hmac.new(key, b"sms", hashlib.sha256).digest()
        key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given, expected):
            return error("AuthFailure.SignatureFailure",
                         "The provided credentials could not be validated.")
        if self.headers.get("X-TC-Action") != "SendSms" or \
                self.headers.get("X-TC-Version") != "2021-01-11":
            return error("InvalidAction", "action or version not supported")
        if payload.get("SmsSdkAppId") != APP_ID:
            return error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist")
        if payload.get("SignName") not in SIGNS:
            return error("FailedOperation.SignatureIncorrectOrUnapproved",
                         "signature format is incorrect or signature is not approved")
        needed = TEMPLATES.get(payload.get("TemplateId", ""))
        if needed is None:
            return error("FailedOperation.TemplateIncorrectOrUnapproved",
                         "template format is incorrect or template is not approved")
        if len(payload.get("TemplateParamSet") or []) != len(needed):
            return error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                         "request content does not match template content")
        statuses = []
        for n, phone in enumerate(payload.get("PhoneNumberSet") or []):
            if not MOBILE.match(phone):
                code, msg = "InvalidParameterValue.IncorrectPhoneNumber", "incorrect number"
            elif phone in LIMITED:
                code, msg = "LimitExceeded.PhoneNumberDailyLimit", "daily limit"
            else:
                code, msg = "Ok", "send success"
            statuses.append({"SerialNo": f"5000:1045710669157053657849499{n}" if code == "Ok"
                             else "", "PhoneNumber": phone, "Fee": 1 if code == "Ok" else 0,
                             "SessionContext": payload.get("SessionContext", ""), "Code": code,
                             "Message": msg, "IsoCode": "CN"})
        self._answer(200, {"Response": {"SendStatusSet": statuses, "RequestId": rid}})
