from guanxi.customers import selectors, services
from guanxi.customers.search import search


def test_rep_creates_customer_and_finds_it_by_initials(org, make_account):
    account = make_account(name="张三贸易有限公司", contacts=[{"name": "张三",
                                                          "mobile": "138 1234 5678"}])
    hits = search(org.rep, "zs")
    assert any(h.kind == "contact" and h.name == "张三" for h in hits)
    assert selectors.visible_accounts(org.rep).filter(pk=account.pk).exists()
    assert not selectors.visible_accounts(org.other_rep).filter(pk=account.pk).exists()
    assert services.completeness(account)[0] > 0
