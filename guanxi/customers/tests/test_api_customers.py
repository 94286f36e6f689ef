"""The customer API as a client uses it: validation, locking, duplicates, lists, merge, pool,
approvals and the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.core import services as core_services
from guanxi.core.models import AuditEntry
from guanxi.core.tests.api_client import Api, as_
from guanxi.customers import services
from guanxi.customers.models import Account, Contact, TermsChangeRequest, TimelineEvent

VALID_USCC = "91310000MA1FL8XQ37"
WRONG_CHECK_USCC = "91310000MA1FL8XQ38"



@pytest.fixture
def fields(org):
    """Custom fields of every type on customers."""
    def make(key, type_, choices=()):
        return core_services.create_field(org.admin, {
            "target": "customers.account", "key": key, "label_en": key, "type": type_,
            "choices": list(choices)})
    return {
        "grade": make("grade", "choice", ["A", "B", "C"]),
        "lines": make("lines", "multi", ["变压器", "开关柜", "电缆"]),
        "capacity": make("capacity", "number"),
        "visited": make("visited", "date"),
        "remark": make("remark", "text"),
    }


def _snapshot():
    return (Account.objects.count(), Contact.objects.count(), AuditEntry.objects.count(),
            TimelineEvent.objects.count())


# --- Bad input changes nothing --------------------------------------------------------------

BAD_CREATE = [
    ({"phone": "12345"}, 400, "phone"),
    ({"phone": "电话号码"}, 400, "phone"),
    ({"registration_id": WRONG_CHECK_USCC}, 400, "registration_id"),
    ({"registration_id": "9131"}, 400, "registration_id"),
    ({"email": "wang@@example"}, 400, "email"),
    ({"industry": "mining-on-mars"}, 400, "industry"),
    ({"discount_rate": "99"}, 400, "discount_rate"),
    ({"discount_rate": "ten"}, 422, "discount_rate"),
    ({"attitude_risk": 9}, 400, "attitude_risk"),
    ({"custom": {"capacity": "lots"}}, 400, "custom.capacity"),
    ({"custom": {"visited": "2026-13-01"}}, 400, "custom.visited"),
    ({"custom": {"grade": "Z"}}, 400, "custom.grade"),
    ({"custom": {"lines": ["变压器", "核电站"]}}, 400, "custom.lines"),
    ({"custom": {"colour": "red"}}, 400, "custom.colour"),
    ({"favourite_food": "饺子"}, 422, "favourite_food"),
    ({"contacts": [{"name": "张三", "mobile": "139"}]}, 400, "mobile"),
    ({"contacts": [{"name": "张三", "email": "no-at-sign"}]}, 400, "email"),
    ({"addresses": [{"province": "加州"}]}, 400, "province"),
    ({"owner_id": 999999}, 400, "owner_id"),
]


@pytest.mark.parametrize(("extra", "status", "field"), BAD_CREATE,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(BAD_CREATE)])
def test_bad_input_on_create_names_the_field_and_changes_nothing(org, fields, extra, status,
                                                                  field):
    before = _snapshot()
    response = as_(org.rep).post("customers", {"name": "华东输变电设备有限公司", **extra})
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == field
    assert field in body["errors"] and body["detail"]
    assert _snapshot() == before


def test_bad_input_on_edit_keeps_the_record(org, fields, make_account):
    account = make_account(phone="13812345678")
    before = _snapshot()
    client = as_(org.rep)
    for body, field in [({"phone": "000"}, "phone"),
                        ({"registration_id": WRONG_CHECK_USCC}, "registration_id"),
                        ({"email": "x@"}, "email"),
                        ({"custom": {"capacity": "1,5"}}, "custom.capacity"),
                        ({"credit_limit": "500000"}, "credit_limit"),  # terms: via a request
                        ({"name": ""}, "name")]:
        response = client.patch(f"customers/{account.pk}", {"version": 1, **body})
        assert response.status_code == 400, (body, response.content)
        assert response.json()["field"] == field
    account.refresh_from_db()
    assert (account.version, account.phone, account.custom) == (1, "+8613812345678", {})
    assert _snapshot() == before


def test_valid_values_are_stored_in_normal_form(org, fields):
    response = as_(org.rep).post("customers", {
        "name": "华东输变电设备有限公司", "registration_id": VALID_USCC.lower(),
        "phone": "138 1234 5678", "email": "Sales@Example.COM",
        "custom": {"grade": "A", "lines": ["变压器", "电缆"], "capacity": "12.5",
                   "visited": "2026-03-01", "remark": "老客户"},
        "contacts": [{"name": "张三", "mobile": "+86 139-0000-1111"}],
        "addresses": [{"province": "浙江省", "city": "杭州市"}], "tags": ["重点", "重点"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration_id"] == VALID_USCC
    assert body["phone"] == "+8613812345678"
    assert body["email"] == "Sales@example.com"
    assert body["custom"] == {"grade": "A", "lines": ["变压器", "电缆"], "capacity": "12.5",
                              "visited": "2026-03-01", "remark": "老客户"}
    assert body["contacts"][0]["mobile"] == "+8613900001111"
    assert body["addresses"][0]["province_code"] == "330000"
    assert body["tags"] == ["重点"]
    assert body["owner"]["username"] == "rep" and body["approval"] == "approved"
    assert 0 < body["completeness"] < 100 and "website" in body["missing"]


# --- Optimistic locking ---------------------------------------------------------------------

def test_concurrent_edit_second_writer_gets_409_and_first_write_is_kept(org, make_account):
    account = make_account()
    first = as_(org.rep).patch(f"customers/{account.pk}", {"version": 1, "needs": "节能变压器"})
    second = as_(org.manager).patch(f"customers/{account.pk}",
                                    {"version": 1, "needs": "便宜就行"})
    assert first.status_code == 200 and first.json()["version"] == 2
    assert second.status_code == 409
    assert second.json()["code"] == "stale_version" and second.json()["field"] == "version"
    account.refresh_from_db()
    assert account.needs == "节能变压器" and account.version == 2


def test_stale_version_on_contact_address_delete_and_release(org, make_account):
    account = make_account(contacts=[{"name": "张三"}])
    contact = account.contacts.get()
    address = services.add_address(org.rep, account, {"province": "上海"})
    client = as_(org.rep)
    assert client.patch(f"contacts/{contact.pk}", {"version": 1, "title": "厂长"}).status_code \
        == 200
    stale = client.patch(f"contacts/{contact.pk}", {"version": 1, "title": "副厂长"})
    assert stale.status_code == 409
    assert client.delete(f"contacts/{contact.pk}", version=1).status_code == 409
    assert client.delete(f"addresses/{address.pk}", version=7).status_code == 409
    assert client.post(f"customers/{account.pk}/release", {"version": 9}).status_code == 409
    assert as_(org.manager).delete(f"customers/{account.pk}", version=9).status_code == 409
    contact.refresh_from_db()
    account.refresh_from_db()
    assert contact.title == "厂长" and contact.is_active
    assert account.is_active and not account.in_pool
    assert account.addresses.filter(pk=address.pk).exists()


# --- Duplicates -----------------------------------------------------------------------------

def test_possible_duplicate_is_409_with_field_until_forced(org, make_account):
    make_account(name="杭州西湖电器有限公司")
    client = as_(org.rep)
    refused = client.post("customers", {"name": "杭州西湖电器公司"})
    assert refused.status_code == 409
    assert refused.json()["field"] == "name" and refused.json()["code"] == "duplicate"
    forced = client.post("customers", {"name": "杭州西湖电器公司", "force": True})
    assert forced.status_code == 201


def test_customer_owned_by_another_rep_is_refused_even_when_forced(org, make_account):
    make_account(by=org.other_rep, name="深圳南山科技有限公司", registration_id=VALID_USCC)
    before = _snapshot()
    client = as_(org.rep)
    by_name = client.post("customers", {"name": "深圳南山科技有限公司", "force": True})
    assert by_name.status_code == 409
    assert by_name.json()["code"] == "owned_by_other" and by_name.json()["field"] == "name"
    assert "黄伟" in by_name.json()["detail"]
    by_id = client.post("customers", {"name": "南山科技", "registration_id": VALID_USCC,
                                      "force": True})
    assert by_id.status_code == 409 and by_id.json()["field"] == "registration_id"
    assert _snapshot() == before


def test_duplicate_check_hides_what_the_user_may_not_open(org, make_account):
    mine = make_account(name="苏州工业园区精密机械有限公司")
    make_account(by=org.other_rep, name="深圳南山科技有限公司", phone="13512345678")
    client = as_(org.rep)
    own = client.get("customers/duplicates", name="苏州工业园区精密机械公司").json()
    assert own == [{"visible": True, "reasons": ["name"], "id": mine.pk,
                    "name": "苏州工业园区精密机械有限公司", "owner_name": "王芳",
                    "message": own[0]["message"]}]
    other = client.get("customers/duplicates", phone="135-1234-5678").json()
    assert len(other) == 1
    assert other[0]["visible"] is False and other[0]["id"] is None and other[0]["name"] is None
    assert other[0]["owner_name"] == "黄伟" and other[0]["reasons"] == ["phone"]
    assert "深圳" not in str(other)
    assert client.get("customers/duplicates", phone="12").json()["field"] == "phone"


# --- Lists ----------------------------------------------------------------------------------

def test_customer_list_filters(org, fields, make_account):
    client = as_(org.rep)
    ids = {}
    for name, body in {
        "energy": {"industry": "energy", "custom": {"grade": "A", "lines": ["变压器", "电缆"],
                                                     "remark": "华东大客户"},
                   "tags": ["重点"], "addresses": [{"province": "上海"}]},
        "auto": {"industry": "automotive", "custom": {"grade": "B", "lines": ["电缆"]},
                 "addresses": [{"province": "广东"}]},
        "it": {"industry": "it", "size": "small"},
    }.items():
        response = client.post("customers", {"name": f"{name}测试有限公司", **body})
        assert response.status_code == 201, response.content
        ids[name] = response.json()["id"]
    make_account(by=org.other_rep, name="其他团队客户有限公司", industry="energy")

    def found(**params):
        response = client.get("customers", **params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert found() == set(ids.values())
    assert found(industry="energy") == {ids["energy"]}
    assert found(tag="重点") == {ids["energy"]}
    assert found(province="广东省") == {ids["auto"]}
    assert found(cf_grade="B") == {ids["auto"]}
    assert found(cf_lines="电缆") == {ids["energy"], ids["auto"]}
    assert found(cf_lines="变压器") == {ids["energy"]}
    assert found(cf_remark="大客户") == {ids["energy"]}
    assert found(owner="me", size="small") == {ids["it"]}
    assert found(q="auto") == {ids["auto"]}
    assert found(in_pool=True) == set()
    assert found(completeness_lt=101) == set(ids.values())
    assert found(team=org.team_a.pk) == set(ids.values())
    assert found(team=org.team_b.pk) == set()
    for params, field in [({"cf_grade": "Z"}, "cf_grade"), ({"cf_nope": "1"}, "cf_nope"),
                          ({"province": "火星"}, "province"), ({"owner": "boss"}, "owner"),
                          ({"sort": "colour"}, "sort"), ({"cursor": "%%%"}, "cursor")]:
        response = client.get("customers", **params)
        assert response.status_code in (400, 422) and response.json()["field"] == field


@pytest.mark.parametrize("sort", ["-updated_at", "name", "-name", "created_at", "completeness",
                                  "-completeness"])
def test_cursor_pages_cover_every_customer_once_in_order(org, make_account, sort):
    accounts = [make_account(name=f"{chr(0x4e00 + i * 7)}测试有限公司") for i in range(7)]
    for i, account in enumerate(accounts[:3]):
        services.update_account(org.rep, account, {"needs": "x" * (i + 1)}, account.version)
    client = as_(org.rep)
    seen, cursor = [], None
    for _page in range(10):
        params = {"limit": 3, "sort": sort} | ({"cursor": cursor} if cursor else {})
        body = client.get("customers", **params).json()
        seen += body["items"]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(i["id"] for i in seen) == sorted(a.pk for a in accounts)
    key = sort.lstrip("-")
    values = [(i[key], i["id"]) for i in seen]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_customer_list_query_count_does_not_grow_with_rows(org, make_account,
                                                           django_assert_max_num_queries):
    for i in range(25):
        account = make_account(name=f"批量客户{i}号有限公司")
        services.set_tags(org.rep, account, ["重点", f"批次{i % 3}"])
    client = as_(org.manager)
    with django_assert_max_num_queries(8):
        response = client.get("customers", limit=50)
    assert len(response.json()["items"]) == 25
    assert all(len(item["tags"]) == 2 and item["owner"]["name"] == "王芳"
               for item in response.json()["items"])


def test_contacts_list_and_search(org, make_account):
    make_account(name="张江高科有限公司", contacts=[{"name": "张三", "mobile": "13812345678"},
                                                   {"name": "李四"}])
    make_account(by=org.other_rep, name="深圳客户有限公司", contacts=[{"name": "张伟"}])
    client = as_(org.rep)
    listed = client.get("contacts").json()
    assert {c["name"] for c in listed["items"]} == {"张三", "李四"}
    assert [c["name"] for c in client.get("contacts", q="zs").json()["items"]] == ["张三"]
    hits = client.get("search", q="zhang").json()
    assert {h["name"] for h in hits} >= {"张三", "张江高科有限公司"}
    assert "张伟" not in {h["name"] for h in hits}
    phone = client.get("search", q="138-1234-5678", kind="contact").json()
    assert phone[0]["name"] == "张三" and phone[0]["field"] == "phone"
    assert phone[0]["account_name"] == "张江高科有限公司"


# --- Timeline, merge ------------------------------------------------------------------------

def test_merge_moves_contacts_and_timeline(org, make_account):
    keep = make_account(name="宁波港务设备有限公司", contacts=[{"name": "周一"}])
    other = make_account(name="宁波港务设备公司（旧）", contacts=[{"name": "吴二"}],
                         phone="13612345678")
    for n in range(3):
        services.log_follow_up(org.rep, other, f"拜访{n}")
    other_events = set(TimelineEvent.objects.filter(account=other).values_list("pk", flat=True))
    client = as_(org.manager)
    response = client.post(f"customers/{keep.pk}/merge",
                           {"other_id": other.pk, "version": keep.version,
                            "other_version": other.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {c["name"] for c in body["contacts"]} == {"周一", "吴二"}
    assert body["phone"] == "+8613612345678"
    events, before = [], None
    while True:
        page = client.get(f"customers/{keep.pk}/timeline", limit=2,
                          **({"before_id": before} if before else {})).json()
        events += page["items"]
        before = page["next_before_id"]
        if before is None:
            break
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)) and other_events <= set(ids)
    assert events[0]["kind"] == "customers.merged"
    assert client.get(f"customers/{other.pk}").status_code == 404
    assert as_(org.rep).get(f"customers/{other.pk}/timeline").status_code == 404


def test_timeline_pages_in_time_order_even_with_back_dated_events(org, make_account):
    import datetime as dt

    from django.utils import timezone

    from guanxi.customers.services.common import add_event

    account = make_account()
    now = timezone.now()
    for days in (3, 1, 5, 2, 4):  # entered out of order, as an import or a merge does
        add_event(account, "sales.visit", f"拜访 {days} 天前", org.rep,
                  at=now - dt.timedelta(days=days))
    client = as_(org.rep)
    titles, before = [], None
    while True:
        page = client.get(f"customers/{account.pk}/timeline", limit=2,
                          **({"before_id": before} if before else {})).json()
        titles += [e["title"] for e in page["items"]]
        before = page["next_before_id"]
        if before is None:
            break
    assert titles == ["Customer entered"] + [f"拜访 {d} 天前" for d in (1, 2, 3, 4, 5)]


def test_merge_needs_two_customers_and_current_versions(org, make_account):
    keep, other = make_account(), make_account()
    client = as_(org.manager)
    same = client.post(f"customers/{keep.pk}/merge",
                       {"other_id": keep.pk, "version": 1, "other_version": 1})
    assert same.status_code == 400 and same.json()["field"] == "other"
    stale = client.post(f"customers/{keep.pk}/merge",
                        {"other_id": other.pk, "version": 1, "other_version": 5})
    assert stale.status_code == 409
    assert Account.objects.filter(is_active=True).count() == 2


def test_follow_up_tags_shares_and_owner(org, make_account):
    account = make_account(contacts=[{"name": "张三"}])
    client = as_(org.rep)
    contact = account.contacts.get()
    note = client.post(f"customers/{account.pk}/follow-ups",
                       {"text": "电话确认交期", "contact_id": contact.pk})
    assert note.status_code == 201 and note.json()["body"] == "电话确认交期"
    assert client.post(f"customers/{account.pk}/follow-ups", {"text": " "}).json()["field"] \
        == "text"
    assert client.put(f"customers/{account.pk}/tags", {"tags": ["重点", "华东"]}).json() \
        == ["重点", "华东"]
    assert client.post(f"customers/{account.pk}/shares", {"user_id": org.teammate.pk}) \
        .status_code == 201
    assert as_(org.teammate).get(f"customers/{account.pk}").status_code == 200
    assert client.delete(f"customers/{account.pk}/shares/{org.teammate.pk}").status_code == 204
    assert as_(org.teammate).get(f"customers/{account.pk}").status_code == 404
    account.refresh_from_db()
    moved = as_(org.manager).put(f"customers/{account.pk}/owner",
                                 {"owner_id": org.teammate.pk, "version": account.version})
    assert moved.status_code == 200 and moved.json()["owner"]["username"] == "teammate"
    assert as_(org.teammate).get(f"customers/{account.pk}").status_code == 200
    refused = client.patch(f"customers/{account.pk}", {"version": 2, "needs": "x"})
    assert refused.status_code == 403  # the rep who entered it still sees it, but no longer edits


def test_relationships_hide_people_at_customers_the_user_cannot_see(org, make_account):
    mine = make_account(contacts=[{"name": "张三"}])
    theirs = make_account(by=org.other_rep, contacts=[{"name": "王老板"}])
    rel = services.add_relationship(org.admin, mine.contacts.get(), theirs.contacts.get(),
                                    "family")
    listed = as_(org.rep).get(f"customers/{mine.pk}/relationships").json()
    assert listed == [{"id": rel.pk, "kind": "family", "note": "",
                       "from_contact": {"id": mine.contacts.get().pk, "name": "张三",
                                        "account_id": mine.pk},
                       "to_contact": {"id": theirs.contacts.get().pk, "name": None,
                                      "account_id": None}}]
    refused = as_(org.rep).post(f"customers/{mine.pk}/relationships",
                                {"from_contact_id": mine.contacts.get().pk,
                                 "to_contact_id": theirs.contacts.get().pk, "kind": "friend"})
    assert refused.status_code == 400 and refused.json()["field"] == "to_contact_id"


# --- Approvals, terms, pool -----------------------------------------------------------------

def test_assistant_enters_customer_manager_approves(org):
    created = as_(org.assistant).post("customers", {"name": "新进客户有限公司",
                                                    "owner_id": org.rep.pk})
    assert created.status_code == 201 and created.json()["approval"] == "pending"
    pk = created.json()["id"]
    waiting = as_(org.manager).get("approvals").json()
    assert [c["id"] for c in waiting["customers"]] == [pk]
    assert as_(org.other_manager).get("approvals").json()["customers"] == []
    no_reason = as_(org.manager).post(f"customers/{pk}/reject", {"version": 1})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "comment"
    approved = as_(org.manager).post(f"customers/{pk}/approve", {"version": 1})
    assert approved.status_code == 200 and approved.json()["approval"] == "approved"
    again = as_(org.manager).post(f"customers/{pk}/approve", {"version": 2})
    assert again.status_code == 409


def test_terms_change_goes_manager_then_finance_then_applies(org, make_account):
    account = make_account()
    asked = as_(org.rep).post(f"customers/{account.pk}/terms-requests",
                              {"changes": {"discount_rate": "12.5", "payment_terms_days": 60},
                               "reason": "年度框架协议"})
    assert asked.status_code == 201, asked.content
    req = asked.json()
    assert req["status"] == "manager"
    assert req["changes"] == {"discount_rate": ["0.00", "12.50"], "payment_terms_days": [30, 60]}
    path = f"terms-requests/{req['id']}"
    assert as_(org.finance).post(f"{path}/approve", {"version": 1}).status_code == 403
    assert as_(org.manager).get(path).json()["can_decide"] is True
    step1 = as_(org.manager).post(f"{path}/approve", {"version": 1, "comment": "同意"})
    assert step1.status_code == 200 and step1.json()["status"] == "finance"
    account.refresh_from_db()
    assert account.discount_rate == Decimal("0") and account.payment_terms_days == 30
    assert as_(org.manager).post(f"{path}/approve", {"version": 2}).status_code == 403
    assert [r["id"] for r in as_(org.finance).get("approvals").json()["terms_requests"]] \
        == [req["id"]]
    stale = as_(org.finance).post(f"{path}/approve", {"version": 1})
    assert stale.status_code == 409
    step2 = as_(org.finance).post(f"{path}/approve", {"version": 2})
    assert step2.status_code == 200 and step2.json()["status"] == "applied"
    assert [s["step"] for s in step2.json()["steps"]] == ["manager", "finance"]
    terms = as_(org.rep).get(f"customers/{account.pk}").json()["terms"]
    assert terms["discount_rate"] == "12.50" and terms["payment_terms_days"] == 60


def test_terms_request_validation_and_withdraw(org, make_account):
    account = make_account()
    client = as_(org.rep)
    too_much = client.post(f"customers/{account.pk}/terms-requests",
                           {"changes": {"discount_rate": "80"}})
    assert too_much.status_code == 400 and too_much.json()["field"] == "discount_rate"
    not_terms = client.post(f"customers/{account.pk}/terms-requests",
                            {"changes": {"name": "改名"}})
    assert not_terms.status_code == 400 and not_terms.json()["field"] == "name"
    assert TermsChangeRequest.objects.count() == 0
    req = client.post(f"customers/{account.pk}/terms-requests",
                      {"changes": {"credit_limit": "200000"}}).json()
    second = client.post(f"customers/{account.pk}/terms-requests",
                         {"changes": {"payment_terms_days": 45}})
    assert second.status_code == 409
    withdrawn = client.post(f"terms-requests/{req['id']}/withdraw", {"version": 1})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.get("terms-requests", status="withdrawn").json()["items"][0]["id"] \
        == req["id"]


def test_pool_claim_respects_the_limit(org, make_account):
    pool = []
    for i in range(3):
        account = make_account(by=org.teammate, name=f"公海客户{i}号有限公司")
        services.release(org.teammate, account)
        pool.append(account)
    admin = as_(org.admin)
    policy = admin.get("pool/policy").json()
    set_limit = admin.put("pool/policy", {"return_after_days": 30, "claim_limit": 1,
                                          "version": policy["version"]})
    assert set_limit.status_code == 200 and set_limit.json()["claim_limit"] == 1
    assert admin.put("pool/policy", {"return_after_days": 0, "claim_limit": 1,
                                     "version": 2}).json()["field"] == "return_after_days"
    client = as_(org.rep)
    listed = client.get("pool").json()["items"]
    assert {i["id"] for i in listed} == {a.pk for a in pool}
    first = client.post(f"customers/{pool[0].pk}/claim")
    assert first.status_code == 200 and first.json()["owner"]["username"] == "rep"
    second = client.post(f"customers/{pool[1].pk}/claim")
    assert second.status_code == 409 and second.json()["code"] == "claim_limit"
    assert client.get("pool/policy").json()["claimed_by_me"] == 1
    again = as_(org.other_rep).post(f"customers/{pool[0].pk}/claim")
    assert again.status_code == 404  # no longer in the pool, so no longer visible to them
    account = Account.objects.get(pk=pool[0].pk)
    released = client.post(f"customers/{account.pk}/release",
                           {"version": account.version, "reason": "无需求"})
    assert released.status_code == 200 and released.json()["in_pool"] is True
    assert client.post(f"customers/{pool[1].pk}/claim").status_code == 200


# --- Authentication and the document --------------------------------------------------------

def test_session_writes_need_the_csrf_token(org):
    client = as_(org.rep, csrf=True)
    assert client.get("customers").status_code == 200
    refused = client.post("customers", {"name": "无令牌客户有限公司"})
    assert refused.status_code == 403
    assert not Account.objects.exists()
    client.client.cookies["csrftoken"] = "a" * 32
    client.headers["X-CSRFToken"] = "a" * 32
    assert client.post("customers", {"name": "有令牌客户有限公司"}).status_code == 201
    anonymous = Api(csrf=True).post("customers", {"name": "匿名客户有限公司"})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    bad_token = Api(token="gx_revoked-or-mistyped", csrf=True).post("customers", {"name": "x"})
    assert bad_token.status_code == 401
    assert Account.objects.count() == 1


def test_tokens_sign_in_read_only_tokens_cannot_write(org, make_account):
    account = make_account()
    writer = as_(org.rep, scope="write")
    assert writer.patch(f"customers/{account.pk}", {"version": 1, "needs": "x"}).status_code \
        == 200
    reader = as_(org.rep, scope="read")
    assert reader.get(f"customers/{account.pk}").json()["needs"] == "x"
    refused = reader.patch(f"customers/{account.pk}", {"version": 2, "needs": "y"})
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_token"
    assert as_(org.other_rep, scope="write").get(f"customers/{account.pk}").status_code == 404
    assert Api(token="gx_not-a-real-token").get("customers").status_code == 401


def test_openapi_document_lists_the_endpoints(org):
    client = as_(None)
    response = client.get("openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Guanxi API"
    for path in ["/api/customers", "/api/customers/{customer_id}", "/api/search",
                 "/api/customers/duplicates", "/api/approvals", "/api/pool",
                 "/api/terms-requests/{request_id}/approve", "/api/custom-fields",
                 "/api/tokens", "/api/me", "/api/contacts/{contact_id}"]:
        assert path in doc["paths"], path
    assert client.get("docs").status_code == 200


@pytest.mark.parametrize("approval", ["rejected", "pending"])
def test_no_terms_request_for_a_customer_not_approved(org, make_account, approval):
    # The 360° page offers no terms request for these customers; the API must refuse too.
    account = make_account()
    Account.objects.filter(pk=account.pk).update(approval=approval)
    asked = as_(org.manager).post(f"customers/{account.pk}/terms-requests",
                                  {"changes": {"discount_rate": "5"}})
    assert asked.status_code == 409, asked.content
    assert asked.json()["code"] == f"customer_{approval}" and asked.json()["detail"]
    assert not TermsChangeRequest.objects.filter(account=account).exists()
