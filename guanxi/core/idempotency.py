"""``Idempotency-Key`` for API writes: a client that retries a POST (a timeout, a dropped
connection) with the same key gets the first answer again instead of a second record.

The key is the caller's (user, key, method, path). Its row is inserted first, in the
transaction that runs the request, so of two concurrent requests with one key the second waits
on the unique constraint and then replays the first's answer. Successful answers (2xx) are
stored for ``KEEP``; any other answer drops the key so the client may retry with it. A retry
whose body differs answers 422. Views that answer a secret shown once (a new API token) call
``forget_answer``: a retry then answers 409 instead of the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = dt.timedelta(hours=24)
MAX_LENGTH = 255
WITHHELD = "withheld"  # content type stored in place of an answer that must not be replayed


def forget_answer(request: HttpRequest) -> None:
    """The view's answer holds a secret: keep the key, never the answer."""
    request._idempotency_secret = True  # type: ignore[attr-defined]


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        # The boundary differs between two sendings of the same form: hash what it carries.
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.content_type.encode() + b"\n" + request.body)
    return digest.hexdigest()


def _caller(request: HttpRequest):
    """The user the API will act for (token first, then the session, as the API decides)."""
    from guanxi.accounts.services import authenticate_token

    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
    for candidate in (secret, request.headers.get("X-API-Key", "")):
        user = authenticate_token(candidate) if candidate else None
        if user is not None:
            return user, False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, True
    return None, False


def _error(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, "field": HEADER,
                         "errors": {HEADER: [detail]}}, status=status)


def _replay(row) -> HttpResponse:
    if row.content_type == WITHHELD:
        response: HttpResponse = _error(
            _("This request was already answered, with a secret that is shown only once."),
            "idempotency_secret_shown", 409)
    else:
        response = HttpResponse(bytes(row.body), status=row.status,
                                content_type=row.content_type or None)
    response[REPLAYED] = "true"
    return response


class IdempotencyMiddleware:
    """Honours ``Idempotency-Key`` on POST requests to the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key or len(key) > MAX_LENGTH or not key.isascii() or not key.isprintable():
            return _error(_("The Idempotency-Key header must be 1 to %(max)s printable "
                            "ASCII characters.") % {"max": MAX_LENGTH}, "invalid", 422)
        user, by_session = _caller(request)
        if user is None:  # the API answers 401 or 403 itself
            return self.get_response(request)
        return self._handle(request, user, by_session, key)

    def _handle(self, request: HttpRequest, user, by_session: bool, key: str) -> HttpResponse:
        from ninja.utils import check_csrf

        from guanxi.core.models import IdempotencyKey

        ident = {"user": user, "key": key, "method": request.method or "", "path": request.path}
        print_ = fingerprint(request)
        with transaction.atomic():
            row = self._claim(IdempotencyKey, ident, print_)
            if row.status is not None:  # answered before
                if by_session and check_csrf(request) is not None:
                    row = None  # let the API answer the CSRF failure, below
                elif row.fingerprint != print_:
                    return _error(_("This Idempotency-Key was used with another request "
                                    "body; use a new key for a new request."),
                                  "idempotency_key_reused", 422)
                else:
                    return _replay(row)
            else:
                response = self.get_response(request)
                self._keep(row, request, response)
                return response
        return self.get_response(request)

    @staticmethod
    def _keep(row, request: HttpRequest, response: HttpResponse) -> None:
        status = response.status_code
        if transaction.get_rollback():
            return  # a failed query already dooms the transaction, the key row with it
        if status >= 500:
            transaction.set_rollback(True)  # nothing half done stays behind
        elif status >= 300 or isinstance(response, StreamingHttpResponse):
            row.delete()  # not an answer to keep: the key may be used again
        elif getattr(request, "_idempotency_secret", False):
            row.status, row.content_type = status, WITHHELD
            row.save(update_fields=["status", "content_type"])
        else:
            row.status, row.body = status, response.content
            row.content_type = response.get("Content-Type", "")[:100]
            row.save(update_fields=["status", "body", "content_type"])

    @staticmethod
    def _claim(model, ident: dict, print_: str):
        """Insert the key row, or return the stored one (waiting for a concurrent request
        holding the key to finish). An expired row is replaced."""
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    return model.objects.create(fingerprint=print_, **ident)
            except IntegrityError:
                row = model.objects.filter(**ident).first()
                if row is None:  # its request failed meanwhile: the key is free again
                    continue
                if row.created_at >= timezone.now() - KEEP:
                    return row
                row.delete()
        return model.objects.create(fingerprint=print_, **ident)


def purge(*, now: dt.datetime | None = None) -> int:
    """Forget keys older than ``KEEP``."""
    from guanxi.core.models import IdempotencyKey

    deleted, _count = IdempotencyKey.objects.filter(
        created_at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
