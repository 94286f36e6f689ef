"""Customer pages as the personas see them: who may open what, what a bad input shows, what a
concurrent edit says, and how many queries the busy pages make."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.models import AuditEntry, CustomFieldDefinition
from guanxi.customers.models import Account, Address, Contact, Relationship, TimelineEvent

PASSWORD = "pw-Guanxi-2026"


@pytest.fixture
def login(client):
    def as_(user):
        client.force_login(user)
        return client
    return as_


@pytest.fixture
def customer(make_account):
    return make_account(name="欧阳贸易有限公司", phone="13812345678",
                        contacts=[{"name": "欧阳修", "mobile": "13912345678",
                                   "title": "采购经理"}])


def page_urls(account: Account) -> list[str]:
    contact = account.contacts.first()
    return [
        reverse("customers:detail", args=[account.pk]),
        reverse("customers:edit", args=[account.pk]),
        reverse("customers:timeline", args=[account.pk]),
        reverse("customers:follow_up", args=[account.pk]),
        reverse("customers:tags", args=[account.pk]),
        reverse("customers:share", args=[account.pk]),
        reverse("customers:contact_create", args=[account.pk]),
        reverse("customers:contact_edit", args=[contact.pk]),
        reverse("customers:contact_remove", args=[contact.pk]),
        reverse("customers:address_create", args=[account.pk]),
        reverse("customers:relationship_create", args=[account.pk]),
    ]


# --- Who sees what -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["home", "list", "create", "search"])
def test_anonymous_is_sent_to_login(client, org, name):
    response = client.get(reverse(f"customers:{name}"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_anonymous_cannot_open_a_customer(client, customer):
    for url in page_urls(customer):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("account_login") in response["Location"]


def test_owner_opens_every_page_of_their_customer(login, org, customer):
    client = login(org.rep)
    for url in page_urls(customer):
        assert client.get(url).status_code == 200, url


def test_other_teams_rep_gets_404_everywhere(login, org, customer):
    client = login(org.other_rep)
    for url in page_urls(customer):
        assert client.get(url).status_code == 404, url
    address = Address.objects.create(account=customer, province="上海市", city="上海市")
    assert client.get(reverse("customers:address_edit", args=[address.pk])).status_code == 404
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           {"name": "改名", "version": customer.version, "kind": "company"})
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.name == "欧阳贸易有限公司"


def test_missing_customer_is_404(login, org):
    assert login(org.rep).get(reverse("customers:detail", args=[999999])).status_code == 404


def test_manager_sees_the_teams_customers_in_list_and_detail(login, org, customer,
                                                             make_account):
    make_account(by=org.other_rep, name="深圳远方科技有限公司")
    client = login(org.manager)
    listing = client.get(reverse("customers:list")).content.decode()
    assert "欧阳贸易有限公司" in listing
    assert "深圳远方科技有限公司" not in listing
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    assert reverse("customers:assign", args=[customer.pk]) in page.content.decode()


def test_teammate_reads_nothing_of_a_colleagues_customer(login, org, customer):
    assert login(org.teammate).get(
        reverse("customers:detail", args=[customer.pk])).status_code == 404


def test_finance_reads_but_may_not_edit(login, org, customer):
    client = login(org.finance)
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    assert reverse("customers:edit", args=[customer.pk]) not in page.content.decode()
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           {"name": "财务改名", "kind": "company", "version": customer.version,
                            "source": "manual"})
    assert response.status_code == 403
    response = client.post(reverse("customers:contact_create", args=[customer.pk]),
                           {"name": "新人"})
    assert response.status_code == 403
    assert not customer.contacts.filter(name="新人").exists()
    customer.refresh_from_db()
    assert customer.name == "欧阳贸易有限公司"


def test_finance_cannot_enter_customers(login, org):
    response = login(org.finance).post(reverse("customers:create"),
                                       {"kind": "company", "name": "不该有的客户",
                                        "source": "manual"})
    assert response.status_code == 403
    assert not Account.objects.filter(name="不该有的客户").exists()


def test_viewing_a_customer_is_audited(login, org, customer):
    login(org.rep).get(reverse("customers:detail", args=[customer.pk]))
    assert AuditEntry.objects.filter(action="customers.account.viewed",
                                     object_id=str(customer.pk), actor=org.rep).exists()


# --- Creating ------------------------------------------------------------------------------

def create_payload(**overrides):
    data = {
        "kind": "company", "name": "华夏重工有限公司", "source": "exhibition",
        "industry": "manufacturing", "phone": "021 6234 5678",
        "discount_rate": "0", "payment_terms_days": "30", "settlement_method": "bank_transfer",
        "credit_limit": "0", "tags": "重点, 华东",
        "contact-name": "李白", "contact-mobile": "139 0000 1111", "contact-title": "总经理",
        "address-kind": "office", "address-country": "CN", "address-province": "上海市",
        "address-city": "上海市", "address-district": "浦东新区",
        "address-street": "世纪大道 100 号",
    }
    return data | overrides


def test_rep_creates_a_company_with_contact_address_and_tags(login, org):
    response = login(org.rep).post(reverse("customers:create"), create_payload())
    account = Account.objects.get(name="华夏重工有限公司")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[account.pk])
    assert account.owner == org.rep
    assert account.phone == "+862162345678"
    assert account.contacts.get().name == "李白"
    assert account.addresses.get().district == "浦东新区"
    assert sorted(account.tags.values_list("name", flat=True)) == ["华东", "重点"]


def test_person_customer_uses_its_own_name_for_the_contact(login, org):
    login(org.rep).post(reverse("customers:create"), create_payload(
        kind="person", name="张三丰", **{"contact-name": "", "contact-title": ""}))
    account = Account.objects.get(name="张三丰")
    assert account.kind == "person"
    assert account.contacts.get().name == "张三丰"


def test_foreign_address_uses_free_lines(login, org):
    login(org.rep).post(reverse("customers:create"), create_payload(**{
        "address-country": "DE", "address-province": "",
        "address-lines": "Hauptstraße 1\n80331 München"}))
    address = Account.objects.get(name="华夏重工有限公司").addresses.get()
    assert address.country == "DE" and "München" in address.lines


def test_bad_phone_shows_at_the_field_and_creates_nothing(login, org):
    response = login(org.rep).post(reverse("customers:create"),
                                   create_payload(phone="12345"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "phone" in form.errors
    assert not Account.objects.filter(name="华夏重工有限公司").exists()
    assert 'id="field-phone"' in response.content.decode()


def test_bad_contact_mobile_shows_at_the_contact_field(login, org):
    response = login(org.rep).post(reverse("customers:create"),
                                   create_payload(**{"contact-mobile": "abc"}))
    assert "mobile" in response.context["contact_form"].errors
    assert not Account.objects.filter(name="华夏重工有限公司").exists()


def test_chinese_address_needs_a_province(login, org):
    response = login(org.rep).post(reverse("customers:create"),
                                   create_payload(**{"address-province": ""}))
    assert "province" in response.context["address_form"].errors
    assert not Account.objects.filter(name="华夏重工有限公司").exists()


def test_discount_beyond_company_minimum_is_refused_at_the_field(login, org):
    response = login(org.rep).post(reverse("customers:create"),
                                   create_payload(discount_rate="45"))
    assert "discount_rate" in response.context["form"].errors
    assert not Account.objects.filter(name="华夏重工有限公司").exists()


def test_duplicate_shows_the_match_and_create_anyway_works(login, org, make_account):
    existing = make_account(name="华夏重工有限公司")
    client = login(org.rep)
    response = client.post(reverse("customers:create"), create_payload())
    html = response.content.decode()
    assert Account.objects.filter(name="华夏重工有限公司").count() == 1
    assert response.context["duplicates"][0]["account"] == existing
    assert reverse("customers:detail", args=[existing.pk]) in html
    assert 'name="force"' in html
    client.post(reverse("customers:create"), create_payload(force="on"))
    assert Account.objects.filter(name="华夏重工有限公司").count() == 2


def test_customer_of_another_rep_is_refused(login, org, make_account):
    make_account(by=org.other_rep, name="华夏重工有限公司")
    response = login(org.rep).post(reverse("customers:create"), create_payload(force="on"))
    assert response.context["refused"]
    assert "黄伟" in response.content.decode()
    assert Account.objects.filter(name="华夏重工有限公司").count() == 1


def test_assistant_enters_for_a_rep_and_it_waits_for_approval(login, org):
    response = login(org.assistant).post(reverse("customers:create"),
                                         create_payload(owner=org.rep.pk))
    assert response.status_code == 302
    account = Account.objects.get(name="华夏重工有限公司")
    assert account.owner == org.rep and account.is_pending


def test_custom_fields_are_rendered_and_validated(login, org):
    CustomFieldDefinition.objects.create(target="customers.account", key="grade",
                                         label_en="Grade", type="choice", choices=["A", "B"])
    CustomFieldDefinition.objects.create(target="customers.account", key="founded",
                                         label_en="Founded", type="date")
    client = login(org.rep)
    page = client.get(reverse("customers:create")).content.decode()
    assert 'name="custom_grade"' in page and 'type="date"' in page
    response = client.post(reverse("customers:create"), create_payload(custom_grade="Z"))
    assert "custom_grade" in response.context["form"].errors
    client.post(reverse("customers:create"),
                create_payload(custom_grade="A", custom_founded="2001-05-04"))
    account = Account.objects.get(name="华夏重工有限公司")
    assert account.custom == {"grade": "A", "founded": "2001-05-04"}
    listing = client.get(reverse("customers:list"), {"custom_grade": "B"})
    assert "华夏重工有限公司" not in listing.content.decode()
    listing = client.get(reverse("customers:list"), {"custom_grade": "A"})
    assert "华夏重工有限公司" in listing.content.decode()


# --- Editing -------------------------------------------------------------------------------

def edit_payload(account: Account, **overrides):
    data = {"kind": account.kind, "name": account.name, "source": account.source,
            "industry": account.industry, "phone": account.phone, "version": account.version}
    return data | overrides


def test_owner_edits_the_profile(login, org, customer):
    response = login(org.rep).post(reverse("customers:edit", args=[customer.pk]),
                                   edit_payload(customer, needs="更省电的变压器"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.needs == "更省电的变压器"


def test_concurrent_edit_is_refused_with_a_clear_message(login, org, customer):
    client = login(org.rep)
    stale = customer.version
    client.post(reverse("customers:edit", args=[customer.pk]),
                edit_payload(customer, needs="第一次"))
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           edit_payload(customer, version=stale, needs="第二次"))
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    customer.refresh_from_db()
    assert customer.needs == "第一次"


def test_terms_are_not_editable_on_an_approved_customer(login, org, customer):
    client = login(org.rep)
    page = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert 'name="discount_rate"' not in page
    assert reverse("customers:terms_request", args=[customer.pk]) in page
    client.post(reverse("customers:edit", args=[customer.pk]),
                edit_payload(customer, discount_rate="10"))
    customer.refresh_from_db()
    assert customer.discount_rate == 0


def test_bad_edit_changes_nothing(login, org, customer):
    response = login(org.rep).post(reverse("customers:edit", args=[customer.pk]),
                                   edit_payload(customer, name="", email="not-an-email"))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.name == "欧阳贸易有限公司"


# --- Contacts, addresses, relationships, follow-up, tags ----------------------------------

def test_contact_add_edit_remove(login, org, customer):
    client = login(org.rep)
    client.post(reverse("customers:contact_create", args=[customer.pk]),
                {"name": "司马光", "mobile": "13700001111"})
    contact = customer.contacts.get(name="司马光")
    assert contact.mobile == "+8613700001111"
    client.post(reverse("customers:contact_edit", args=[contact.pk]),
                {"name": "司马光", "title": "总工", "version": contact.version})
    contact.refresh_from_db()
    assert contact.title == "总工"
    client.post(reverse("customers:contact_remove", args=[contact.pk]),
                {"version": contact.version})
    contact.refresh_from_db()
    assert not contact.is_active


def test_contact_stale_version_and_bad_email(login, org, customer):
    client = login(org.rep)
    contact = customer.contacts.get()
    response = client.post(reverse("customers:contact_edit", args=[contact.pk]),
                           {"name": "欧阳修", "email": "nope", "version": contact.version})
    assert "email" in response.context["form"].errors
    response = client.post(reverse("customers:contact_edit", args=[contact.pk]),
                           {"name": "欧阳修二", "version": contact.version + 5})
    assert "Someone else changed this record" in response.content.decode()
    contact.refresh_from_db()
    assert contact.name == "欧阳修"


def test_contact_form_in_modal_redirects_the_page_on_success(login, org, customer):
    client = login(org.rep)
    url = reverse("customers:contact_create", args=[customer.pk])
    headers = {"HX-Request": "true", "HX-Target": "modal-content"}
    form = client.get(url, headers=headers).content.decode()
    assert "<html" not in form and "modal-header" in form
    response = client.post(url, {"name": "苏轼"}, headers=headers)
    assert response["HX-Redirect"] == reverse("customers:detail", args=[customer.pk])


def test_address_add_edit_remove(login, org, customer):
    client = login(org.rep)
    client.post(reverse("customers:address_create", args=[customer.pk]),
                {"kind": "shipping", "country": "CN", "province": "江苏省", "city": "苏州市",
                 "street": "工业园区 8 号"})
    address = customer.addresses.get()
    assert address.province_code == "320000"
    response = client.post(reverse("customers:address_edit", args=[address.pk]),
                           {"kind": "shipping", "country": "CN", "province": "",
                            "version": address.version})
    assert "province" in response.context["form"].errors
    client.post(reverse("customers:address_edit", args=[address.pk]),
                {"kind": "shipping", "country": "CN", "province": "江苏省", "city": "无锡市",
                 "version": address.version})
    address.refresh_from_db()
    assert address.city == "无锡市"
    client.post(reverse("customers:address_remove", args=[address.pk]),
                {"version": address.version})
    assert not customer.addresses.exists()


def test_relationship_to_a_person_at_another_customer(login, org, customer, make_account):
    other = make_account(name="苏氏家具有限公司", contacts=[{"name": "苏轼"}])
    client = login(org.rep)
    me = customer.contacts.get()
    friend = other.contacts.get()
    page = client.post(reverse("customers:relationship_create", args=[customer.pk]),
                       {"find": "ss", "find_only": "1"}).content.decode()
    assert "苏轼" in page
    client.post(reverse("customers:relationship_create", args=[customer.pk]),
                {"from_contact": me.pk, "kind": "friend", "to_contact": friend.pk})
    rel = Relationship.objects.get()
    assert (rel.from_contact, rel.to_contact) == (me, friend)
    detail = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "苏轼" in detail and 'id="graph-data"' in detail
    client.post(reverse("customers:relationship_remove", args=[rel.pk]))
    assert not Relationship.objects.exists()


def test_relationship_to_an_invisible_person_is_refused(login, org, customer, make_account):
    hidden = make_account(by=org.other_rep, name="远方公司", contacts=[{"name": "陌生人"}])
    response = login(org.rep).post(
        reverse("customers:relationship_create", args=[customer.pk]),
        {"from_contact": customer.contacts.get().pk, "kind": "friend",
         "to_contact": hidden.contacts.get().pk})
    assert "to_contact" in response.context["form"].errors
    assert not Relationship.objects.exists()


def test_follow_up_is_logged_and_empty_text_refused(login, org, customer):
    client = login(org.rep)
    response = client.post(reverse("customers:follow_up", args=[customer.pk]), {"text": " "})
    assert "text" in response.context["form"].errors
    client.post(reverse("customers:follow_up", args=[customer.pk]),
                {"text": "电话沟通了新报价", "contact": customer.contacts.get().pk})
    assert TimelineEvent.objects.filter(account=customer, body="电话沟通了新报价").exists()
    detail = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "电话沟通了新报价" in detail


def test_tags_and_sharing(login, org, customer):
    client = login(org.rep)
    client.post(reverse("customers:tags", args=[customer.pk]), {"tags": "VIP，老客户"})
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "老客户"]
    client.post(reverse("customers:share", args=[customer.pk]), {"user": org.teammate.pk})
    assert login(org.teammate).get(
        reverse("customers:detail", args=[customer.pk])).status_code == 200


def test_timeline_loads_more(login, org, customer):
    from guanxi.customers.services.common import add_event
    for n in range(30):
        add_event(customer, "customers.note", f"第{n}条记录", org.rep)
    client = login(org.rep)
    detail = client.get(reverse("customers:detail", args=[customer.pk]))
    events = detail.context["events"]
    assert len(events) == 20 and detail.context["more_events"]
    more = client.get(reverse("customers:timeline", args=[customer.pk]),
                      {"before": events[-1].pk}, headers={"HX-Request": "true"})
    html = more.content.decode()
    assert "<html" not in html and "第0条记录" in html


# --- Lists, search, home ---------------------------------------------------------------------

def test_list_filters_sorts_and_pages(login, org, make_account):
    for n in range(55):
        make_account(name=f"分页客户{n:02d}有限公司")
    make_account(name="能源客户有限公司", industry="energy")
    client = login(org.rep)
    first = client.get(reverse("customers:list"), {"sort": "name"})
    assert len(first.context["rows"]) == 50 and first.context["has_next"]
    second = client.get(reverse("customers:list"), {"sort": "name", "page": 2})
    assert len(second.context["rows"]) == 6 and not second.context["has_next"]
    names = [a.name for a in first.context["rows"]] + [a.name for a in second.context["rows"]]
    assert names == sorted(names, key=lambda n: Account.objects.get(name=n).name_key)
    energy = client.get(reverse("customers:list"), {"industry": "energy"})
    assert [a.name for a in energy.context["rows"]] == ["能源客户有限公司"]
    partial = client.get(reverse("customers:list"), {"industry": "energy"},
                         headers={"HX-Request": "true", "HX-Target": "customer-table"})
    assert "<html" not in partial.content.decode()


def test_list_shows_markup_in_names_as_text(login, org, make_account):
    evil = make_account(name='<b>Evil & "Co"</b>',
                        contacts=[{"name": "<script>alert(1)</script>"}])
    html = login(org.rep).get(reverse("customers:list")).content.decode()
    detail = reverse("customers:detail", args=[evil.pk])
    assert (f'<a href="{detail}" hx-boost="false">'
            "&lt;b&gt;Evil &amp; &quot;Co&quot;&lt;/b&gt;</a>") in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Evil" not in html and "<script>alert" not in html


def test_list_search_by_pinyin_initials(login, org, customer, make_account):
    make_account(name="无关公司")
    rows = login(org.rep).get(reverse("customers:list"), {"q": "oyx"}).context["rows"]
    assert [a.name for a in rows] == ["欧阳贸易有限公司"]


def test_list_queries_stay_constant(login, org, make_account, django_assert_max_num_queries):
    client = login(org.manager)
    for n in range(5):
        make_account(name=f"查询客户{n}有限公司", contacts=[{"name": f"联系人{n}"}])
    client.get(reverse("customers:list"))  # warm the session and caches
    # 12 for the list itself and the sidebar, +1 for the approvals-inbox badge of a manager,
    # +1 for the products the cross-sell filter offers, +3 for the list tools (saved views,
    # the bounded row count, the reps a manager may assign to), +1 on PostgreSQL for the
    # planner's estimate the count asks first.
    with django_assert_max_num_queries(18) as few:
        client.get(reverse("customers:list"))
    for n in range(30):
        make_account(name=f"更多客户{n}有限公司", contacts=[{"name": f"人{n}"}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("customers:list"))


def test_detail_makes_a_bounded_number_of_queries(login, org, customer, make_account,
                                                  django_assert_max_num_queries):
    client = login(org.rep)
    for n in range(10):
        client.post(reverse("customers:contact_create", args=[customer.pk]),
                    {"name": f"同事{n}"})
    other = make_account(name="外部公司", contacts=[{"name": "外部人"}])
    contacts = list(customer.contacts.all())
    for c in contacts[:5]:
        Relationship.objects.create(from_contact=c, to_contact=other.contacts.get(),
                                    kind="friend")
    client.get(reverse("customers:home"))  # the sidebar's badges are counted once a minute
    # One query per card: profile, contacts, timeline, opportunities, work, value, and the
    # quote-to-cash cards (quotes, tenders, contracts, orders, invoices, payments, expenses),
    # service's (cases, assets, service records, open complaints and breaches), marketing's
    # (campaigns, and consent: one query per person shown) and the recommendations; plus one
    # for the counts of all the tabs (not one per tab).
    with django_assert_max_num_queries(46):
        response = client.get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200


def test_global_search_dropdown_and_page(login, org, customer):
    client = login(org.rep)
    dropdown = client.get(reverse("customers:search"), {"q": "oyx"},
                          headers={"HX-Request": "true", "HX-Target": "global-search-results"})
    html = dropdown.content.decode()
    assert "<html" not in html and "欧阳修" in html and "search-hit" in html
    # What one may start for the customer found, and before typing, the records opened last.
    assert f"{reverse('orders:quote_create')}?account={customer.pk}" in html
    assert f"{reverse('sales:opportunity_create')}?account={customer.pk}" in html
    empty = client.get(reverse("customers:search"), {"q": ""},
                       headers={"HX-Request": "true", "HX-Target": "global-search-results"})
    assert "recent-hit" not in empty.content.decode()
    client.get(reverse("customers:detail", args=[customer.pk]))
    empty = client.get(reverse("customers:search"), {"q": ""},
                       headers={"HX-Request": "true", "HX-Target": "global-search-results"})
    assert "recent-hit" in empty.content.decode() and customer.name in empty.content.decode()
    page = client.get(reverse("customers:search"), {"q": "13912345678"}).content.decode()
    assert "欧阳修" in page and "<html" in page
    hidden = login(org.other_rep).get(reverse("customers:search"), {"q": "oyx"})
    assert "欧阳修" not in hidden.content.decode()


def test_home_shows_my_day(login, org, customer, make_account):
    make_account(by=org.other_rep, name="别人的客户有限公司")
    client = login(org.rep)
    html = client.get(reverse("customers:home")).content.decode()
    assert "欧阳贸易有限公司" in html and "别人的客户有限公司" not in html
    assert client.get(reverse("customers:home")).context["approvals"] is None
    from guanxi.customers import services
    pending = services.create_account(org.assistant, {"name": "待批客户有限公司"}, owner=org.rep)
    assert pending.is_pending
    manager_home = login(org.manager).get(reverse("customers:home"))
    assert manager_home.context["approvals"] >= 1


def test_base_layout_has_navigation_language_switch_and_csrf_header(login, org):
    html = login(org.admin).get(reverse("customers:home")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert reverse("accounts:language") in html and 'name="language"' in html
    assert reverse("core:custom_fields") in html and reverse("core:audit") in html
    assert reverse("account_logout") in html
    rep_html = login(org.rep).get(reverse("customers:home")).content.decode()
    assert reverse("core:custom_fields") not in rep_html


def test_contacts_survive_in_the_detail_page(login, org, customer):
    html = login(org.rep).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    contact = Contact.objects.get(account=customer)
    assert f'id="contact-{contact.pk}"' in html and "采购经理" in html


def test_not_visible_customer_page_is_a_friendly_404(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.other_rep)
    response = client.get(reverse("customers:detail", args=[account.pk]))
    assert response.status_code == 404
    assert "not shared with you" in response.content.decode()
    assert account.name not in response.content.decode()
