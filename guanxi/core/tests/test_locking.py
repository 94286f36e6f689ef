"""Optimistic locking: the second of two concurrent editors is told, and nothing is lost."""

import pytest

from guanxi.core.errors import Conflict
from guanxi.core.locking import save_versioned
from guanxi.core.models import CustomFieldDefinition


@pytest.fixture
def definition(db):
    return CustomFieldDefinition.objects.create(target="customers.account", key="grade",
                                                label_en="Grade")


def test_first_writer_wins_second_gets_409(definition):
    first = CustomFieldDefinition.objects.get(pk=definition.pk)
    second = CustomFieldDefinition.objects.get(pk=definition.pk)
    save_versioned(first, 1, {"label_en": "Customer grade"})
    assert first.version == 2 and first.label_en == "Customer grade"
    with pytest.raises(Conflict) as exc:
        save_versioned(second, 1, {"label_en": "Rank"})
    assert exc.value.status == 409
    assert exc.value.as_dict()["field"] == "version"
    assert exc.value.code == "stale_version"
    fresh = CustomFieldDefinition.objects.get(pk=definition.pk)
    assert (fresh.label_en, fresh.version) == ("Customer grade", 2)
    assert second.label_en == "Grade"  # the loser's instance is left as it was


def test_version_defaults_to_the_instances_own(definition):
    save_versioned(definition, None, {"required": True})
    stale = CustomFieldDefinition.objects.get(pk=definition.pk)
    stale.version = 1
    with pytest.raises(Conflict):
        save_versioned(stale, None, {"required": False})
    assert CustomFieldDefinition.objects.get(pk=definition.pk).required is True


def test_version_given_as_text_from_a_form(definition):
    save_versioned(definition, "1", {"position": 3})
    assert CustomFieldDefinition.objects.get(pk=definition.pk).version == 2
    with pytest.raises(Conflict):
        save_versioned(definition, "1", {"position": 4})


def test_empty_change_still_checks_the_version(definition):
    save_versioned(definition, 1, {})
    assert CustomFieldDefinition.objects.get(pk=definition.pk).version == 2
    with pytest.raises(Conflict):
        save_versioned(definition, 1, {})


def test_check_version_refuses_another_version_and_writes_nothing(definition):
    from guanxi.core.locking import check_version

    check_version(definition, 1)
    check_version(definition, None)  # an internal call read nothing: nothing to compare
    save_versioned(definition, 1, {"position": 2})
    with pytest.raises(Conflict) as exc:
        check_version(definition, "1")
    assert (exc.value.status, exc.value.code, exc.value.field) == (409, "stale_version",
                                                                   "version")
    assert CustomFieldDefinition.objects.get(pk=definition.pk).version == 2
