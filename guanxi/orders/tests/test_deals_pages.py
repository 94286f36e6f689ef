"""Tender and contract pages: every URL against every persona, and what the pages show —
where a contract waits for everyone involved, deadlines due soon, forms with errors at the
field, uploads, the customer and opportunity cards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from guanxi.core.tests.matrix import assert_page_case, page_client, page_clients
from guanxi.orders.models import Contract, Document, Quote, ReviewStep, Tender
from guanxi.orders.services import contracts, reviews
from guanxi.orders.services import tenders as tender_svc
from guanxi.orders.services.tenders import TenderInput
from guanxi.orders.tests import deals_world
from guanxi.orders.tests.deals_world import EXE, PDF, upload
from guanxi.orders.views.deals import urls as deal_urls

world, media = deals_world.world, deals_world.media

PERSONAS = ["rep", "teammate", "hz_rep", "manager", "assistant", "finance", "other_rep",
            "delivery", "executive", "admin", "anon"]


@pytest.fixture
def w(world):
    from guanxi.orders.documents import store_upload

    world.document = store_upload(world.org.rep, upload("投标文件.pdf", PDF),
                                  tender=world.tender)
    world.tender.refresh_from_db()
    world.contract.refresh_from_db()
    return world


#                                  rep tm  hz  mgr ast fin oth del exe adm anon
ALL = "200 200 200 200 200 200 200 200 200 200 302"
NEW = "200 200 200 200 200 403 200 403 403 200 302"
READ = "200 404 404 200 200 200 404 404 200 200 302"
WRITE = "200 404 404 200 200 403 404 404 403 200 302"
POSTED = "302 404 404 302 302 403 404 404 403 302 302"
CASES = [
    ("tenders", "get", lambda w: [], None, ALL),
    ("tender_create", "get", lambda w: [], None, NEW),
    ("tender", "get", lambda w: [w.tender.pk], None, READ),
    ("tender_edit", "get", lambda w: [w.tender.pk], None, WRITE),
    ("tender_result", "get", lambda w: [w.tender.pk], None, WRITE),
    ("tender_bond", "get", lambda w: [w.tender.pk], None,
     "200 404 404 200 200 200 404 404 403 200 302"),
    ("tender_document_upload", "post", lambda w: [w.tender.pk],
     lambda w: {"file": upload("补充.pdf", PDF)}, POSTED),
    ("contracts", "get", lambda w: [], None, ALL),
    ("contract_create", "get", lambda w: [], None, NEW),
    ("contract", "get", lambda w: [w.contract.pk], None, READ),
    ("contract_edit", "get", lambda w: [w.contract.pk], None, WRITE),
    ("contract_action", "post", lambda w: [w.contract.pk],
     lambda w: {"action": "submit", "version": w.contract.version}, POSTED),
    ("contract_document_upload", "post", lambda w: [w.contract.pk],
     lambda w: {"file": upload("补充.pdf", PDF)}, POSTED),
    ("document", "get", lambda w: [w.document.pk], None, READ),
    ("document_delete", "post", lambda w: [w.document.pk], lambda w: {},
     "302 404 404 403 403 403 404 404 403 302 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, w):
    name, method, args, data, expected = case
    url = reverse(f"orders:{name}", args=args(w))
    assert_page_case(name, page_clients(w.org, PERSONAS), w, method, url, data, expected)


def test_every_page_is_in_the_matrix():
    assert {p.name for p in deal_urls} == {c[0] for c in CASES}


def _approve(w, persona, now):
    contract = Contract.objects.get(pk=w.contract.pk)
    review = contract.review
    reviews.decide(getattr(w.org, persona), review, "approve", "", review.version, now=now)


def test_everyone_involved_sees_where_the_contract_waits_and_since_when(w):
    start = timezone.now() - dt.timedelta(hours=30)
    contracts.submit_contract(w.org.rep, w.contract, w.contract.version, now=start)
    _approve(w, "manager", start + dt.timedelta(hours=2))  # technical waits 28 h: in time
    url = reverse("orders:contract", args=[w.contract.pk])
    for persona in ("rep", "manager", "delivery", "finance"):
        page = page_client(w.org, persona).get(url)
        assert page.status_code == 200, persona
        html = page.content.decode()
        assert "Waiting at Technical review since" in html, persona
        assert "28 hours" in html, persona
        assert "Overdue" not in html.split('id="waiting-summary"')[1][:400], persona
    # Past its 48 hours, the step shows as overdue, on the page and in the list filter.
    ReviewStep.objects.filter(review__subject_id=w.contract.pk, position=2).update(
        started_at=timezone.now() - dt.timedelta(hours=50))
    html = page_client(w.org, "finance").get(url).content.decode()
    summary = html.split('id="waiting-summary"')[1][:400]
    assert "50 hours" in summary and "Overdue" in summary
    listing = page_client(w.org, "manager").get(reverse("orders:contracts"),
                                                {"waiting": "overdue"}).content.decode()
    assert w.contract.number in listing and "Overdue" in listing
    assert w.contract.number not in page_client(w.org, "manager").get(
        reverse("orders:contracts"), {"status": "signed"}).content.decode()


def test_the_reviewer_decides_through_the_panel_and_the_contract_follows(w):
    contracts.submit_contract(w.org.rep, w.contract, w.contract.version)
    contract = Contract.objects.get(pk=w.contract.pk)
    page = page_client(w.org, "manager").get(reverse("orders:contract", args=[contract.pk]))
    assert reverse("orders:review_decide", args=[contract.review_id]) in page.content.decode()
    response = page_client(w.org, "manager").post(
        reverse("orders:review_decide", args=[contract.review_id]),
        {"decision": "return", "comment": "价格条款需修改", "version": contract.review.version})
    assert response.status_code in (200, 302)
    assert Contract.objects.get(pk=contract.pk).status == "returned"
    page = page_client(w.org, "rep").get(reverse("orders:contract", args=[contract.pk]))
    assert "Resubmit for review" in page.content.decode()


def test_tender_list_highlights_deadlines_due_soon(w):
    tender_svc.create_tender(w.org.rep, w.account, TenderInput.parse({
        "number": "ZB-LATER", "title": "远期项目", "issuer": "国网",
        "deadline": timezone.now() + dt.timedelta(days=40)}))
    html = page_client(w.org, "rep").get(reverse("orders:tenders")).content.decode()
    assert html.index("ZB-2026-118") < html.index("ZB-LATER")  # soonest first
    assert html.count('data-soon="1"') == 1
    html = page_client(w.org, "rep").get(reverse("orders:tenders"), {"upcoming": "on"}) \
        .content.decode()
    assert "ZB-2026-118" in html and "ZB-LATER" not in html


def test_tender_form_shows_errors_at_the_field_and_creates(w):
    client = page_client(w.org, "rep")
    url = reverse("orders:tender_create") + f"?account={w.account.pk}"
    assert "上海明珠机电有限公司" in client.get(url).content.decode()
    base = {"number": "ZB-7", "title": "开关柜", "issuer": "国网", "currency": "CNY",
            "bond_status": "to_pay", "bond_amount": "0",
            "deadline": (timezone.localtime() + dt.timedelta(days=5)).strftime(
                "%Y-%m-%dT%H:%M")}
    response = client.post(url, base)
    assert response.status_code == 200 and "Enter the bond amount" in response.content.decode()
    assert not Tender.objects.filter(number="ZB-7").exists()
    response = client.post(url, base | {"bond_amount": "10000"})
    tender = Tender.objects.get(number="ZB-7")
    assert response.status_code == 302 and response["Location"].endswith(f"/{tender.pk}/")


def test_contract_from_a_quote_fills_in_the_quote(w):
    quote = Quote.objects.create(number="Q2026-00003", account=w.account, currency="CNY",
                                 status=Quote.Status.ACCEPTED, issue_date=dt.date(2026, 11, 1),
                                 total=Decimal("66000.00"), owner=w.org.rep,
                                 team=w.org.team_a, title="配电柜报价")
    client = page_client(w.org, "rep")
    url = reverse("orders:contract_create") + f"?quote={quote.pk}"
    assert "66000" in client.get(url).content.decode()
    response = client.post(url, {})
    contract = Contract.objects.get(quote=quote)
    assert response.status_code == 302 and contract.amount == Decimal("66000.00")
    assert contract.title == "配电柜报价"
    assert page_client(w.org, "other_rep").get(url).status_code == 404


def test_uploading_through_the_page_refuses_a_renamed_exe(w):
    client = page_client(w.org, "rep")
    url = reverse("orders:tender_document_upload", args=[w.tender.pk])
    response = client.post(url, {"file": upload("投标.pdf", EXE)}, follow=True)
    assert "is not a .pdf file" in response.content.decode()
    assert Document.objects.count() == 1
    client.post(url, {"file": upload("技术标.pdf", PDF), "kind": "技术标"})
    page = client.get(reverse("orders:tender", args=[w.tender.pk])).content.decode()
    assert "技术标.pdf" in page


def test_customer_and_opportunity_cards(w):
    contracts.submit_contract(w.org.rep, w.contract, w.contract.version)
    card = render_to_string("orders/account/deals.html",
                            {"account": w.account, "user": w.org.rep})
    assert "ZB-2026-118" in card and w.contract.number in card
    assert "At Sales manager" in card and "Due soon" in card
    assert "ZB-2026-118" not in render_to_string(
        "orders/account/deals.html", {"account": w.account, "user": w.org.teammate})
    card = render_to_string("orders/opportunity/deals.html",
                            {"opportunity": w.opp, "user": w.org.manager})
    assert "ZB-2026-118" in card and w.contract.number in card


def test_cards_sit_on_the_customer_and_opportunity_pages(w):
    client = page_client(w.org, "rep")
    html = client.get(reverse("customers:detail", args=[w.account.pk])).content.decode()
    assert 'id="deals"' in html and "ZB-2026-118" in html and w.contract.number in html
    html = client.get(reverse("sales:opportunity", args=[w.opp.pk])).content.decode()
    assert 'id="opportunity-deals"' in html and "ZB-2026-118" in html
    nav = client.get(reverse("orders:tenders")).content.decode()
    assert reverse("orders:contracts") in nav
