"""The demo database a newcomer clicks through: coherent, valid, extendable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from stdnum.cn import uscc

from guanxi.accounts.models import Role, Team, User
from guanxi.core.normalize import normalize_name, normalize_phone, syllables
from guanxi.customers.models import (
    Account,
    Contact,
    Relationship,
    SearchToken,
    TermsChangeRequest,
)
from guanxi.customers.search import reindex_accounts, search
from guanxi.demo import bulk
from guanxi.demo.build import build
from guanxi.demo.generate import customer
from guanxi.demo.org import PASSWORD, ensure_org
from guanxi.demo.rows import _composed_syllables

pytestmark = pytest.mark.django_db


def test_demo_command_builds_a_coherent_database_and_prints_logins():
    out = StringIO()
    call_command("demo", scale=30, stdout=out)
    printed = out.getvalue()

    assert "http://127.0.0.1:8000" in printed and PASSWORD in printed
    for role in Role:
        assert User.objects.filter(user_roles__role=role).exists(), role
        assert f"\n  {role.value} " in printed  # username = role code, one line each
        assert authenticate(username=role.value, password=PASSWORD) is not None
    company = Team.objects.get(name="Guanxi Demo 集团")
    assert set(company.children.values_list("name", flat=True)) == {
        "华东区", "华南区", "华北区", "海外区"}

    assert Account.objects.count() == 30
    for account in Account.objects.all():
        assert account.contacts.exists() and account.addresses.exists()
        assert account.timeline.filter(kind="customers.created").exists()
    assistant = User.objects.get(username="assistant")
    assert Account.objects.filter(approval="pending", created_by=assistant).exists()
    statuses = set(TermsChangeRequest.objects.values_list("status", flat=True))
    assert {"manager", "finance"} <= statuses
    assert Relationship.objects.exists()


def test_registration_ids_and_phones_are_valid_and_unique():
    numbers = range(0, 3_000_000, 997)
    ids = [customer(n).data.get("registration_id") for n in numbers]
    ids = [i for i in ids if i]
    assert len(ids) > 2000
    assert all(uscc.is_valid(i) for i in ids)
    assert len(set(ids)) == len(ids)
    for n in range(0, 600_000, 7919):
        spec = customer(n)
        for phone in [spec.data.get("phone"), *(c.get("mobile") for c in spec.contacts)]:
            if phone:
                assert normalize_phone(phone) == phone


def test_names_include_surnames_search_must_read_as_surnames():
    names = {c["name"] for n in range(3000) for c in customer(n).contacts}
    for surname in ("曾", "单", "解", "仇", "区", "朴", "查", "欧阳", "司马", "诸葛"):
        assert any(name.startswith(surname) for name in names), surname


def test_running_the_demo_again_extends_instead_of_duplicating():
    build(12)
    users, teams = User.objects.count(), Team.objects.count()
    build(12)
    assert Account.objects.count() == 12
    build(20)
    assert Account.objects.count() == 20
    assert (User.objects.count(), Team.objects.count()) == (users, teams)
    keys = list(Account.objects.values_list("name_key", flat=True))
    regs = list(Account.objects.exclude(registration_id=None)
                .values_list("registration_id", flat=True))
    assert len(set(regs)) == len(regs)
    assert len(set(keys)) >= len(keys) - 1  # persons may share a name, companies never


def test_bulk_loaded_customers_are_indexed_exactly_like_the_services_do():
    org = ensure_org()
    assert bulk.load(org, 60, workers=0) == 60
    assert Account.objects.count() == 60
    for account in Account.objects.order_by("id")[:25]:
        loaded = set(SearchToken.objects.filter(account=account).values_list(
            "token", "field", "pos", "contact_id"))
        reindex_accounts([account.pk])
        indexed = set(SearchToken.objects.filter(account=account).values_list(
            "token", "field", "pos", "contact_id"))
        assert loaded == indexed, account.name
        assert account.name_key == normalize_name(account.name)
    # More customers later continue the numbering: nothing collides.
    assert bulk.load(org, 10, workers=0) == 10
    assert Account.objects.count() == 70
    rep = org.users["rep"]
    contact = Contact.objects.filter(account__owner=rep, account__in_pool=False).first()
    hits = search(rep, contact.mobile[3:])
    assert any(h.id == contact.pk for h in hits)


def test_readings_built_from_parts_equal_whole_name_readings():
    for n in range(0, 400_000, 211):
        spec = customer(n)
        texts = [(normalize_name(spec.data["name"]), spec.is_person)]
        texts += [(c["name"], True) for c in spec.contacts]
        for text, person in texts:
            if any("\u4e00" <= ch <= "\u9fff" for ch in text):
                assert _composed_syllables(text, person) == syllables(text, person), text
