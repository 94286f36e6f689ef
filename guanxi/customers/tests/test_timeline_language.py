"""Timeline entries read in the reader's language, whoever wrote them."""

from django.urls import reverse
from django.utils import translation

from guanxi.customers import services


def test_entries_written_in_english_read_in_chinese(org, make_account, client):
    with translation.override("en"):
        account = make_account()
        services.add_contact(org.rep, account, {"name": "Wang Fang"})
    org.manager.language = "zh-hans"
    org.manager.save()
    client.force_login(org.manager)
    session = client.session
    session["guanxi_language"] = "zh-hans"
    session.save()
    page = client.get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "客户已录入" in page
    assert "已添加联系人：Wang Fang" in page
    assert "Customer entered" not in page


def test_relationship_title_follows_reader_language(org, make_account):
    account = make_account()
    a = services.add_contact(org.rep, account, {"name": "张伟"})
    b = services.add_contact(org.rep, account, {"name": "李娜"})
    with translation.override("zh-hans"):
        services.add_relationship(org.rep, a, b, "colleague")
    event = account.timeline.filter(kind="customers.relationship").get()
    with translation.override("en"):
        assert event.display_title == "张伟 and 李娜 are colleagues"
    assert event.title == "张伟 and 李娜 are colleagues"
