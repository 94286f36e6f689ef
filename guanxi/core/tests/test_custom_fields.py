"""Administrator-defined custom fields: each type validated, unknown keys refused."""

import pytest

from guanxi.core.custom_fields import clean_values
from guanxi.core.errors import FieldErrors
from guanxi.core.models import CustomFieldDefinition

T = CustomFieldDefinition.Type
TARGET = CustomFieldDefinition.Target.ACCOUNT


@pytest.fixture
def fields(db):
    def make(key, type_, **kw):
        return CustomFieldDefinition.objects.create(target=TARGET, key=key, label_en=key,
                                                    type=type_, **kw)
    make("note", T.TEXT)
    make("plants", T.NUMBER)
    make("founded", T.DATE)
    make("grade", T.CHOICE, choices=["A", "B", "C"])
    make("markets", T.MULTI, choices=["CN", "EU", "US"])
    make("contract_no", T.TEXT, required=True)
    CustomFieldDefinition.objects.create(target=TARGET, key="old", label_en="old", active=False)
    CustomFieldDefinition.objects.create(target=CustomFieldDefinition.Target.CONTACT,
                                         key="hobby", label_en="hobby")


def errors_of(raw, **kw):
    with pytest.raises(FieldErrors) as exc:
        clean_values(TARGET, {"contract_no": "HT-1"} | raw, **kw)
    return exc.value.errors


def test_good_values_are_cleaned(fields):
    assert clean_values(TARGET, {
        "note": "  重要客户 ", "plants": " 12.50 ", "founded": "2001-05-04", "grade": "B",
        "markets": ["CN", "EU"], "contract_no": "HT-1"}) == {
        "note": "重要客户", "plants": "12.50", "founded": "2001-05-04", "grade": "B",
        "markets": ["CN", "EU"], "contract_no": "HT-1"}


def test_multi_choice_from_a_comma_separated_form_value(fields):
    assert clean_values(TARGET, {"markets": "CN,US", "contract_no": "x"})["markets"] == [
        "CN", "US"]


@pytest.mark.parametrize("raw, field, message", [
    ({"note": "x" * 501}, "custom.note", "500"),
    ({"plants": "twelve"}, "custom.plants", "number"),
    ({"plants": "NaN"}, "custom.plants", "number"),
    ({"plants": "Infinity"}, "custom.plants", "number"),
    ({"founded": "04/05/2001"}, "custom.founded", "YYYY-MM-DD"),
    ({"founded": "2023-02-30"}, "custom.founded", "YYYY-MM-DD"),
    ({"grade": "D"}, "custom.grade", "“D”"),
    ({"grade": "a"}, "custom.grade", "choices"),
    ({"markets": ["CN", "JP"]}, "custom.markets", "“JP”"),
    ({"colour": "red"}, "custom.colour", "Unknown"),
    ({"old": "x"}, "custom.old", "Unknown"),
    ({"hobby": "golf"}, "custom.hobby", "Unknown"),
    ({"contract_no": ""}, "custom.contract_no", "required"),
    ({"contract_no": "   "}, "custom.contract_no", "required"),
    ({"contract_no": None}, "custom.contract_no", "required"),
])
def test_bad_values_name_the_field(fields, raw, field, message):
    errors = errors_of(raw)
    assert field in errors and message in errors[field][0]


def test_several_errors_at_once(fields):
    errors = errors_of({"plants": "x", "grade": "Z", "contract_no": ""})
    assert set(errors) == {"custom.plants", "custom.grade", "custom.contract_no"}


def test_required_missing_on_create(fields):
    with pytest.raises(FieldErrors) as exc:
        clean_values(TARGET, {"note": "x"})
    assert "custom.contract_no" in exc.value.errors


def test_partial_update_keeps_other_values_and_clears_emptied_ones(fields):
    existing = {"contract_no": "HT-1", "grade": "A", "note": "旧"}
    assert clean_values(TARGET, {"note": ""}, existing, partial=True) == {
        "contract_no": "HT-1", "grade": "A"}
    assert existing["note"] == "旧"  # the caller's dict is not changed
    with pytest.raises(FieldErrors) as exc:
        clean_values(TARGET, {"contract_no": ""}, existing, partial=True)
    assert "custom.contract_no" in exc.value.errors


def test_label_is_in_the_reader_language_with_the_other_as_fallback():
    from django.utils import translation

    both = CustomFieldDefinition(key="a", label_en="Plants", label_zh="工厂数")
    english_only = CustomFieldDefinition(key="b", label_en="Plants")
    with translation.override("zh-hans"):
        assert (both.label, english_only.label) == ("工厂数", "Plants")
    with translation.override("en"):
        assert both.label == "Plants"
    assert "name_en" not in {f.name for f in CustomFieldDefinition._meta.fields}
