"""The one approvals inbox: every kind that waits for a manager in one list with labelled
figures, decided in the row or in bulk; each persona sees only their items, deciding someone
else's is refused, a decided item cannot be decided again; the old inbox addresses lead here.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from guanxi.core import approvals
from guanxi.core.tests.api_client import as_
from guanxi.customers.models import Account, TermsChangeRequest
from guanxi.orders.models import Review
from guanxi.orders.tests import approvals_fixtures
from guanxi.sales.models import SupportRequest

world = approvals_fixtures.world
waiting = approvals_fixtures.waiting

HTMX = {"HTTP_HX_REQUEST": "true"}


def kinds_of(user) -> list[str]:
    return sorted(i.kind for i in approvals.waiting(user))


def test_each_persona_sees_only_their_items_and_decides_only_those(waiting):
    w, o = waiting, waiting.org
    assert kinds_of(o.manager) == sorted(
        ["customer", "terms", "support", "expense"] + ["discount"] * 5)
    assert kinds_of(o.other_manager) == ["expense"]
    assert approvals.count(o.manager) == 9 and approvals.count(o.other_manager) == 1
    for persona in (o.rep, o.teammate, o.finance, o.executive, o.delivery, o.assistant):
        assert kinds_of(persona) == [] and approvals.count(persona) == 0

    # The discount reads as labelled figures, not a bare "14% / 10%".
    ref = f"discount:{w.quotes[0].review_id}"
    first = next(i for i in approvals.waiting(o.manager) if i.ref == ref)
    figures = {str(f.label): f.value for f in first.figures}
    assert figures["Discount asked"] == 12 and figures["Customer's approved rate"] == 10
    assert figures["Beyond the approved rate"] == 2 and "Amount" in figures

    # The API answers the same list; a rep's is empty.
    manager, rep, other = as_(o.manager), as_(o.rep), as_(o.other_manager)
    listed = manager.get("inbox").json()
    assert len(listed) == 9 and {f["label"] for f in listed[0]["figures"]}
    assert [i["kind"] for i in manager.get("inbox", kind="support").json()] == ["support"]
    assert rep.get("inbox").json() == []

    # Deciding someone else's item is refused and changes nothing.
    discount = f"discount:{w.quotes[0].review_id}"
    for client, ref in ((rep, discount), (other, discount), (rep, f"customer:{w.entered.pk}"),
                        (other, f"support:{w.support.pk}"),
                        (manager, f"expense:{w.far_claim.review_id}")):
        answer = client.post("inbox/decide", {"ref": ref, "decision": "approve"})
        assert answer.status_code in (403, 404), (ref, answer.content)
    assert Review.objects.get(pk=w.quotes[0].review_id).status == Review.Status.PENDING

    # Rejecting needs a comment, at the field; nothing changes.
    answer = manager.post("inbox/decide", {"ref": discount, "decision": "reject"})
    assert answer.status_code == 400 and answer.json()["field"] == "comment"

    # Bulk approve takes the routine items; the terms change waits to be decided in its row.
    refs = [i["ref"] for i in listed]
    outcomes = {r["ref"]: r for r in manager.post("inbox/bulk", {"items": refs}).json()}
    assert [r for r, o_ in outcomes.items() if not o_["ok"]] == [f"terms:{w.terms.pk}"]
    assert Review.objects.filter(pk__in=[q.review_id for q in w.quotes],
                                 status=Review.Status.APPROVED).count() == 5
    assert Account.objects.get(pk=w.entered.pk).approval == "approved"
    assert SupportRequest.objects.get(pk=w.support.pk).status == "approved"

    # A decided item cannot be decided again.
    again = manager.post("inbox/decide", {"ref": discount, "decision": "reject",
                                              "comment": "太低"})
    assert again.status_code == 409
    again = manager.post("inbox/decide", {"ref": f"support:{w.support.pk}",
                                              "decision": "reject", "comment": "不行"})
    assert again.status_code == 409

    # Terms: the manager's step, then finance's; the rep never decides.
    terms = f"terms:{w.terms.pk}"
    answer = manager.post("inbox/decide", {"ref": terms, "decision": "approve"})
    assert answer.status_code == 200
    assert kinds_of(o.manager) == [] and kinds_of(o.finance) == ["terms"]
    finance = as_(o.finance)
    assert finance.post("inbox/decide", {"ref": terms, "decision": "approve"}).json()["ok"]
    assert TermsChangeRequest.objects.get(pk=w.terms.pk).status == "applied"
    again = finance.post("inbox/decide", {"ref": terms, "decision": "approve"})
    assert again.status_code == 409
    assert as_(o.finance, scope="read").post(
        "inbox/bulk", {"items": [terms]}).status_code == 403


def test_the_inbox_page_decides_in_the_row_and_in_bulk_and_old_addresses_lead_here(waiting):
    w, o = waiting, waiting.org
    client = Client()
    client.force_login(o.manager)
    html = client.get(reverse("customers:approvals")).content.decode()
    assert html.count('name="item"') == 8  # the terms change is not ticked in bulk
    assert "Discount asked" in html and "12%" in html and "1,234.50" in html
    assert "苏州新客户有限公司" in html and "攻关明珠" in html
    assert 'data-kind="discount"' in html

    # One inbox: the old addresses open it on their kinds; the history pages stay.
    to = client.get(reverse("orders:reviews"))
    assert to.status_code == 302 and "kind=discount" in to.url and "kind=expense" in to.url
    to = client.get(reverse("sales:support_requests"))
    assert to.status_code == 302 and to.url.endswith("?kind=support")
    assert client.get(reverse("orders:reviews") + "?tab=mine").status_code == 200
    assert client.get(reverse("customers:my_approvals")).status_code == 200
    only = client.get(reverse("customers:approvals") + "?kind=support").content.decode()
    assert "攻关明珠" in only and "苏州新客户有限公司" not in only

    # Decide in the row: a reject without a word answers at the row's comment.
    ref = f"discount:{w.quotes[0].review_id}"
    answer = client.post(reverse("customers:approvals_decide"),
                         {"ref": ref, "decision": "reject", "version": 1}, **HTMX)
    assert answer.status_code == 422 and "is-invalid" in answer.content.decode()
    answer = client.post(reverse("customers:approvals_decide"),
                         {"ref": ref, "decision": "approve"}, **HTMX)
    assert answer.status_code == 200 and "Approved" in answer.content.decode()

    # Bulk: tick four discounts and the expense.
    ticked = [f"discount:{q.review_id}" for q in w.quotes[1:]] + [f"expense:{w.claim.review_id}"]
    answer = client.post(reverse("customers:approvals_bulk"), {"item": ticked}, follow=True)
    assert "5 items approved." in answer.content.decode()
    assert approvals.count(o.manager) == 3  # customer, terms, support

    # Someone without items sees an empty inbox and no one else's.
    rep = Client()
    rep.force_login(o.rep)
    empty = rep.get(reverse("customers:approvals")).content.decode()
    assert "Nothing waits for your decision." in empty
    bulk = rep.post(reverse("customers:approvals_bulk"), {"item": [f"customer:{w.entered.pk}"]},
                    follow=True)
    assert "no longer waits for your decision" in bulk.content.decode()
    assert Account.objects.get(pk=w.entered.pk).approval == "pending"
