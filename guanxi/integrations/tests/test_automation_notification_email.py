"""Notifications reach users by e-mail for the kinds they chose; the app shows them always."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.translation import gettext_noop

from guanxi.core.errors import FieldErrors
from guanxi.core.models import Notification
from guanxi.core.notifications import notify
from guanxi.integrations.services import preferences
from guanxi.integrations.tests.hooks_fixtures import inline_tasks  # noqa: F401

MSG = gettext_noop("Lead %(lead)s was handed to you")


@pytest.fixture
def send(django_capture_on_commit_callbacks, inline_tasks):  # noqa: F811
    def run(user, kind="sales.lead.assigned", url="/sales/leads/7/"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(user, MSG, {"lead": "急需公司 · 钱先生"}, kind=kind, url=url)
    return run


def test_e_mail_only_for_the_kinds_a_user_chose(org, send):
    preferences.set_preferences(org.rep, {"sales.lead.assigned": True})
    send(org.rep)
    send(org.teammate)  # never chose e-mail
    send(org.rep, kind="sales.opportunity_team")
    assert Notification.objects.count() == 3  # in the app: always
    (message,) = mail.outbox
    assert message.to == ["rep@example.com"]
    assert message.subject == "[Guanxi] Lead 急需公司 · 钱先生 was handed to you"
    assert "http://localhost:8000/sales/leads/7/" in message.body


def test_a_kind_follows_the_preference_of_its_namespace(org, send):
    preferences.set_preferences(org.rep, {"sales.task": True})
    send(org.rep, kind="sales.task.reminder")
    assert len(mail.outbox) == 1


def test_turning_e_mail_off_again(org, send):
    preferences.set_preferences(org.rep, {"sales.lead.assigned": True})
    preferences.set_preferences(org.rep, {"sales.lead.assigned": False})
    send(org.rep)
    assert mail.outbox == []
    assert dict((k, v) for k, _label, v in preferences.preferences(org.rep))[
        "sales.lead.assigned"] is False


def test_no_address_no_e_mail(org, send):
    preferences.set_preferences(org.rep, {"sales.lead.assigned": True})
    org.rep.email = ""
    org.rep.save()
    send(org.rep)
    assert mail.outbox == []


def test_a_rolled_back_notification_is_not_mailed(org, django_capture_on_commit_callbacks,
                                                  inline_tasks):  # noqa: F811
    from django.db import transaction

    preferences.set_preferences(org.rep, {"sales.lead.assigned": True})
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(org.rep, MSG, {"lead": "x"}, kind="sales.lead.assigned")
        transaction.set_rollback(True)
    assert mail.outbox == []


def test_unknown_kinds_are_refused(org):
    with pytest.raises(FieldErrors):
        preferences.set_preferences(org.rep, {"sales.everything": True})
