"""Permission matrices: one request per persona, every status compared with the expected one.

A test file keeps its own table of cases — ``(name, method, path(world), body(world), "expected
status per persona")`` — and its list of personas; these helpers do the rest the same way
everywhere:

- each request runs in a transaction that is rolled back, so every persona meets the same
  world (a write by the first persona does not change what the next one sees);
- all mismatches of a case are collected and reported together, one line a persona;
- an API refusal (4xx) must say why in ``detail``; an anonymous page visit must be sent to
  the login page;
- the table must cover every documented endpoint of the area's tags (and pages test their
  URL names the same way, in the test file).

Personas are attribute names of the ``org`` fixture, plus ``"anon"`` (nobody signed in) and,
for the API, ``"readonly"`` (a read-scoped API token).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from guanxi.core.tests.api_client import Api, as_

#: A case's value made from the test's world (a fixture object), made afresh for each request.
FromWorld = Callable[[Any], Any]
#: A look at a response that has the expected status: returns what is wrong, or None.
Check = Callable[[str, HttpResponse], str | None]

WRITES = ("post", "put", "patch")


def _content(response: HttpResponse) -> bytes:
    return b"" if getattr(response, "streaming", False) else response.content[:200]


def _compare(personas: Iterable[str], expected: str, request: Callable[[str], HttpResponse],
             check: Check | None, show_content: bool = False) -> list[str]:
    """Run ``request`` for each persona in a rolled-back transaction; list what differs."""
    wrong: list[str] = []
    for persona, status in zip(personas, expected.split(), strict=True):
        with transaction.atomic():
            response = request(persona)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})"
                         + (f" {_content(response)!r}" if show_content else ""))
        elif check is not None and (problem := check(persona, response)):
            wrong.append(f"{persona}: {problem}")
    return wrong


def _report(name: str, wrong: list[str]) -> None:
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


# --- API ------------------------------------------------------------------------------------

def api_clients(org: Any, personas: Sequence[str], readonly: Any = None) -> dict[str, Api]:
    """One API client per persona, in ``personas`` order: signed in by session as
    ``getattr(org, persona)``, nobody for ``"anon"``, a read-scoped token of ``readonly``
    (default ``org.rep``) for ``"readonly"``."""
    clients: dict[str, Api] = {}
    for persona in personas:
        if persona == "anon":
            clients[persona] = as_(None)
        elif persona == "readonly":
            clients[persona] = as_(readonly or org.rep, scope="read")
        else:
            clients[persona] = as_(getattr(org, persona))
    return clients


def api_request(api: Api, method: str, path: str, body: Any = None,
                query: Mapping[str, Any] | None = None) -> HttpResponse:
    """One API call. ``method`` is an HTTP verb or ``"upload"``: a multipart POST of
    ``body`` (files and form fields)."""
    if method == "upload":
        return api.client.post(f"/api/{path}", body, headers=api.headers)
    if method in WRITES:
        return getattr(api, method)(path, body, **(query or {}))
    return getattr(api, method)(path, **(query or {}))


def _api_detail(persona: str, response: HttpResponse) -> str | None:
    if response.status_code >= 400 and not response.json().get("detail"):
        return f"{response.status_code} without a detail {_content(response)!r}"
    return None


def run_api_case(clients: Mapping[str, Api], world: Any, method: str, path: FromWorld,
                 body: FromWorld | None, expected: str,
                 query: FromWorld | None = None) -> list[str]:
    """Call one endpoint as each persona of ``clients`` (expected statuses in the same order,
    space separated); return the mismatches, and the refusals that give no ``detail``.
    ``path``, ``body`` and ``query`` take the world; ``body`` is sent only on writes and
    uploads."""
    def request(persona: str) -> HttpResponse:
        sent = body(world) if body and (method in WRITES or method == "upload") else None
        return api_request(clients[persona], method, path(world), sent,
                           query(world) if query else None)

    return _compare(clients, expected, request, _api_detail, show_content=True)


def assert_api_case(name: str, clients: Mapping[str, Api], world: Any, method: str,
                    path: FromWorld, body: FromWorld | None, expected: str,
                    query: FromWorld | None = None) -> None:
    """:func:`run_api_case`, failing with every mismatch of the case ``name``."""
    _report(name, run_api_case(clients, world, method, path, body, expected, query))


def documented(api: Api, tags: Iterable[str]) -> set[tuple[str, str]]:
    """The (method, path) of every operation of ``/api/openapi.json`` under one of ``tags``;
    fails if a tag names no operation at all (a renamed tag would empty the check)."""
    tags = set(tags)
    paths = api.get("openapi.json").json()["paths"]
    found = {(m, p, tag) for p, ops in paths.items() for m, op in ops.items()
             for tag in tags & set(op.get("tags", []))}
    assert {tag for *_mp, tag in found} == tags, f"no endpoint tagged {tags}"
    return {(m, p) for m, p, _tag in found}


def assert_every_endpoint_in(api: Api, tags: Iterable[str], cases: Sequence[tuple]) -> None:
    """The matrix has one case per documented endpoint of ``tags``: as many cases as
    endpoints, and the same methods as often (an ``"upload"`` case counts as a POST)."""
    endpoints = documented(api, tags)
    assert len(endpoints) == len(cases), sorted(endpoints)
    methods = sorted("post" if case[1] == "upload" else case[1] for case in cases)
    assert methods == sorted(m for m, _p in endpoints), sorted(endpoints)


# --- pages ----------------------------------------------------------------------------------

def page_client(org: Any, persona: str) -> Client:
    """A browser client signed in as ``getattr(org, persona)``, or nobody for ``"anon"``."""
    client = Client()
    if persona != "anon":
        client.force_login(getattr(org, persona))
    return client


def page_clients(org: Any, personas: Sequence[str]) -> dict[str, Client]:
    """One browser client per persona (see :func:`page_client`), in ``personas`` order."""
    return {persona: page_client(org, persona) for persona in personas}


def run_page_case(clients: Mapping[str, Client], world: Any, method: str, url: str,
                  data: FromWorld | None, expected: str,
                  check: Check | None = None) -> list[str]:
    """Open ``url`` (GET, or POST of ``data``; a GET's ``data`` is its query) as each persona
    of ``clients``, expected statuses in the same order; return the mismatches. An anonymous
    302 must lead to the login page; ``check`` looks further at a signed-in answer that has the
    expected status."""
    def request(persona: str) -> HttpResponse:
        return getattr(clients[persona], method)(url, data(world) if data else {})

    def login_then(persona: str, response: HttpResponse) -> str | None:
        if persona == "anon":
            if response.status_code == 302 and "/accounts/login/" not in response["Location"]:
                return f"sent to {response['Location']}, not to the login page"
            return None
        return check(persona, response) if check else None

    return _compare(clients, expected, request, login_then)


def assert_page_case(name: str, clients: Mapping[str, Client], world: Any, method: str,
                     url: str, data: FromWorld | None, expected: str,
                     check: Check | None = None) -> None:
    """:func:`run_page_case`, failing with every mismatch of the case ``name``."""
    _report(name, run_page_case(clients, world, method, url, data, expected, check))


# --- record states: the page offers exactly what the API does --------------------------------

#: A state row: (name, API method, API path(world), body(world), page url(world),
#: marker(world) — text the page holds only when it offers the action, expected per persona).
StateCase = tuple[str, str, FromWorld, FromWorld | None, FromWorld, FromWorld, str]


def run_state_case(org: Any, world: Any, personas: Sequence[str], case: StateCase) -> list[str]:
    """One action on a record in one state, as each persona; ``expected`` has one sign per
    persona: ``y`` the API does it (2xx) and the page offers it (``marker`` on the page);
    ``n`` the API refuses it (403 for the person, 400 or 409 for the record's state, with a
    ``detail``) and the page does not offer it;
    ``-`` the record is hidden: the API answers 404 and the page does not offer it (a record
    page answers 404 too). Each persona's page visit and API call run in one rolled-back
    transaction, page first, so both see the record in the same state."""
    _name, method, path, body, url, marker, expected = case
    clients = api_clients(org, personas)
    wrong: list[str] = []
    for persona, sign in zip(personas, expected.split(), strict=True):
        with transaction.atomic():
            page = page_client(org, persona).get(url(world))
            offered = page.status_code == 200 and marker(world) in page.content.decode()
            response = api_request(clients[persona], method, path(world),
                                   body(world) if body and method in WRITES else None)
            transaction.set_rollback(True)
        done = response.status_code < 300
        got = "y" if done and offered else "-" if response.status_code == 404 and not offered \
            else "n" if response.status_code in (400, 403, 409) and not offered else "?"
        if got == "n" and not response.json().get("detail"):
            got = "n without a detail"
        if got != sign:
            wrong.append(f"{persona}: API {response.status_code}, page {page.status_code} "
                         f"{'offers' if offered else 'does not offer'} it (expected {sign}) "
                         f"{_content(response)!r}")
    return wrong


def assert_state_cases(org: Any, world: Any, personas: Sequence[str],
                       cases: Sequence[StateCase]) -> None:
    """:func:`run_state_case` for every row, failing with every mismatch of every row."""
    wrong = [f"{case[0]}:\n  " + "\n  ".join(found) for case in cases
             if (found := run_state_case(org, world, personas, case))]
    assert not wrong, "\n".join(wrong)
