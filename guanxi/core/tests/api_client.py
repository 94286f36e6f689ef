"""A small JSON client for API tests: one per persona, signed in by session or token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


class Api:
    def __init__(self, user=None, token: str | None = None, csrf: bool = False) -> None:
        self.client = Client(enforce_csrf_checks=csrf)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if user is not None and token is None:
            self.client.force_login(user)

    def _send(self, method: str, path: str, body: Any = None, **params: Any):
        url = path if path.startswith("/") else f"/api/{path}"
        if params:
            from urllib.parse import urlencode
            url += "?" + urlencode(params, doseq=True)
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs |= {"data": json.dumps(body, default=str),
                       "content_type": "application/json"}
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path: str, **params: Any):
        return self._send("get", path, **params)

    def post(self, path: str, body: Any = None, **params: Any):
        return self._send("post", path, {} if body is None else body, **params)

    def put(self, path: str, body: Any = None, **params: Any):
        return self._send("put", path, {} if body is None else body, **params)

    def patch(self, path: str, body: Any = None, **params: Any):
        return self._send("patch", path, {} if body is None else body, **params)

    def delete(self, path: str, **params: Any):
        return self._send("delete", path, **params)


def as_(user=None, scope: str | None = None, csrf: bool = False) -> Api:
    """A client signed in as ``user`` by session (anonymous for None), or with a fresh API
    token of ``scope`` ("read" or "write")."""
    if scope is not None:
        from guanxi.accounts.services import create_token

        _token, secret = create_token(user, f"test {scope}", scope)
        return Api(token=secret)
    return Api(user, csrf=csrf)
