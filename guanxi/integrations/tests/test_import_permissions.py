"""Every import and export page and API endpoint against every persona: only the roles that
enter customers import; an import is seen by its owner and administrators and changed by its
owner only; exports follow each user's scope."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.integrations import permissions as perms
from guanxi.integrations.models import ImportJob
from guanxi.integrations.tests.imports_fixtures import (  # noqa: F401
    import_file,
    upload,
    var_dir,
    write_csv,
)
from guanxi.integrations.views import exports as export_views
from guanxi.integrations.views import imports as import_views

pytestmark = pytest.mark.usefixtures("var_dir")

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin", "anon",
            "readonly"]
CSV = "客户名称,电话\n甲有限公司,13812345678\n乙有限公司,bad\n".encode()


@pytest.fixture
def world(org, make_account, tmp_path):
    make_account(by=org.rep, name="自己的客户有限公司")
    path = write_csv(tmp_path / "w.csv", [["客户名称", "电话"], ["甲有限公司", "13812345678"],
                                         ["乙有限公司", "bad"]])
    draft = upload(org.rep, "customers", path)
    done = import_file(org.rep, "customers", path)
    failed = upload(org.rep, "customers", path)
    ImportJob.objects.filter(pk=failed.pk).update(status="failed", error="stopped")
    for job in (draft, done, failed):
        job.refresh_from_db()
    return SimpleNamespace(draft=draft, done=done, failed=failed)


def _file():
    return SimpleUploadedFile("upload.csv", CSV, content_type="text/csv")


# (name, method, path, body, expected per persona in PERSONAS order)
#                                                          rep tm  mgr ast fin oth adm anon ro
API_CASES = [
    ("import kinds", "get", lambda w: "imports/kinds", None,
     "200 200 200 200 200 200 200 401 200"),
    ("list imports", "get", lambda w: "imports", None,
     "200 200 200 200 200 200 200 401 200"),
    ("create import", "post", lambda w: "imports",
     lambda w: {"kind": "customers", "file": _file()},
     "201 201 201 201 403 201 201 401 403"),
    ("get import", "get", lambda w: f"imports/{w.draft.pk}", None,
     "200 404 404 404 404 404 200 401 200"),
    ("set mapping", "put", lambda w: f"imports/{w.draft.pk}/mapping",
     lambda w: {"mapping": {"0": "name"}, "version": w.draft.version},
     "200 404 404 404 404 404 403 401 403"),
    ("preview", "get", lambda w: f"imports/{w.draft.pk}/preview", None,
     "200 404 404 404 404 404 403 401 200"),
    ("confirm", "post", lambda w: f"imports/{w.draft.pk}/confirm",
     lambda w: {"version": w.draft.version},
     "202 404 404 404 404 404 403 401 403"),
    ("resume", "post", lambda w: f"imports/{w.failed.pk}/resume", None,
     "202 404 404 404 404 404 403 401 403"),
    ("rejected rows", "get", lambda w: f"imports/{w.done.pk}/rejected", None,
     "200 404 404 404 404 404 200 401 200"),
    ("export lists", "get", lambda w: "exports", None,
     "200 200 200 200 200 200 200 401 200"),
    ("export a list", "get", lambda w: "exports/customers", None,
     "200 200 200 200 200 200 200 401 200"),
]


def _clients(org):
    clients = {p: as_(getattr(org, p)) for p in PERSONAS[:7]}
    clients["anon"] = as_(None)
    clients["readonly"] = as_(org.rep, scope="read")
    return clients


@pytest.mark.parametrize("case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_permission_matrix(case, org, world):
    name, method, path, body, expected = case
    clients = _clients(org)
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        api = clients[persona]
        with transaction.atomic():
            if name == "create import":  # multipart
                response = api.client.post(f"/api/{path(world)}", data=body(world),
                                           headers=api.headers)
            elif method in ("post", "put"):
                response = getattr(api, method)(path(world), body(world) if body else None)
            else:
                response = api.get(path(world))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{getattr(response, 'content', b'')[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


TAGS = {"imports", "exports"}


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    assert len(documented) == len(API_CASES), sorted(documented)
    assert {m for _n, m, *_rest in API_CASES} == {m for m, _p in documented}


# --- pages ---------------------------------------------------------------------------------

#                                                                   rep tm  mgr ast fin oth adm anon
PAGE_CASES = [
    ("imports", "get", lambda w: reverse("integrations:imports"), None,
     "200 200 200 200 403 200 200 302"),
    ("imports", "post", lambda w: reverse("integrations:imports"),
     lambda w: {"kind": "customers", "policy": "skip", "file": _file()},
     "302 302 302 302 403 302 302 302"),
    ("import_detail", "get", lambda w: reverse("integrations:import_detail", args=[w.draft.pk]),
     None, "200 404 404 404 404 404 200 302"),
    ("import_mapping", "post",
     lambda w: reverse("integrations:import_mapping", args=[w.draft.pk]),
     lambda w: {"col_0": "name", "version": w.draft.version},
     "302 404 404 404 404 404 403 302"),
    ("import_confirm", "post",
     lambda w: reverse("integrations:import_confirm", args=[w.draft.pk]),
     lambda w: {"version": w.draft.version}, "302 404 404 404 404 404 403 302"),
    ("import_resume", "post",
     lambda w: reverse("integrations:import_resume", args=[w.failed.pk]), None,
     "302 404 404 404 404 404 403 302"),
    ("import_progress", "get",
     lambda w: reverse("integrations:import_progress", args=[w.done.pk]), None,
     "200 404 404 404 404 404 200 302"),
    ("import_rejected", "get",
     lambda w: reverse("integrations:import_rejected", args=[w.done.pk]), None,
     "200 404 404 404 404 404 200 302"),
    ("export", "get", lambda w: reverse("integrations:export", args=["customers"]), None,
     "200 200 200 200 200 200 200 302"),
]


@pytest.mark.parametrize("case", PAGE_CASES, ids=[f"{c[0]} {c[1]}" for c in PAGE_CASES])
def test_page_permission_matrix(case, org, world):
    name, method, url, body, expected = case
    wrong = []
    for persona, status in zip(PERSONAS[:8], expected.split(), strict=True):
        client = Client()
        if persona != "anon":
            client.force_login(getattr(org, persona))
        with transaction.atomic():
            response = getattr(client, method)(url(world), body(world) if body else None)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
    assert not wrong, f"{name} {method}:\n" + "\n".join(wrong)


def test_every_page_is_in_the_matrix():
    names = {p.name for p in [*import_views.urls, *export_views.urls]}
    assert names == {c[0] for c in PAGE_CASES}


def test_finance_sees_no_import_link_and_cannot_upload(org, client):
    client.force_login(org.finance)
    assert client.get(reverse("integrations:imports")).status_code == 403
    assert not perms.can_import(org.finance)
