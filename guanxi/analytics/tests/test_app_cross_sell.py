"""Cross-sell: rules mined from what customers bought in the analysis run, each customer's
suggestions with the reason in words, on the 360° page, in the quote editor, as a customer
filter and through the API — inside each user's customer scope.

The shop's customers buy (T transformer, S switchgear, C cable, M meter):

    c1: T S C     c2: T S     c3: T S M     c4: T (and S in an order still in review)    c5: M C

T → S: 3 of the 4 buyers of T bought S (75 %); S is bought by 3 of 5 customers, so the lift
is 0.75 / 0.6 = 1.25. c4 is the one buyer of T without S: S is suggested to c4 only.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from guanxi.analytics.engine import associations
from guanxi.analytics.models import ProductRule, Recommendation
from guanxi.analytics.selectors import recommendations_for
from guanxi.analytics.services import runs
from guanxi.analytics.tests.app_fixtures import UNTIL
from guanxi.core.tests.api_client import as_
from guanxi.orders.models import OrderLine, Product, SalesOrder

pytestmark = pytest.mark.django_db

BASKETS = {"c1": "TSC", "c2": "TS", "c3": "TSM", "c4": "T", "c5": "MC"}
NAMES = {"T": ("变压器 S11", "Transformer S11"), "S": ("开关柜", "Switchgear"),
         "C": ("电缆", "Cable"), "M": ("电表", "Meter")}
_numbers = itertools.count(1)


def _order(account, products, status=SalesOrder.Status.DELIVERED):
    zero = Decimal("0")
    order = SalesOrder.objects.create(
        number=f"SO-T{next(_numbers)}", status=status, account=account, order_date=UNTIL,
        net_amount=zero, tax_amount=zero, total=zero, cost=zero, invoiced_amount=zero,
        paid_amount=zero)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, position=i, product=p, quantity=Decimal(1), list_price=zero,
                  unit_price=zero, discount_percent=zero, tax_rate=zero, net_amount=zero,
                  tax_amount=zero, total=zero, cost=zero)
        for i, p in enumerate(products)])
    return order


@pytest.fixture
def sold(shop):
    """The shop with its customers' purchases of products and one analysis run."""
    products = {key: Product.objects.create(code=f"P-{key}", name_zh=zh, name_en=en,
                                            list_price=Decimal(100), cost=Decimal(60))
                for key, (zh, en) in NAMES.items()}
    for customer, keys in BASKETS.items():
        _order(shop.accounts[customer], [products[k] for k in keys])
    # Not bought yet: an order in review and a cancelled one count for nothing.
    _order(shop.c4, [products["S"]], status=SalesOrder.Status.IN_REVIEW)
    _order(shop.c2, [products["M"]], status=SalesOrder.Status.CANCELLED)
    shop.products = products
    shop.run = runs.run_now(None, UNTIL)
    return shop


def test_the_run_mines_rules_and_suggests_what_similar_customers_bought(sold):
    T, S = sold.products["T"], sold.products["S"]
    rule = ProductRule.objects.get(run=sold.run, antecedent=T, consequent=S)
    assert (rule.customers, rule.support, rule.confidence) == (3, 0.6, 0.75)
    assert rule.lift == pytest.approx(1.25)
    # Only two customers behind a rule make it one: "bought C, also bought M" (c5) is not.
    assert not ProductRule.objects.filter(antecedent=sold.products["C"],
                                          consequent=sold.products["M"]).exists()
    assert sold.run.summary["cross_sell"]["rules"] == ProductRule.objects.filter(
        run=sold.run).count()
    [suggestion] = recommendations_for(sold.org.other_rep, sold.c4)
    assert suggestion.product == S and suggestion.because == T
    assert suggestion.reason == ("75% of customers who bought Transformer S11 also bought "
                                 "Switchgear")
    # Whoever already has everything the rules point to is offered nothing.
    assert recommendations_for(sold.org.rep, sold.c2) == []


def test_the_reason_names_the_products_in_the_readers_language(sold):
    from django.utils import translation

    with translation.override("zh-hans"):
        [suggestion] = recommendations_for(sold.org.admin, sold.c4)
        assert "变压器 S11" in suggestion.reason and "开关柜" in suggestion.reason
        assert "75" in suggestion.reason


def test_suggestions_stay_inside_the_users_customers(sold):
    assert recommendations_for(sold.org.rep, sold.c4) == []  # c4 is the other team's
    assert as_(sold.org.rep).get(
        f"analytics/customers/{sold.c4.pk}/recommendations").status_code == 404
    answer = as_(sold.org.other_rep).get(f"analytics/customers/{sold.c4.pk}/recommendations")
    assert answer.status_code == 200
    [item] = answer.json()
    assert item["product"]["code"] == "P-S" and item["because"]["code"] == "P-T"
    assert item["reason"].startswith("75% of customers who bought")


def test_rules_are_company_figures_for_analysts(sold):
    assert as_(sold.org.rep).get("analytics/cross-sell/rules").status_code == 403
    rules = as_(sold.org.marketing).get("analytics/cross-sell/rules",
                                        product=sold.products["T"].pk).json()
    assert {(r["antecedent"]["code"], r["consequent"]["code"]) for r in rules} == {
        ("P-T", "P-S")}


def test_the_customer_list_filters_the_customers_to_offer_a_product(sold):
    admin = as_(sold.org.admin)
    found = admin.get("customers", recommend=sold.products["S"].pk).json()["items"]
    assert [c["name"] for c in found] == [sold.c4.name]
    # The rep does not see c4: the filter keeps to the rep's customers.
    assert as_(sold.org.rep).get("customers", recommend=sold.products["S"].pk).json()[
        "items"] == []
    bad = admin.get("customers", recommend=999999)
    assert bad.status_code == 400 and bad.json()["field"] == "recommend"
    client = Client()
    client.force_login(sold.org.admin)
    page = client.get("/customers/", {"recommend": sold.products["S"].pk}).content.decode()
    assert sold.c4.name in page and sold.c1.name not in page
    # The product is picked by code or name, not chosen from a list of the whole catalogue.
    product = sold.products["S"]
    assert 'data-picker="product"' in page and f'value="{product.code} ' in page
    assert '<select name="recommend"' not in page


def test_the_360_page_and_the_quote_editor_show_the_suggestions(sold):
    client = Client()
    client.force_login(sold.org.other_rep)
    page = client.get(f"/customers/{sold.c4.pk}/").content.decode()
    assert "75% of customers who bought Transformer S11 also bought Switchgear" in page
    editor = client.get(reverse("orders:quote_create"), {"account": sold.c4.pk})
    assert editor.status_code == 200
    assert "also bought Switchgear" in editor.content.decode()
    # Once the switchgear is on the quote, it is no longer suggested there.
    assert recommendations_for(sold.org.other_rep, sold.c4,
                               exclude=[sold.products["S"].pk]) == []


def test_a_new_run_replaces_the_suggestions(sold):
    _order(sold.c4, [sold.products["S"]])
    runs.run_now(None, UNTIL)
    assert recommendations_for(sold.org.admin, sold.c4) == []
    assert Recommendation.objects.filter(run=sold.run).exists()  # history kept per run


def _brute_force(pairs, min_customers, min_confidence):
    """Rules and noisy-or scores the slow, obvious way."""
    owned: dict[int, set[int]] = {}
    for c, p in pairs:
        owned.setdefault(c, set()).add(p)
    n = len(owned)
    buyers: dict[int, set[int]] = {}
    for c, ps in owned.items():
        for p in ps:
            buyers.setdefault(p, set()).add(c)
    rules = {}
    for a, b in itertools.permutations(buyers, 2):
        both = len(buyers[a] & buyers[b])
        conf = both / len(buyers[a])
        lift = conf / (len(buyers[b]) / n)
        if both >= min_customers and conf >= min_confidence and lift >= 1:
            rules[a, b] = (both, conf, lift)
    scores = {}
    for c, ps in owned.items():
        for (a, b), (_both, conf, _lift) in rules.items():
            if a in ps and b not in ps:
                scores[c, b] = 1 - (1 - scores.get((c, b), 0)) * (1 - conf)
    return rules, scores


def test_the_vectorised_mining_agrees_with_counting_by_hand():
    rng = np.random.default_rng(3)
    customers = rng.integers(0, 60, 400)
    products = (customers % 4) * 5 + rng.integers(0, 7, 400)
    b = associations.baskets(customers, products)
    rules = associations.mine(b, min_customers=2, min_confidence=0.1, per_product=100)
    expected, scores = _brute_force(zip(customers.tolist(), products.tolist(), strict=True),
                                    2, 0.1)
    got = {(int(a), int(c)): (int(n), conf, lift) for a, c, n, conf, lift in zip(
        rules.antecedent, rules.consequent, rules.customers, rules.confidence, rules.lift,
        strict=True)}
    assert got.keys() == expected.keys()
    for key, (n, conf, lift) in expected.items():
        assert got[key][0] == n and got[key][1:] == pytest.approx((conf, lift))
    recs = associations.recommend(b, rules, k=3)
    for c in np.unique(customers):
        mine_ = [(s, p) for (cc, p), s in scores.items() if cc == c]
        best = sorted(s for s, _p in mine_)[::-1][:3]
        shown = recs.score[recs.customer == c]
        assert shown.tolist() == pytest.approx(best)
    assert (recs.rank >= 1).all() and (recs.rank <= 3).all()


def test_rules_beat_the_most_popular_products_when_tastes_differ():
    """Customers of four kinds each buy from their own range: what the rules suggest is
    bought later far more often than the best sellers."""
    rng = np.random.default_rng(5)
    kind = rng.integers(0, 4, 2000)
    customers = rng.integers(0, 2000, 12000)
    products = kind[customers] * 10 + rng.integers(0, 10, 12000)
    early = np.arange(12000) < 8000
    result = associations.evaluate(customers[early], products[early], customers[~early],
                                   products[~early], k=5)
    assert result.customers > 500
    assert result.precision_rules > 2 * result.precision_popular
