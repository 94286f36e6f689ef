"""The audit trail reads in words, in the reader's language: the record's kind and name with a
link, field labels, choice labels, related records by name, formatted dates and amounts."""

from __future__ import annotations

import re

from django.urls import reverse

from guanxi.core.models import AuditEntry


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_administrator_reads_changes_in_words_in_both_languages(client, org, make_account):
    account = make_account(name="上海明珠机电有限公司")
    AuditEntry.objects.create(
        actor=org.manager, action="customers.account.updated",
        object_type="customers.account", object_id=str(account.pk), object_repr=str(account),
        changes={"discount_rate": ["5.00", "12.50"],
                 "settlement_method": ["bank_transfer", "acceptance_bill"],
                 "owner": [org.rep.pk, org.teammate.pk], "credit_limit": [None, "2100000.00"]})
    AuditEntry.objects.create(action="customers.account.deleted",
                              object_type="customers.account", object_id="999999",
                              object_repr="已删除的客户", changes={})
    client.force_login(org.admin)

    page = client.get(reverse("core:audit"), {"object_type": "customers.account"},
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = _text(page)
    assert "Approved discount rate" in text and "5.00 → 12.50" in text
    assert "discount_rate" not in text and "customers.account #" not in text
    assert "Bank transfer → Bank acceptance bill" in text
    assert "Customer #" in text
    assert f"{org.rep} → {org.teammate}" in text
    assert "2,100,000.00" in text
    assert f'href="{reverse("customers:detail", args=[account.pk])}"' in page
    # A record that is gone is named, not linked.
    assert "已删除的客户" in text and 'href="/customers/999999/"' not in page

    org.admin.language = "zh-hans"
    org.admin.save(update_fields=["language"])
    session = client.session
    session["guanxi_language"] = "zh-hans"
    session.save()
    text = _text(client.get(reverse("core:audit"),
                            {"object_type": "customers.account"}).content.decode())
    assert "2,100,000.00" in text and "Approved discount rate" not in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
