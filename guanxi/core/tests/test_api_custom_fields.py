"""Custom field definitions: administrators write them (API and the shared services), everyone
signed in reads the active ones, and customer values follow them."""

from __future__ import annotations

import pytest

from guanxi.core import services
from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry, CustomFieldDefinition
from guanxi.core.tests.api_client import as_

GRADE = {"target": "customers.account", "key": "grade", "label_en": "Grade",
         "label_zh": "等级", "type": "choice", "choices": ["A", "B"]}


def test_admin_creates_field_and_reps_use_it(org):
    created = as_(org.admin).post("custom-fields", GRADE)
    assert created.status_code == 201, created.content
    assert created.json() | {"id": 0} == {
        "id": 0, "target": "customers.account", "key": "grade", "label": "Grade",
        "label_en": "Grade", "label_zh": "等级", "type": "choice", "choices": ["A", "B"],
        "required": False, "position": 0, "active": True, "version": 1}
    assert [f["key"] for f in as_(org.rep).get("custom-fields").json()] == ["grade"]
    customer = as_(org.rep).post("customers", {"name": "等级客户有限公司",
                                               "custom": {"grade": "B"}})
    assert customer.json()["custom"] == {"grade": "B"}
    assert AuditEntry.objects.filter(action="core.custom_field.created").count() == 1


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"key": "Grade Level"}, 400, "key"),
    ({"key": "1st"}, 400, "key"),
    ({"target": "sales.order"}, 400, "target"),
    ({"type": "colour"}, 400, "type"),
    ({"choices": []}, 400, "choices"),
    ({"choices": ["A", "A"]}, 400, "choices"),
    ({"label_en": " "}, 400, "label_en"),
    ({"position": -1}, 400, "position"),
    ({"required": "maybe"}, 422, "required"),
    ({"formula": "1+1"}, 422, "formula"),
])
def test_bad_definitions_name_the_field_and_create_nothing(org, change, status, field):
    response = as_(org.admin).post("custom-fields", GRADE | change)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert not CustomFieldDefinition.objects.exists()


def test_same_key_twice_is_a_conflict(org):
    services.create_field(org.admin, GRADE)
    again = as_(org.admin).post("custom-fields", GRADE | {"label_en": "Another"})
    assert again.status_code == 409 and again.json()["field"] == "key"
    contact_field = as_(org.admin).post("custom-fields", GRADE | {"target": "customers.contact"})
    assert contact_field.status_code == 201


def test_services_refuse_non_admins(org):
    field = services.create_field(org.admin, GRADE)
    for user in (org.rep, org.manager, org.finance, org.executive):
        with pytest.raises(Forbidden):
            services.create_field(user, GRADE | {"key": "other"})
        with pytest.raises(Forbidden):
            services.update_field(user, field, {"label_en": "x"}, field.version)
        with pytest.raises(Forbidden):
            services.deactivate_field(user, field, field.version)
    field.refresh_from_db()
    assert field.label_en == "Grade" and field.active


def test_update_keeps_key_and_type_and_uses_the_version(org):
    field = services.create_field(org.admin, GRADE)
    client = as_(org.admin)
    first = client.patch(f"custom-fields/{field.pk}", {"version": 1, "choices": ["A", "B", "C"],
                                                       "required": True})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(f"custom-fields/{field.pk}", {"version": 1, "label_en": "Level"})
    assert stale.status_code == 409
    with pytest.raises(FieldErrors) as exc:
        services.update_field(org.admin, field, {"key": "level"}, 2)
    assert "key" in exc.value.errors
    with pytest.raises(FieldErrors):
        services.update_field(org.admin, field, {"type": "text"}, 2)
    field.refresh_from_db()
    assert (field.key, field.label_en, field.choices, field.required) == \
        ("grade", "Grade", ["A", "B", "C"], True)
    missing = as_(org.rep).post("customers", {"name": "必填测试有限公司"})
    assert missing.status_code == 400 and missing.json()["field"] == "custom.grade"


def test_deactivated_field_disappears_for_users_and_can_come_back(org):
    field = services.create_field(org.admin, GRADE)
    client = as_(org.admin)
    assert client.delete(f"custom-fields/{field.pk}", version=2).status_code == 409
    assert client.delete(f"custom-fields/{field.pk}", version=1).status_code == 204
    assert as_(org.rep).get("custom-fields").json() == []
    assert as_(org.rep).patch(f"custom-fields/{field.pk}", {"version": 2}).status_code == 404
    refused = as_(org.rep).post("customers", {"name": "停用字段有限公司",
                                              "custom": {"grade": "A"}})
    assert refused.status_code == 400 and refused.json()["field"] == "custom.grade"
    listed = client.get("custom-fields", include_inactive=True).json()
    assert [(f["key"], f["active"]) for f in listed] == [("grade", False)]
    assert client.delete(f"custom-fields/{field.pk}", version=2).status_code == 409
    back = client.patch(f"custom-fields/{field.pk}", {"version": 2, "active": True})
    assert back.status_code == 200 and back.json()["active"] is True
    with pytest.raises(Conflict):
        services.deactivate_field(org.admin, field, 1)
