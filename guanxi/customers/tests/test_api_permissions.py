"""Every API endpoint against every persona: who gets through, and what the others get.

404 for a record the persona cannot see, 403 for a visible record the persona may not act
on, 401 without credentials, 403 for writes with a read-only token. Each request runs in a
savepoint that is rolled back, so every persona meets the same world.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from guanxi.accounts.services import create_token
from guanxi.core import services as core_services
from guanxi.core.tests.api_client import as_
from guanxi.customers import services

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin", "anon",
            "readonly"]


@pytest.fixture
def world(org, make_account):
    a = make_account(by=org.rep, name="上海明珠机电有限公司",
                     contacts=[{"name": "张三", "mobile": "13812345678"}])
    c1 = a.contacts.get()
    c2 = services.add_contact(org.rep, a, {"name": "李四"})
    address = services.add_address(org.rep, a, {"province": "上海", "city": "上海市"})
    rel = services.add_relationship(org.rep, c1, c2, "colleague")
    a2 = make_account(by=org.rep, name="上海明珠电气有限公司")
    terms = services.request_terms_change(org.rep, a2, {"discount_rate": "10"}, "big order")
    pending = make_account(by=org.assistant, name="待审批贸易有限公司")
    pool = make_account(by=org.teammate, name="公海物流有限公司")
    services.release(org.teammate, pool)
    field = core_services.create_field(org.admin, {"target": "customers.account",
                                                   "key": "grade", "label_en": "Grade"})
    token, _secret = create_token(org.rep, "laptop", "write")
    for obj in (a, a2, c1, c2, address, pending, pool, terms):
        obj.refresh_from_db()
    return SimpleNamespace(a=a, a2=a2, c1=c1, c2=c2, address=address, rel=rel, terms=terms,
                           pending=pending, pool=pool, field=field, token=token)


# (name, method, path, body, query, expected status per persona in PERSONAS order)
#                                                  rep tm  mgr ast fin oth adm anon ro
CASES = [
    ("list customers", "get", lambda w: "customers", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create customer", "post", lambda w: "customers",
     lambda w: {"name": "新客户科技有限公司"}, None,
     "201 201 201 201 403 201 201 401 403"),
    ("duplicates", "get", lambda w: "customers/duplicates", None,
     lambda w: {"name": w.a.name},
     "200 200 200 200 200 200 200 401 200"),
    ("get customer", "get", lambda w: f"customers/{w.a.pk}", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("update customer", "patch", lambda w: f"customers/{w.a.pk}",
     lambda w: {"version": w.a.version, "needs": "更快交货"}, None,
     "200 404 200 200 403 404 200 401 403"),
    ("delete customer", "delete", lambda w: f"customers/{w.a.pk}", None,
     lambda w: {"version": w.a.version},
     "403 404 204 403 403 404 204 401 403"),
    ("timeline", "get", lambda w: f"customers/{w.a.pk}/timeline", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("follow-up", "post", lambda w: f"customers/{w.a.pk}/follow-ups",
     lambda w: {"text": "电话沟通"}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("tags", "put", lambda w: f"customers/{w.a.pk}/tags", lambda w: {"tags": ["重点"]}, None,
     "200 404 200 200 403 404 200 401 403"),
    ("share", "post", lambda w: f"customers/{w.a.pk}/shares",
     lambda w: {"user_id": w.org.hz_rep.pk}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("unshare", "delete", lambda w: f"customers/{w.a.pk}/shares/{w.org.hz_rep.pk}", None, None,
     "204 404 204 204 403 404 204 401 403"),
    ("assign owner", "put", lambda w: f"customers/{w.a.pk}/owner",
     lambda w: {"owner_id": w.org.teammate.pk, "version": w.a.version}, None,
     "403 404 200 403 403 404 200 401 403"),
    ("list contacts", "get", lambda w: "contacts", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("add contact", "post", lambda w: f"customers/{w.a.pk}/contacts",
     lambda w: {"name": "王五"}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("get contact", "get", lambda w: f"contacts/{w.c1.pk}", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("update contact", "patch", lambda w: f"contacts/{w.c1.pk}",
     lambda w: {"version": w.c1.version, "title": "总经理"}, None,
     "200 404 200 200 403 404 200 401 403"),
    ("remove contact", "delete", lambda w: f"contacts/{w.c1.pk}", None,
     lambda w: {"version": w.c1.version},
     "204 404 204 204 403 404 204 401 403"),
    ("add address", "post", lambda w: f"customers/{w.a.pk}/addresses",
     lambda w: {"province": "浙江", "city": "杭州"}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("update address", "patch", lambda w: f"addresses/{w.address.pk}",
     lambda w: {"version": w.address.version, "street": "南京路1号"}, None,
     "200 404 200 200 403 404 200 401 403"),
    ("remove address", "delete", lambda w: f"addresses/{w.address.pk}", None,
     lambda w: {"version": w.address.version},
     "204 404 204 204 403 404 204 401 403"),
    ("relationships", "get", lambda w: f"customers/{w.a.pk}/relationships", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("add relationship", "post", lambda w: f"customers/{w.a.pk}/relationships",
     lambda w: {"from_contact_id": w.c2.pk, "to_contact_id": w.c1.pk, "kind": "friend"}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("remove relationship", "delete", lambda w: f"relationships/{w.rel.pk}", None, None,
     "204 404 204 204 403 404 204 401 403"),
    ("search", "get", lambda w: "search", None, lambda w: {"q": "明珠"},
     "200 200 200 200 200 200 200 401 200"),
    ("approvals", "get", lambda w: "approvals", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("approve customer", "post", lambda w: f"customers/{w.pending.pk}/approve",
     lambda w: {"version": w.pending.version}, None,
     "404 404 200 403 403 404 200 401 403"),
    ("reject customer", "post", lambda w: f"customers/{w.pending.pk}/reject",
     lambda w: {"version": w.pending.version, "comment": "信息不全"}, None,
     "404 404 200 403 403 404 200 401 403"),
    ("request terms", "post", lambda w: f"customers/{w.a.pk}/terms-requests",
     lambda w: {"changes": {"payment_terms_days": 60}, "reason": "长期合作"}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("list terms requests", "get", lambda w: "terms-requests", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("get terms request", "get", lambda w: f"terms-requests/{w.terms.pk}", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("approve terms", "post", lambda w: f"terms-requests/{w.terms.pk}/approve",
     lambda w: {"version": w.terms.version}, None,
     "403 404 200 403 403 404 200 401 403"),
    ("reject terms", "post", lambda w: f"terms-requests/{w.terms.pk}/reject",
     lambda w: {"version": w.terms.version, "comment": "折扣过高"}, None,
     "403 404 200 403 403 404 200 401 403"),
    ("withdraw terms", "post", lambda w: f"terms-requests/{w.terms.pk}/withdraw",
     lambda w: {"version": w.terms.version}, None,
     "200 404 200 403 403 404 200 401 403"),
    ("merge", "post", lambda w: f"customers/{w.a.pk}/merge",
     lambda w: {"other_id": w.a2.pk, "version": w.a.version, "other_version": w.a2.version},
     None,
     "403 404 200 403 403 404 200 401 403"),
    ("pool", "get", lambda w: "pool", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("claim", "post", lambda w: f"customers/{w.pool.pk}/claim", None, None,
     "200 200 200 403 403 200 200 401 403"),
    ("release", "post", lambda w: f"customers/{w.a.pk}/release",
     lambda w: {"version": w.a.version, "reason": "不再跟进"}, None,
     "200 404 200 200 403 404 200 401 403"),
    ("pool policy", "get", lambda w: "pool/policy", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("set pool policy", "put", lambda w: "pool/policy",
     lambda w: {"return_after_days": 45, "claim_limit": 20, "version": 1}, None,
     "403 403 403 403 403 403 200 401 403"),
    ("list custom fields", "get", lambda w: "custom-fields", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create custom field", "post", lambda w: "custom-fields",
     lambda w: {"target": "customers.contact", "key": "hobby", "label_en": "Hobby"}, None,
     "403 403 403 403 403 403 201 401 403"),
    ("update custom field", "patch", lambda w: f"custom-fields/{w.field.pk}",
     lambda w: {"version": w.field.version, "label_zh": "等级"}, None,
     "403 403 403 403 403 403 200 401 403"),
    ("deactivate custom field", "delete", lambda w: f"custom-fields/{w.field.pk}", None,
     lambda w: {"version": w.field.version},
     "403 403 403 403 403 403 204 401 403"),
    ("me", "get", lambda w: "me", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("list tokens", "get", lambda w: "tokens", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create token", "post", lambda w: "tokens", lambda w: {"name": "脚本"}, None,
     "201 201 201 201 201 201 201 401 403"),
    ("revoke token", "delete", lambda w: f"tokens/{w.token.pk}", None, None,
     "204 404 404 404 404 404 404 401 403"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, org, world):
    name, method, path, body, query, expected = case
    world.org = org
    clients = {p: as_(getattr(org, p)) for p in PERSONAS[:7]}
    clients["anon"] = as_(None)
    clients["readonly"] = as_(org.rep, scope="read")
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        client = clients[persona]
        args = [path(world)]
        if method in ("post", "put", "patch"):
            args.append(body(world) if body else None)
        with transaction.atomic():
            response = getattr(client, method)(*args, **(query(world) if query else {}))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


# The tags of the endpoints this matrix covers; other apps keep matrices of their own.
TAGS = {"customers", "contacts", "search", "approvals", "pool", "custom fields", "me"}


def test_every_endpoint_is_in_the_matrix(org):
    """A new endpoint must join the matrix: compare with the OpenAPI document."""
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    covered = {m for _n, m, *_rest in CASES}
    assert len(documented) == len(CASES), sorted(documented)
    assert covered == {m for m, _p in documented}
