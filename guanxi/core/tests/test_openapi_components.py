"""The OpenAPI document describes what each endpoint really takes and returns. Its components
are keyed by class name alone, so two different schema classes with one name would overwrite
each other and leave the operations of one documented with the other's fields: a client
following the document would be answered 422."""

from __future__ import annotations

import enum
import json
import typing
from typing import Any

from django.urls import get_resolver
from pydantic import BaseModel

from guanxi.api import api
from guanxi.core.tests.api_client import as_

REF = "#/components/schemas/{model}"


def _collect(annotation: Any, found: set[type]) -> None:
    """Every model and enum ``annotation`` refers to, however deeply nested."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _collect(field.annotation, found)
        return
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    for arg in typing.get_args(annotation):
        _collect(arg, found)


def _operation_types() -> set[type]:
    # Apps add their nested routers while the URLconf loads: load it first.
    get_resolver().url_patterns  # noqa: B018
    found: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:  # ninja's wrappers of path, query and body
                    _collect(model, found)
                for model in (operation.response_models or {}).values():
                    _collect(model, found)
    # ninja's own wrapper models are named after the operation, not components.
    return {t for t in found if t.__module__.startswith("guanxi.")}


def _schema(cls: type) -> str:
    if issubclass(cls, BaseModel):
        schema = cls.model_json_schema(ref_template=REF)
        schema.pop("$defs", None)
    else:
        schema = {"enum": [m.value for m in cls]}
    return json.dumps(schema, sort_keys=True)


def test_no_two_different_schemas_share_a_component_name():
    by_name: dict[str, dict[str, set[str]]] = {}
    types = _operation_types()
    assert len(types) > 100  # the walk reaches the schemas, nested ones included
    for cls in types:
        by_name.setdefault(cls.__name__, {}).setdefault(_schema(cls), set()).add(
            f"{cls.__module__}.{cls.__qualname__}")
    # Classes with the same name and the same schema (VersionIn) are documented correctly.
    clashes = {name: sorted(c for classes in schemas.values() for c in classes)
               for name, schemas in by_name.items() if len(schemas) > 1}
    assert clashes == {}


# --- a request built from the document is accepted -------------------------------------------

def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example(schema: dict, components: dict) -> Any:
    """The smallest value the documented ``schema`` allows: its required fields only."""
    schema = _resolve(schema, components)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components)
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(sub, components)
                for name, sub in schema.get("properties", {}).items()
                if name in schema.get("required", [])}
    if kind == "array":
        return [_example(schema["items"], components)
                for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return {"date": "2027-03-31", "date-time": "2027-03-31T14:05:00+08:00",
                "email": "someone@example.com"}.get(schema.get("format", ""),
                                                     "x" * max(1, schema.get("minLength", 1)))
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return None


# The operations a client following the document could not call before their schemas had
# names of their own; every other operation with a body is checked too.
ONCE_BROKEN = [
    ("post", "/api/customers/{customer_id}/approve"),
    ("post", "/api/customers/{customer_id}/reject"),
    ("post", "/api/terms-requests/{request_id}/approve"),
    ("post", "/api/support-requests/{request_id}/decide"),
    ("post", "/api/leads/{lead_id}/convert"),
    ("post", "/api/automation-rules"),
    ("post", "/api/lead-routing-rules"),
]


def _with_body(document: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items()
            if "application/json" in operation.get("requestBody", {}).get("content", {})]


def test_a_request_built_from_the_document_is_accepted(org):
    client = as_(org.admin, scope="write")
    document = client.get("/api/openapi.json").json()
    components = document["components"]["schemas"]
    operations = _with_body(document)
    assert set(ONCE_BROKEN) <= {(m, p) for m, p, _o in operations}
    refused = []
    for method, path, operation in operations:
        body = _example(operation["requestBody"]["content"]["application/json"]["schema"],
                        components)
        url = path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", "999999")
        response = getattr(client, method)(url, body)
        # Not found, refused by a business rule or done: but never "this body is invalid".
        if response.status_code == 422:
            refused.append((method, path, body, response.json().get("errors")))
    assert refused == []
