"""Reviews API: what waits for me, one review with its steps and waiting time, deciding with
errors at the field and 409 on a stale version, and the review steps for administrators."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanxi.core.tests.api_client import as_
from guanxi.orders.models import ReviewRule, ReviewStep
from guanxi.orders.services import expenses as svc
from guanxi.orders.tests import expenses_fixtures

world = expenses_fixtures.world


def submitted(world, amount="6000"):
    o = world.org
    claim = svc.create_claim(o.rep, svc.ClaimInput.parse({
        "account": world.acc.pk, "category": "travel", "amount": amount,
        "spent_on": dt.date(2026, 1, 5), "description": "拜访客户"}))
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    return claim


def test_waiting_get_decide_and_withdraw(world):
    o = world.org
    claim = submitted(world)
    ReviewStep.objects.filter(review=claim.review, position=1).update(
        started_at=timezone.now() - dt.timedelta(hours=75))
    manager = as_(o.manager)
    items = manager.get("reviews/waiting").json()["items"]
    assert len(items) == 1
    item = items[0]
    assert item["step"]["name_en"] == "Sales manager" and item["step"]["overdue"] is True
    assert item["step"]["waiting_hours"] == 75
    assert item["review"]["subject_url"] == f"/orders/expenses/{claim.pk}/"
    assert item["review"]["can_decide"] is True
    assert as_(o.finance).get("reviews/waiting").json()["items"] == []

    review = as_(o.rep).get(f"reviews/{claim.review_id}").json()
    assert review["status"] == "pending" and review["waiting_step"] == 1
    assert review["overdue"] is True and review["can_decide"] is False
    assert [(s["position"], s["status"]) for s in review["steps"]] == [
        (1, "waiting"), (2, "queued")]

    response = manager.post(f"reviews/{claim.review_id}/decide",
                            {"decision": "reject", "comment": " ", "version": 1})
    assert response.status_code == 400 and response.json()["field"] == "comment"
    response = manager.post(f"reviews/{claim.review_id}/decide",
                            {"decision": "approve", "version": 7})
    assert response.status_code == 409
    response = manager.post(f"reviews/{claim.review_id}/decide",
                            {"decision": "approve", "comment": "同意", "version": 1})
    body = response.json()
    assert response.status_code == 200 and body["waiting_step"] == 2
    assert body["steps"][0]["comment"] == "同意"
    assert body["steps"][0]["decided_by_id"] == o.manager.pk
    assert [i["review"]["id"] for i in as_(o.finance).get("reviews/waiting").json()["items"]] \
        == [claim.review_id]

    response = as_(o.rep).post(f"reviews/{claim.review_id}/withdraw", {"version": 1})
    assert response.status_code == 409
    response = as_(o.rep).post(f"reviews/{claim.review_id}/withdraw",
                               {"version": body["version"]})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    claim.refresh_from_db()
    assert claim.status == "draft"
    response = manager.post(f"reviews/{claim.review_id}/decide",
                            {"decision": "approve", "version": body["version"] + 1})
    assert response.status_code == 409 and response.json()["code"] == "already_decided"


def test_review_rules_for_administrators(world):
    admin = as_(world.org.admin)
    rules = admin.get("review-rules", flow="expense").json()
    assert [(r["position"], r["name_en"], r["threshold"]) for r in rules] == [
        (1, "Sales manager", None), (2, "Finance", "5000.00")]
    response = admin.post("review-rules", {"flow": "expense", "name_en": "Nobody",
                                           "condition": "always"})
    assert response.status_code == 400 and "approver_role" in response.json()["errors"]
    response = admin.post("review-rules", {"flow": "expense", "name_en": "Boss",
                                           "approver_role": "executive",
                                           "condition": "amount_at_least"})
    assert response.status_code == 400 and "threshold" in response.json()["errors"]
    response = admin.post("review-rules", {"flow": "expense", "name_en": "Legal",
                                           "approver_id": world.org.teammate.pk,
                                           "condition": "amount_at_least",
                                           "threshold": "100000", "due_hours": 96})
    assert response.status_code == 201
    created = response.json()
    assert created["position"] == 3 and created["approver_id"] == world.org.teammate.pk
    response = admin.patch(f"review-rules/{created['id']}", {"version": 1, "active": False})
    assert response.status_code == 200 and response.json()["active"] is False
    response = admin.patch(f"review-rules/{created['id']}", {"version": 1, "due_hours": 5})
    assert response.status_code == 409
    assert not ReviewRule.objects.get(pk=created["id"]).active


def test_waiting_pages_longest_waiting_first(world):
    first, second = submitted(world, "100"), submitted(world, "200")
    ReviewStep.objects.filter(review=second.review).update(
        started_at=timezone.now() - dt.timedelta(hours=5))
    manager = as_(world.org.manager)
    page = manager.get("reviews/waiting", limit=1).json()
    assert [i["review"]["id"] for i in page["items"]] == [second.review_id]
    rest = manager.get("reviews/waiting", limit=1, cursor=page["next"]).json()
    assert [i["review"]["id"] for i in rest["items"]] == [first.review_id]
    assert rest["next"] is None


def test_two_deciders_of_one_review_the_second_hears_it_is_already_decided(world):
    o = world.org
    claim = submitted(world, "800")             # one step: a sales manager (or an admin)
    read = as_(o.admin).get(f"reviews/{claim.review_id}").json()["version"]
    first = as_(o.manager).post(f"reviews/{claim.review_id}/decide",
                                {"decision": "approve", "version": read})
    assert first.status_code == 200 and first.json()["status"] == "approved"
    second = as_(o.admin).post(f"reviews/{claim.review_id}/decide",
                               {"decision": "reject", "comment": "超标", "version": read})
    assert second.status_code == 409 and second.json()["code"] == "already_decided"
    assert "already been decided" in second.json()["detail"]
    review = as_(o.rep).get(f"reviews/{claim.review_id}").json()
    assert review["status"] == "approved" and review["steps"][0]["decided_by_id"] == o.manager.pk
