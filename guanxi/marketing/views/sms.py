"""The addresses Alibaba Cloud and Tencent Cloud push SMS delivery receipts and replies to:
``/marketing/sms/<provider>/<report|reply>/<secret>/``. The vendors do not sign their
pushes, so the address carries a secret (``GUANXI_SMS_CALLBACK_TOKEN``): a wrong one is
refused with 403 and nothing written, as is a body that is not the vendor's JSON (400)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guanxi.marketing.services import sms
from guanxi.marketing.sms import config


@csrf_exempt  # called by the SMS provider's servers, authenticated by the secret in the URL
@require_POST
def callback(request: HttpRequest, provider: str, kind: str, token: str) -> HttpResponse:
    if provider not in config.PROVIDERS or kind not in ("report", "reply"):
        return JsonResponse({"error": "not found"}, status=404)
    if not config.callback_token_ok(token):
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        payload = json.loads(request.body.decode("utf-8"))
        if kind == "report":
            sms.take_receipts(provider, payload)
        else:
            sms.take_replies(provider, payload)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError, AttributeError):
        return JsonResponse({"error": "bad request"}, status=400)
    return JsonResponse(config.provider(provider).callback_answer())
