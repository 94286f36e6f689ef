"""Every id and number the API takes in its path or query string is checked where it comes in:
a value that is not one (too large for the database, negative, zero, a word, a fraction, empty,
digits of another script) is answered 4xx JSON naming the parameter, never a server error.

The sweep walks the OpenAPI document, so an endpoint added later is probed too."""

from __future__ import annotations

import json
import re
import time

import pytest

from guanxi.core.tests.api_client import as_

# Parameters that take an id or a user (``me``) even where they are typed as text.
ID_NAMES = re.compile(r"^(id|.+_id|rep|owner|assignee|team|account|opportunity|stage|pipeline|"
                      r"order|group|rule|cluster|delivery_owner|collection_owner)$")

BAD_VALUES = {
    "overflow": str(2**64),
    "forty digits": "9" * 40,
    "negative": "-1",
    "zero": "0",
    "word": "abc",
    "fraction": "1.5",
    "empty": "",
    "other digits": "١٢٣",  # Arabic-Indic 123
}


def _is_integer(schema: dict) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "integer" for option in options)


def probed_parameters(document: dict) -> list[tuple[str, str, dict, dict]]:
    """(method, path, operation, parameter) for every integer or id-like path or query
    parameter."""
    out = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in ("path", "query"):
                    continue
                if _is_integer(parameter.get("schema", {})) or ID_NAMES.match(parameter["name"]):
                    out.append((method, path, operation, parameter))
    return out


def _url(path: str, operation: dict, probed: dict, value: str) -> str:
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            given = value if parameter is probed else "1"
            url = url.replace("{" + parameter["name"] + "}", given)
    if probed["in"] == "query":
        from urllib.parse import quote

        url += f"?{probed['name']}={quote(value)}"
    return url


def _names(body: dict, parameter: str) -> bool:
    return body.get("field") == parameter or parameter in (body.get("errors") or {})


HUGE = "43057504143038744625152"  # past what either database stores


@pytest.mark.parametrize("url, parameter", [
    (f"/api/expenses/report?rep={HUGE}", "rep"),
    (f"/api/receivables/aging?collection_owner_id={'7' * 40}", "collection_owner_id"),
    (f"/api/customers/{'7' * 40}", "customer_id"),
    (f"/api/customers?owner={HUGE}", "owner"),
    ("/api/customers?owner=%D9%A1%D9%A2", "owner"),  # Arabic-Indic digits, not user 12
])
def test_an_id_too_large_for_the_database_is_refused_naming_it(org, url, parameter):
    response = as_(org.admin).get(url)
    assert response.status_code in (400, 422)  # a list filter's error, or a parameter's
    assert response.json()["field"] == parameter


def test_an_id_too_large_in_a_body_is_refused_naming_it(org):
    response = as_(org.rep).post("expenses", {"account_id": int(HUGE), "category": "travel",
                                              "amount": "10", "spent_on": "2026-01-05",
                                              "description": "taxi"})
    assert response.status_code == 422
    assert response.json()["field"] == "account_id"
    assert as_(org.rep).get("expenses").json()["items"] == []  # nothing was made


def test_a_moment_the_databases_cannot_store_is_refused_naming_it(org):
    # 9999-12-31 at UTC−12 is already year 10000 in UTC, where it is stored.
    response = as_(org.rep).post("tasks", {"title": "Call back", "due_at":
                                           "9999-12-31T23:00:00-12:00"})
    assert response.status_code == 422
    assert response.json()["field"] == "due_at"
    assert as_(org.rep).get("tasks").json()["items"] == []


def _probe(client, headers: dict, method: str, url: str, parameter: str) -> str | None:
    """What is wrong with the answer to one probe (None: nothing), and whether it was
    refused naming the parameter ("named")."""
    kwargs: dict = {"headers": headers}
    if method in ("post", "put", "patch"):
        kwargs |= {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(url, **kwargs)
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if status < 400:
        return None  # taken as absent (empty) or as a valid value
    if "json" not in response.get("Content-Type", ""):
        return f"{status} is not JSON"
    body = response.json()
    if status in (400, 422):
        if _names(body, parameter):
            return "named"
        return f"{status} names {body.get('field')!r}: {json.dumps(body, ensure_ascii=False)[:200]}"
    return None


@pytest.mark.django_db
def test_bad_ids_and_numbers_in_paths_and_queries_are_refused_naming_them(org):
    from django.test import Client

    from guanxi.api import api

    started = time.process_time()
    document = api.get_openapi_schema(path_prefix="/api/")
    probes = probed_parameters(document)
    operations = {(m, p) for m, p, _o, _p in probes}
    assert len(operations) > 150  # the walk reaches every app's endpoints
    # Server errors come back as 500 answers, as a client would see them.
    client = Client(raise_request_exception=False)
    admin, rep = (as_(user, scope="write").headers for user in (org.admin, org.rep))
    failures, sent, to_rep = [], {"admin": 0, "rep": 0}, []
    for method, path, operation, parameter in probes:
        for label, value in BAD_VALUES.items():
            if parameter["in"] == "path" and value == "":
                continue  # an empty segment is another URL
            url = _url(path, operation, parameter, value)
            problem = _probe(client, admin, method, url, parameter["name"])
            sent["admin"] += 1
            if problem != "named":
                # Refused naming the parameter happens before anyone's rights are read: the
                # rep is sent what the administrator's view took in.
                to_rep.append((method, url, parameter["name"], label))
            if problem not in (None, "named"):
                failures.append(f"admin {method.upper()} {url} ({parameter['name']}: {label}): "
                                f"{problem}")
    for method, url, name, label in to_rep:
        problem = _probe(client, rep, method, url, name)
        sent["rep"] += 1
        if problem not in (None, "named"):
            failures.append(f"rep {method.upper()} {url} ({name}: {label}): {problem}")
    print(f"\nAPI probes: {len(operations)} operations, {len(probes)} parameters, "
          f"{sent['admin']} requests as an administrator, {sent['rep']} as a rep, "
          f"{time.process_time() - started:.0f} s of CPU")
    assert failures == [], "\n".join(failures)


def _unbounded(schema: dict, components: dict, where: str, seen: set[str]) -> list[str]:
    """The integers under ``schema`` that lack a lower or an upper bound."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded(components[name], components, name, seen)
    out = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            out += _unbounded(option, components, where, seen)
    if schema.get("type") == "integer" and ("minimum" not in schema or "maximum" not in schema):
        out.append(where)
    for name, sub in schema.get("properties", {}).items():
        out += _unbounded(sub, components, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        out += _unbounded(schema["items"], components, f"{where}[]", seen)
    return out


def test_every_integer_the_api_takes_has_bounds_the_databases_can_hold():
    """Ids are ``Id``, versions ``Version``, other numbers ``Int`` or their own bounds
    (guanxi.core.schemas): an integer without bounds would reach a query unchecked."""
    from guanxi.api import api
    from guanxi.core.inputs import MAX_ID

    document = api.get_openapi_schema(path_prefix="/api/")
    components = document["components"]["schemas"]
    unbounded, too_large, seen = [], [], set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                unbounded += _unbounded(schema, components, f"{where} {parameter['name']}", set())
                for option in schema.get("anyOf", [schema]):
                    if option.get("maximum", 0) > MAX_ID:
                        too_large.append(f"{where} {parameter['name']}")
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded(content["schema"], components, where, seen)
    assert unbounded == [], "\n".join(unbounded)
    assert too_large == []
