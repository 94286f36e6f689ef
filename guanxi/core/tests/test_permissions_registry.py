"""The registry of permission rules and the ``can`` template tag that asks them."""

from __future__ import annotations

import types

import pytest
from django.template import Context, Template

from guanxi.core import permissions


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    # The rules registered here stay in this test.
    monkeypatch.setattr(permissions, "_rules", dict(permissions._rules))


def _module() -> types.ModuleType:
    module = types.ModuleType("guanxi.testapp.permissions")

    def can_open(user, record) -> bool:
        return record == "mine"

    def helper(user) -> bool:  # not a rule: only can_* functions register
        return True

    can_open.__module__ = helper.__module__ = module.__name__
    module.can_open, module.helper = can_open, helper
    return module


def test_rules_register_by_app_and_action_and_answer_for_active_users(org):
    permissions.register("testapp", _module())
    assert "testapp.open" in permissions.names()
    assert "testapp.helper" not in permissions.names()
    assert permissions.allowed("testapp.open", org.rep, "mine")
    assert not permissions.allowed("testapp.open", org.rep, "theirs")
    assert not permissions.allowed("testapp.open", None, "mine")
    org.rep.is_active = False
    assert not permissions.allowed("testapp.open", org.rep, "mine")


def test_a_misspelt_rule_fails_loudly(org):
    with pytest.raises(LookupError):
        permissions.allowed("testapp.opne", org.rep)


def test_templates_ask_a_rule_with_the_can_tag(org):
    permissions.register("testapp", _module())
    template = Template('{% load guanxi_ui %}{% can "testapp.open" record as ok %}'
                        "{% if ok %}open{% else %}closed{% endif %}")
    assert template.render(Context({"user": org.rep, "record": "mine"})) == "open"
    assert template.render(Context({"user": org.rep, "record": "theirs"})) == "closed"


def test_core_rules_are_registered_for_templates(org):
    assert permissions.allowed("core.manage_custom_fields", org.admin)
    assert not permissions.allowed("core.manage_custom_fields", org.executive)
    assert permissions.allowed("core.read_audit", org.executive)
    assert not permissions.allowed("core.read_audit", org.manager)
    # Expenses are exported by those who work with them; a list nobody registered by nobody.
    assert permissions.allowed("core.export", org.finance, "expenses")
    assert not permissions.allowed("core.export", org.marketing, "expenses")
    assert not permissions.allowed("core.export", org.admin, "no-such-list")


def test_the_export_button_shows_for_who_may_export_the_list(org, rf):
    template = Template('{% include "core/_export_button.html" with list="expenses" %}')
    request = rf.get("/orders/expenses/")
    for user, shown in ((org.finance, True), (org.marketing, False)):
        request.user = user
        html = template.render(Context({"user": user, "request": request}))
        assert ('id="export-csv"' in html) is shown
