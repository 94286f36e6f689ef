"""The service demo: cases in every state, breaches recorded and escalated, Chinese and
English subjects; building again adds nothing."""

from __future__ import annotations

import pytest

from guanxi.demo import service as service_demo
from guanxi.demo.org import ensure_org
from guanxi.demo.showcase import add_customers
from guanxi.service.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def test_the_service_demo_has_every_state_and_breaches():
    org = ensure_org()
    add_customers(org, 6)
    said: list[str] = []
    service_demo.add(org, say=said.append)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(Case.Status.values)
    assert Case.objects.filter(sla_state="breached").exists()
    assert CaseEvent.objects.filter(kind="escalated").exists()
    subjects = list(Case.objects.values_list("subject", flat=True))
    assert any("投诉" in s for s in subjects) and any(s.isascii() for s in subjects)
    assert Case.objects.filter(kind="complaint", status="closed").exclude(
        root_cause="").exists()
    count = Case.objects.count()
    service_demo.add(org)
    assert Case.objects.count() == count and said
