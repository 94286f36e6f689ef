"""Quote pages: every URL against every persona, the editor (errors at the line, totals
recalculated on the server), actions by status, the customer and opportunity cards."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.tests.matrix import assert_page_case, page_client, page_clients
from guanxi.customers.models import Standing
from guanxi.orders.models import Quote, QuoteLine
from guanxi.orders.services import quotes as svc
from guanxi.orders.tests.test_quotes_fixtures import make_quote, world
from guanxi.orders.views.quotes import urls as quote_urls

__all__ = ["world"]
PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "executive", "other_rep",
            "admin", "anon"]


@pytest.fixture
def w(world):
    draft = make_quote(world, title="草稿")
    approved = make_quote(world, title="已批准")
    svc.submit_quote(world.org.rep, approved, approved.version)
    approved.refresh_from_db()
    return SimpleNamespace(**vars(world), draft=draft, approved=approved)


def _line_post(w, *rows, **extra):
    data = {"account": w.account.pk, "line_product": [], "line_quantity": [],
            "line_unit_price": [], "line_discount_percent": [], "line_description": []}
    for product, quantity, price, discount in rows:
        data["line_product"].append(product)
        data["line_quantity"].append(quantity)
        data["line_unit_price"].append(price)
        data["line_discount_percent"].append(discount)
        data["line_description"].append("")
    return data | extra


# (url name, method, args, post data, expected status per persona in PERSONAS order)
#                                             rep tm  mgr ast fin exe oth adm anon
CASES = [
    ("quotes", "get", lambda w: [], None, "200 200 200 200 200 200 200 200 302"),
    ("quote_create", "get", lambda w: [], None, "200 200 200 200 403 403 200 200 302"),
    ("quote_lines", "post", lambda w: [],
     lambda w: _line_post(w, (w.transformer.pk, "1", "", "")),
     "200 404 200 200 403 403 404 200 302"),
    ("quote", "get", lambda w: [w.draft.pk], None, "200 404 200 200 200 200 404 200 302"),
    ("quote_edit", "get", lambda w: [w.draft.pk], None,
     "200 404 200 200 403 403 404 200 302"),
    ("quote_send", "get", lambda w: [w.approved.pk], None,
     "200 404 200 200 403 403 404 200 302"),
    ("quote_action", "post", lambda w: [w.approved.pk],
     lambda w: {"action": "accept", "version": w.approved.version},
     "302 404 302 302 403 403 404 302 302"),
    ("quote_pdf", "get", lambda w: [w.approved.pk], None,
     "200 404 200 200 200 200 404 200 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, org, w):
    name, method, args, data, expected = case
    url = reverse(f"orders:{name}", args=args(w))
    assert_page_case(name, page_clients(org, PERSONAS), w, method, url, data, expected)


def test_every_page_is_in_the_matrix():
    assert {p.name for p in quote_urls} == {c[0] for c in CASES}


def test_editor_creates_a_quote_from_the_customer_page(org, world):
    client = page_client(org, "rep")
    page = client.get(reverse("orders:quote_create") + f"?account={world.account.pk}"
                      f"&opportunity={world.opp.pk}").content.decode()
    assert "上海明珠机电有限公司" in page and "变压器项目" in page
    assert 'id="line-0-search"' in page and reverse("api:pick", args=["product"]) in page
    response = client.post(reverse("orders:quote_create"), _line_post(
        world, (world.transformer.pk, "2", "", "5"), (world.switch.pk, "3", "2300", ""),
        title="一期", contact=world.contact.pk, opportunity=world.opp.pk, currency="CNY",
        discount_percent="1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    quote = Quote.objects.get()
    assert response["Location"] == reverse("orders:quote", args=[quote.pk])
    assert quote.opportunity == world.opp and quote.contact == world.contact
    assert [li.unit_price for li in quote.lines.order_by("position")] == [
        Decimal("10000.00"), Decimal("2300.00")]
    assert quote.net_amount == sum(li.net_amount for li in quote.lines.all())


def test_editor_errors_at_the_line_and_nothing_saved(org, world):
    client = page_client(org, "rep")
    response = client.post(reverse("orders:quote_create"), _line_post(
        world, (world.transformer.pk, "2", "", ""), (world.switch.pk, "-3", "", "120")))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="line-1-quantity"' in page and "The quantity must be more than zero." in page
    assert "A discount is between 0 and 100 percent." in page
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()


def test_lines_recalculate_on_the_server(org, world):
    client = page_client(org, "rep")
    url = reverse("orders:quote_lines")
    page = client.post(url, _line_post(world, (world.transformer.pk, "2", "", "10"),
                                       (world.switch.pk, "3", "", "")),
                       HTTP_HX_REQUEST="true").content.decode()
    # 18000 + 7037.01 = 25037.01 before tax; 2340 + 914.81 VAT
    assert 'id="total-net">25,037.01' in page and "28,291.82" in page
    page = client.post(url, _line_post(world, (world.transformer.pk, "2", "", "10"),
                                       add="1")).content.decode()
    assert page.count('class="quote-line"') == 2
    page = client.post(url, _line_post(world, (world.transformer.pk, "2", "", "10"),
                                       (world.switch.pk, "3", "", ""), remove="0")).content \
        .decode()
    assert page.count('class="quote-line"') == 1 and "7,037.01" in page
    page = client.post(url, _line_post(world, (world.switch.pk, "", "", ""))).content.decode()
    assert 'id="line-0-quantity"' in page and 'value="1"' in page and "2,650.61" in page
    assert 'value="SW-20 Vacuum circuit breaker"' in page
    page = client.post(url, _line_post(world, (world.transformer.pk, "0", "", ""))).content \
        .decode()
    assert "The quantity must be more than zero." in page and 'id="total-net"' not in page


def test_edit_keeps_lines_and_refuses_a_stale_version(org, w):
    client = page_client(org, "rep")
    url = reverse("orders:quote_edit", args=[w.draft.pk])
    page = client.get(url).content.decode()
    assert page.count('class="quote-line"') == 2
    post = _line_post(w, (w.transformer.pk, "1", "", ""), version=w.draft.version,
                      title="只要变压器")
    assert client.post(url, post).status_code == 302
    w.draft.refresh_from_db()
    assert w.draft.lines.count() == 1 and w.draft.title == "只要变压器"
    response = client.post(url, post)  # the version read before the save
    assert "Someone else changed this record" in response.content.decode()


def test_actions_by_status_and_accept(org, w):
    client = page_client(org, "rep")
    page = client.get(reverse("orders:quote", args=[w.draft.pk])).content.decode()
    assert 'name="action" value="submit"' in page and 'name="action" value="accept"' not in page
    page = client.get(reverse("orders:quote", args=[w.approved.pk])).content.decode()
    assert 'name="action" value="accept"' in page and 'name="action" value="submit"' not in page
    assert "Create order" not in page
    client.post(reverse("orders:quote_action", args=[w.approved.pk]),
                {"action": "accept", "version": w.approved.version})
    w.account.refresh_from_db()
    assert w.account.standing == Standing.LEAD
    page = client.get(reverse("orders:quote", args=[w.approved.pk])).content.decode()
    assert reverse("orders:order_create_from_quote", args=[w.approved.pk]) in page
    finance = page_client(org, "finance").get(
        reverse("orders:quote", args=[w.draft.pk])).content.decode()
    assert 'name="action" value="submit"' not in finance and "Oil-immersed transformer" in finance


def test_stale_action_is_refused_with_a_message(org, w):
    client = page_client(org, "rep")
    response = client.post(reverse("orders:quote_action", args=[w.approved.pk]),
                           {"action": "accept", "version": w.approved.version - 1},
                           follow=True)
    assert "Someone else changed this record" in response.content.decode()
    w.approved.refresh_from_db()
    assert w.approved.status == Quote.Status.APPROVED


def test_revise_opens_the_new_version_in_the_editor(org, w):
    client = page_client(org, "rep")
    response = client.post(reverse("orders:quote_action", args=[w.approved.pk]),
                           {"action": "revise", "version": w.approved.version})
    new = Quote.objects.get(previous=w.approved)
    assert response["Location"] == reverse("orders:quote_edit", args=[new.pk])
    page = client.get(reverse("orders:quote", args=[new.pk])).content.decode()
    assert reverse("orders:quote", args=[w.approved.pk]) in page  # the earlier version


def test_waiting_approval_shows_its_steps(org, world):
    quote = make_quote(world, "20")
    svc.submit_quote(org.rep, quote, quote.version)
    page = page_client(org, "rep").get(reverse("orders:quote", args=[quote.pk])).content.decode()
    assert "Sales manager" in page
    quote.refresh_from_db()
    decide = reverse("orders:review_decide", args=[quote.review_id])
    assert decide not in page  # the rep does not approve their own discount
    page = page_client(org, "manager").get(reverse("orders:quote", args=[quote.pk])).content \
        .decode()
    assert decide in page


def test_send_page(org, w, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = page_client(org, "rep")
    url = reverse("orders:quote_send", args=[w.approved.pk])
    assert "zhangsan@mingzhu.example" in client.get(url).content.decode()
    response = client.post(url, {"to": "nope", "language": "zh-hans",
                                 "version": w.approved.version})
    assert "Enter a valid email address." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"to": "zhangsan@mingzhu.example", "language": "en",
                                     "message": "", "version": w.approved.version})
    assert response.status_code == 302
    w.approved.refresh_from_db()
    assert w.approved.status == Quote.Status.SENT


def test_cards_on_the_customer_and_opportunity_pages(org, w):
    client = page_client(org, "rep")
    page = client.get(reverse("customers:detail", args=[w.account.pk])).content.decode()
    assert 'id="quotes"' in page and w.draft.number in page
    assert reverse("orders:quote_create") + f"?account={w.account.pk}" in page
    page = client.get(reverse("sales:opportunity", args=[w.opp.pk])).content.decode()
    assert 'id="quotes"' in page and w.approved.number in page
    assert "New quote" in page


def test_list_filters_and_query_count(org, w):
    client = page_client(org, "manager")
    page = client.get(reverse("orders:quotes"), {"status": "approved"}).content.decode()
    assert w.approved.number in page and reverse("orders:quote", args=[w.draft.pk]) not in page
    for _ in range(5):
        make_quote(w)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orders:quotes"))
    for _ in range(10):
        make_quote(w)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("orders:quotes"))
    assert len(more) == len(few)


def test_pdf_page(org, w):
    response = page_client(org, "finance").get(reverse("orders:quote_pdf", args=[w.approved.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{w.approved.number}.pdf"' in response["Content-Disposition"]


def test_sidebar_links_to_quotes(org, w):
    page = page_client(org, "finance").get(reverse("orders:quote", args=[w.draft.pk])) \
        .content.decode()
    assert f'class="nav-item active" href="{reverse("orders:quotes")}"' in page
