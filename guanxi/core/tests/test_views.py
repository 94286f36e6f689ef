"""Administration pages: custom fields and the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core import services
from guanxi.core.models import AuditEntry, CustomFieldDefinition

PERSONAS = ["rep", "teammate", "manager", "other_manager", "assistant", "finance",
            "other_rep", "admin", "executive", None]



@pytest.fixture
def field(org):
    return services.create_field(org.admin, {
        "target": "customers.account", "key": "plant_count", "label_en": "Plants",
        "label_zh": "工厂数", "type": "number"})


def expect(client, org, persona, url, allowed):
    if persona:
        client.force_login(getattr(org, persona))
    response = client.get(url)
    if persona is None:
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    else:
        assert response.status_code == (200 if persona in allowed else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_custom_field_pages_are_for_administrators(client, org, field, persona):
    for url in (reverse("core:custom_fields"), reverse("core:custom_field_create"),
                reverse("core:custom_field_edit", args=[field.pk])):
        expect(client, org, persona, url, {"admin"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_trail_is_for_administrators_and_executives(client, org, persona):
    expect(client, org, persona, reverse("core:audit"), {"admin", "executive"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_non_admins_cannot_create_fields_by_posting(client, org, persona):
    if persona:
        client.force_login(getattr(org, persona))
    response = client.post(reverse("core:custom_field_create"), {
        "target": "customers.account", "key": "x", "type": "text", "label_en": "X",
        "position": 0})
    assert response.status_code == (302 if persona in ("admin", None) else 403)
    assert CustomFieldDefinition.objects.filter(key="x").exists() is (persona == "admin")


def test_missing_field_is_404(client, org):
    client.force_login(org.admin)
    assert client.get(reverse("core:custom_field_edit", args=[999])).status_code == 404


def test_admin_creates_a_choice_field_with_one_choice_per_line(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("core:custom_field_create"), {
        "target": "customers.account", "key": "tier", "type": "choice", "label_en": "Tier",
        "label_zh": "等级", "choices": "A\r\n B \r\n\r\nC", "required": "on",
        "position": "5"})
    assert response.status_code == 302
    created = CustomFieldDefinition.objects.get(key="tier")
    assert created.choices == ["A", "B", "C"] and created.required and created.active
    page = client.get(reverse("core:custom_fields")).content.decode()
    assert "Tier" in page and "等级" in page and "A, B, C" in page


def test_bad_definitions_are_refused_at_the_field(client, org, field):
    client.force_login(org.admin)
    url = reverse("core:custom_field_create")
    response = client.post(url, {"target": "customers.account", "key": "Bad Key",
                                 "type": "text", "label_en": "X", "position": 0})
    assert response.status_code == 400
    assert "lower-case letters" in response.context["form"].errors["key"][0]
    response = client.post(url, {"target": "customers.account", "key": "plant_count",
                                 "type": "text", "label_en": "Again", "position": 0})
    assert response.status_code == 409
    assert "already exists" in response.context["form"].errors["key"][0]
    response = client.post(url, {"target": "customers.contact", "key": "colour",
                                 "type": "choice", "label_en": "Colour", "position": 0})
    assert response.status_code == 400 and response.context["form"].errors["choices"]
    assert CustomFieldDefinition.objects.count() == 1


def test_edit_keeps_key_and_type_and_detects_stale_versions(client, org, field):
    client.force_login(org.admin)
    url = reverse("core:custom_field_edit", args=[field.pk])
    data = {"target": "customers.contact", "key": "hacked", "type": "text",
            "label_en": "Plants (count)", "label_zh": "工厂数量", "position": 2,
            "active": "on", "version": field.version}
    assert client.post(url, data).status_code == 302
    field.refresh_from_db()
    assert (field.key, field.type, field.target) == ("plant_count", "number",
                                                     "customers.account")
    assert field.label_en == "Plants (count)" and field.position == 2
    response = client.post(url, data | {"label_en": "Older edit", "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    field.refresh_from_db()
    assert field.label_en == "Plants (count)"


def test_deactivate_and_reactivate(client, org, field):
    client.force_login(org.admin)
    url = reverse("core:custom_field_edit", args=[field.pk])
    response = client.post(url, {"action": "deactivate", "version": field.version},
                           follow=True)
    assert "deactivated" in response.content.decode()
    field.refresh_from_db()
    assert not field.active
    response = client.post(url, {"label_en": "Plants", "position": 0, "active": "on",
                                 "version": field.version})
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.active


def test_audit_trail_filters_and_pages_without_count(client, org, field,
                                                     django_assert_max_num_queries):
    services.update_field(org.admin, field, {"label_en": "Factories"}, version=1)
    for n in range(3):
        AuditEntry.objects.create(actor=org.rep, action="customers.account.updated",
                                  object_type="customers.account", object_id=str(n),
                                  object_repr=f"客户{n}", changes={"phone": ["", "+86"]})
    client.force_login(org.executive)
    url = reverse("core:audit")
    response = client.get(url, {"action": "core.custom_field"})
    page = response.content.decode()
    assert "core.custom_field.updated" in page and "core.custom_field.created" in page
    assert "customers.account.updated" not in page
    response = client.get(url, {"actor": "rep", "object_type": "customers.account",
                                "object_id": "1"})
    assert [e.object_id for e in response.context["entries"]] == ["1"]

    from guanxi.core import views
    old, views.AUDIT_PAGE_SIZE = views.AUDIT_PAGE_SIZE, 2
    try:
        with django_assert_max_num_queries(10) as ctx:
            first = client.get(url)
        # The audit trail grows without bound: it is paged without counting it.
        assert not any("COUNT(" in q["sql"].upper() and "CORE_AUDITENTRY" in q["sql"].upper()
                       for q in ctx.captured_queries)
        assert len(first.context["entries"]) == 2 and first.context["next_cursor"]
        seen = {e.pk for e in first.context["entries"]}
        second = client.get(url, {"after": first.context["next_cursor"]})
        assert seen.isdisjoint(e.pk for e in second.context["entries"])
    finally:
        views.AUDIT_PAGE_SIZE = old
    response = client.get(url, {"after": "garbage"}, follow=True)
    assert response.status_code == 200 and "invalid" in response.content.decode()
