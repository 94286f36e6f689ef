"""The API document is one Swagger UI can read: no object in it names a key twice (Swagger
UI's YAML parser refuses such a document, and /api/docs then shows no operation)."""

from __future__ import annotations

import json

from django.test import Client


def test_the_api_document_names_no_key_twice(org):
    client = Client()
    client.force_login(org.rep)
    twice: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        keys = [k for k, _v in items]
        twice.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=pairs)
    assert twice == []
