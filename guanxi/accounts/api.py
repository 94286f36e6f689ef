"""REST endpoints for the signed-in user: who am I, and my API tokens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from guanxi.accounts import selectors, services
from guanxi.accounts.schemas import MeOut, TokenCreated, TokenIn, TokenOut
from guanxi.core.access import get_visible
from guanxi.core.idempotency import forget_answer
from guanxi.core.schemas import Id

router = Router(tags=["me"])


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    return request.auth


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest):
    return list(selectors.tokens_of(request.auth))


@router.post("/tokens", response={201: TokenCreated})
def create_token(request: HttpRequest, payload: TokenIn):
    days = payload.days
    if days is None and "days" in payload.model_fields_set:
        days = 0  # an explicit null asks for no expiry, which is refused
    token, secret = services.create_token(request.auth, payload.name, payload.scope, days)
    token.secret = secret
    forget_answer(request)  # the secret is shown once, never replayed
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: Id):
    """Revoke one of your own tokens; it stops working at once."""
    token = get_visible(selectors.tokens_of(request.auth), pk=token_id)
    services.revoke_token(request.auth, token)
    return Status(204, None)
