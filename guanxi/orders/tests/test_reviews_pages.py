"""Review pages: the panel on a reviewed document, deciding from it (htmx and plain), the
approvals inbox with its badge, and the review steps settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.core.navigation import forget_badges, menu
from guanxi.orders.models import ExpenseClaim, Review, ReviewRule, ReviewStep
from guanxi.orders.services import expenses as svc
from guanxi.orders.tests import expenses_fixtures

world = expenses_fixtures.world

HTMX = {"HTTP_HX_REQUEST": "true"}


def submitted(world, amount="800", by=None, account=None):
    o = world.org
    claim = svc.create_claim(by or o.rep, svc.ClaimInput.parse({
        "account": (account or world.acc).pk, "category": "travel", "amount": amount,
        "spent_on": dt.date(2026, 1, 5), "description": "拜访客户"}))
    svc.submit_claim(by or o.rep, claim, claim.version)
    claim.refresh_from_db()
    return claim


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_panel_shows_steps_who_decides_and_the_buttons(world):
    claim = submitted(world, "6000")
    url = reverse("orders:expense", args=[claim.pk])
    html = login(world.org.manager).get(url).content.decode()
    assert f'id="review-{claim.review_id}"' in html
    assert "Sales manager" in html and "Finance" in html
    assert "Sales / market manager · 上海一组" in html        # the role over the team
    assert "waiting since" in html and "overdue" not in html
    assert 'value="approve"' in html and 'value="return"' in html and 'value="reject"' in html
    assert reverse("orders:review_decide", args=[claim.review_id]) in html
    # The submitter sees where it waits and can withdraw, not decide.
    html = login(world.org.rep).get(url).content.decode()
    assert 'value="approve"' not in html
    assert reverse("orders:review_withdraw", args=[claim.review_id]) in html
    # Finance waits for its turn.
    html = login(world.org.finance).get(url).content.decode()
    assert 'value="approve"' not in html and "Not yet" in html


def test_an_overdue_step_is_marked(world):
    claim = submitted(world)
    ReviewStep.objects.filter(review=claim.review).update(
        started_at=timezone.now() - dt.timedelta(hours=80))     # due within 72 h
    html = login(world.org.manager).get(reverse("orders:expense", args=[claim.pk])).content
    assert "overdue" in html.decode() and "· 80 h" in html.decode()


def test_deciding_with_htmx_answers_the_panel_errors_at_the_comment(world):
    claim = submitted(world)
    review = claim.review
    client = login(world.org.manager)
    url = reverse("orders:review_decide", args=[review.pk])
    page = reverse("orders:expense", args=[claim.pk])
    response = client.post(url, {"decision": "reject", "comment": "", "version": review.version,
                                 "next": page}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "is-invalid" in html and "a comment is required" in html
    assert Review.objects.get(pk=review.pk).status == Review.Status.PENDING
    # A stale version answers 409 with the panel.
    response = client.post(url, {"decision": "approve", "version": review.version + 5,
                                 "next": page}, **HTMX)
    assert response.status_code == 409 and "Someone else changed" in response.content.decode()

    response = client.post(url, {"decision": "approve", "comment": "同意",
                                 "version": review.version, "next": page}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and f'id="review-{review.pk}"' in html
    assert "Approved" in html and "同意" in html and 'value="approve"' not in html
    # The re-rendered panel still points back to the document's page.
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ExpenseClaim.Status.APPROVED


def test_deciding_without_htmx_goes_back(world):
    claim = submitted(world)
    page = reverse("orders:expense", args=[claim.pk])
    response = login(world.org.manager).post(
        reverse("orders:review_decide", args=[claim.review_id]),
        {"decision": "return", "comment": "请补充发票", "version": claim.review.version,
         "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ExpenseClaim.Status.RETURNED


def test_withdrawing_from_the_panel(world):
    claim = submitted(world)
    response = login(world.org.rep).post(
        reverse("orders:review_withdraw", args=[claim.review_id]),
        {"version": claim.review.version}, **HTMX)
    assert response.status_code == 200 and "Withdrawn" in response.content.decode()
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ExpenseClaim.Status.DRAFT


def test_the_inbox_lists_overdue_first_and_decides_inline(world):
    o = world.org
    fresh = submitted(world, "300")
    old = submitted(world, "1200", by=o.teammate, account=world.acc_tm)
    ReviewStep.objects.filter(review=old.review).update(
        started_at=timezone.now() - dt.timedelta(days=5))
    other = submitted(world, "90", by=o.other_rep, account=world.acc_other)
    client = login(o.manager)
    # The old inbox address opens the one approvals inbox on the documents' kinds.
    html = client.get(reverse("orders:reviews"), follow=True).content.decode()
    assert html.index("1,200.00") < html.index("300.00")
    assert "上海一号贸易有限公司" in html and "overdue" in html
    assert reverse("orders:expense", args=[fresh.pk]) in html
    assert f"inbox-step-{other.review.current_step.pk}" not in html

    step = fresh.review.current_step
    response = client.post(reverse("orders:review_decide", args=[fresh.review_id]), {
        "decision": "reject", "comment": "", "version": fresh.review.version,
        "part": "row", "step": step.pk}, **HTMX)
    assert response.status_code == 422
    assert f'id="inbox-step-{step.pk}"' in response.content.decode()
    response = client.post(reverse("orders:review_decide", args=[fresh.review_id]), {
        "decision": "approve", "version": fresh.review.version, "part": "row",
        "step": step.pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and f'id="inbox-step-{step.pk}"' in html
    assert "Approved" in html and 'value="approve"' not in html

    mine = login(o.rep).get(reverse("orders:reviews") + "?tab=mine").content.decode()
    assert "Expense approval" in mine and "Approved" in mine


def test_the_badge_counts_waiting_steps_cheaply(world):
    o = world.org
    submitted(world)
    submitted(world, "50", by=o.teammate, account=world.acc_tm)
    submitted(world, "90", by=o.other_rep, account=world.acc_other)

    # The one approvals badge of the sidebar counts review steps with every other kind.
    def badge(user):
        forget_badges(user)  # a fresh count
        with CaptureQueriesContext(connection) as queries:
            groups = menu(user, "orders:reviews")
        links = {link.key: link for group in groups for link in group.links}
        return links["customers.approvals"].badge, len(queries)

    count, queries = badge(o.manager)
    assert count == 2 and queries <= 8
    with CaptureQueriesContext(connection) as again:  # counted once, then kept for a minute
        menu(o.manager, "orders:reviews")
    assert len(again) == 0
    assert badge(o.admin)[0] == 3
    assert badge(o.rep)[0] == 0


# --- Settings ---------------------------------------------------------------------------------

def test_review_steps_settings_validate_add_edit_reorder_and_deactivate(world):
    o = world.org
    client = login(o.admin)
    listing = client.get(reverse("orders:review_rules")).content.decode()
    assert "Expense approval" in listing and "财务" in listing
    create = reverse("orders:review_rule_create") + "?flow=expense"
    before = ReviewRule.objects.count()
    response = client.post(create, {"flow": "expense", "name_en": "Boss",
                                    "condition": "always", "due_hours": 24})
    assert response.status_code == 200
    assert "decided by a role or by a named person" in response.content.decode()
    response = client.post(create, {"flow": "expense", "name_en": "Boss",
                                    "approver_role": "executive",
                                    "condition": "amount_at_least", "due_hours": 24})
    assert "Say from which amount" in response.content.decode()
    assert ReviewRule.objects.count() == before
    response = client.post(create, {"flow": "expense", "name_en": "Boss", "name_zh": "老板",
                                    "approver_role": "executive",
                                    "condition": "amount_at_least", "threshold": "20000",
                                    "due_hours": 24, "active": "on"})
    assert response.status_code == 302
    boss = ReviewRule.objects.get(name_en="Boss")
    assert (boss.flow, boss.position, boss.threshold) == ("expense", 3, 20000)

    # A review under way keeps its steps whatever the settings say afterwards.
    claim = submitted(world, "30000")
    manager_rule = ReviewRule.objects.get(flow="expense", position=1)
    response = client.post(reverse("orders:review_rule_edit", args=[manager_rule.pk]), {
        "name_en": "Regional director", "approver_role": "", "approver": o.other_manager.pk,
        "condition": "always", "due_hours": 12, "active": "on",
        "version": manager_rule.version})
    assert response.status_code == 302
    manager_rule.refresh_from_db()
    assert manager_rule.approver == o.other_manager and manager_rule.due_hours == 12
    step = claim.review.steps.get(position=1)
    assert (step.name_en, step.approver_id, step.approver_role, step.due_hours) == (
        "Sales manager", None, "manager", 72)
    assert [s.name_en for s in claim.review.steps.all()] == ["Sales manager", "Finance",
                                                             "Boss"]

    edit = reverse("orders:review_rule_edit", args=[boss.pk])
    client.post(edit, {"action": "up"})
    assert list(ReviewRule.objects.filter(flow="expense").order_by("position")
                .values_list("name_en", flat=True)) == ["Regional director", "Boss", "Finance"]
    boss.refresh_from_db()
    client.post(edit, {"action": "deactivate", "version": boss.version})
    boss.refresh_from_db()
    assert not boss.active
    # New claims follow the new settings.
    later = submitted(world, "30000", by=o.teammate, account=world.acc_tm)
    assert [(s.name_en, s.approver_id) for s in later.review.steps.all()] == [
        ("Regional director", o.other_manager.pk), ("Finance", None)]


@pytest.mark.parametrize("persona", ["rep", "manager", "finance"])
def test_the_settings_link_is_for_administrators_only(world, persona):
    url = reverse("orders:reviews") + "?tab=mine"
    html = login(getattr(world.org, persona)).get(url).content.decode()
    assert reverse("orders:review_rules") not in html
    html = login(world.org.admin).get(url).content.decode()
    assert reverse("orders:review_rules") in html


def test_the_inbox_costs_the_same_queries_for_more_rows(world):
    o = world.org
    inbox, submitted_page = reverse("customers:approvals"), reverse("orders:reviews") + "?tab=mine"
    manager, teammate = login(o.manager), login(o.teammate)
    submitted(world, "10", by=o.teammate, account=world.acc_tm)
    manager.get(inbox)                               # warm up sessions and caches
    teammate.get(submitted_page)

    def queries(client, url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    waiting, mine = queries(manager, inbox), queries(teammate, submitted_page)
    for amount in ("20", "30", "40"):
        submitted(world, amount, by=o.teammate, account=world.acc_tm)
    assert queries(manager, inbox) == waiting
    assert queries(teammate, submitted_page) == mine


def test_two_deciders_of_one_review_the_second_is_told_it_is_already_decided(world):
    claim = submitted(world)                    # one step: a sales manager (or an admin)
    review = claim.review
    url = reverse("orders:review_decide", args=[review.pk])
    page = reverse("orders:expense", args=[claim.pk])
    first = login(world.org.manager).post(url, {"decision": "approve", "version": review.version,
                                                "next": page}, **HTMX)
    assert first.status_code == 200
    second = login(world.org.admin).post(url, {"decision": "reject", "comment": "超标",
                                               "version": review.version, "next": page},
                                         **HTMX)
    assert second.status_code == 409
    assert "This review has already been decided" in second.content.decode()
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED
