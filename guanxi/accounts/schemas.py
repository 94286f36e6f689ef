"""API shapes of the signed-in user and their API tokens."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from guanxi.core.schemas import Int


class TeamRef(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    roles: list[str]
    team: TeamRef | None
    language: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_codes)


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.is_active


class TokenCreated(TokenOut):
    secret: str = Field(description="Shown only now: store it, it cannot be read again.")


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    scope: str = Field("read", description="read or write")
    days: Int | None = Field(None, description="Days until it expires, from 1 to the site's "
                                               "maximum (every token expires). Default: the "
                                               "site's setting.")
