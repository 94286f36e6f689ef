"""The REST API root: authentication, error format, and each app's router."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from guanxi.accounts.services import authenticate_token
from guanxi.core.errors import DomainError, Forbidden

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _token_user(request: HttpRequest, secret: str):
    user = authenticate_token(secret)
    if user is None:
        return None
    if request.method not in SAFE_METHODS and user.api_token.scope != "write":
        raise Forbidden(_("This token may only read. Create a read-write token to change "
                          "data."), code="read_only_token")
    request.user = user
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return _token_user(request, token)


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        return _token_user(request, key or "")


class BrowserSession(SessionAuth):
    """The signed-in browser session, CSRF-checked on writes. Without a session cookie there
    is nothing to forge: skip the check, so a client with a bad or revoked token hears 401,
    not a CSRF error."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


# Every operation may answer these, always as an ``Error``: a business rule (400), no or a bad
# token (401), not allowed (403), missing or not visible (404), a stale version (409), an
# invalid value (422).
ERRORS = {"400": "Refused by a business rule", "401": "Not signed in",
          "403": "Not allowed", "404": "Not found", "409": "Changed meanwhile, or a conflict",
          "422": "Some fields are invalid"}
ERROR_SCHEMA = {
    "type": "object", "title": "Error", "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string", "description": "What is wrong, in the user's language"},
        "code": {"type": "string", "description": "A stable code such as not_found, invalid"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}],
                  "description": "The input at fault"},
        "errors": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}},
            "description": "Messages by input name"},
    },
}


class GuanxiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict | None = None):
        """The document, with the error answers every operation shares."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    responses.setdefault(status, {"description": description, **error})
        return schema


api = GuanxiAPI(
    title="Guanxi API",
    version="1",
    description="Customers, contacts, search, approvals, pool, custom fields and tokens; sales; "
                "analytics; data in and out; quote to cash (products, quotes, tenders, "
                "contracts, orders, shipments, invoices, payments, receivables, expenses). "
                "Authenticate with `Authorization: Bearer gx_…` (create a token under "
                "Settings → API tokens) or a browser session with its CSRF token. Every write "
                "that edits a record takes the `version` you read and answers 409 if the "
                "record changed meanwhile. Send `Idempotency-Key: <unique id>` with a POST to "
                "make a retry safe: within 24 hours the same key answers the first answer "
                "again (header `Idempotent-Replayed: true`) instead of creating a second "
                "record; the same key with another body answers 422 "
                "(`idempotency_key_reused`); answers holding a secret shown once (a new token "
                "or webhook secret) are not replayed (409).",
    auth=[BearerToken(), HeaderToken(), BrowserSession()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("body", "query", "path",
                                                                  "payload", "data")]
        errors.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "invalid"))
    field = next(iter(errors), None)
    return api.create_response(
        request, {"detail": _("Some fields are invalid."), "code": "invalid", "field": field,
                  "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": _("Sign in or send a valid API token."),
                  "code": "not_authenticated"}, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "code": "error"},
                               status=exc.status_code)


from guanxi.accounts.api import router as accounts_router  # noqa: E402
from guanxi.analytics.api import router as analytics_router  # noqa: E402
from guanxi.core.api import router as core_router  # noqa: E402
from guanxi.customers.api import router as customers_router  # noqa: E402
from guanxi.integrations.api import router as integrations_router  # noqa: E402
from guanxi.marketing.api import router as marketing_router  # noqa: E402
from guanxi.marketing.channels_api import router as marketing_channels_router  # noqa: E402
from guanxi.marketing.greetings_api import router as greetings_router  # noqa: E402
from guanxi.orders.api import router as orders_router  # noqa: E402
from guanxi.sales.api import router as sales_router  # noqa: E402
from guanxi.service.api import router as service_router  # noqa: E402

api.add_router("", customers_router)
api.add_router("", core_router)
api.add_router("", accounts_router)
api.add_router("", sales_router)
api.add_router("", analytics_router)
api.add_router("", integrations_router)
api.add_router("", orders_router)
api.add_router("", service_router)
api.add_router("", marketing_router)
api.add_router("", greetings_router)
api.add_router("", marketing_channels_router)
