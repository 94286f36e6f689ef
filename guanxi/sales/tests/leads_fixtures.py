"""Fixtures for the lead tests (imported by each test module): background tasks run inline,
e-mail goes to the outbox, and a few routing rules."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def inline_tasks(settings):
    from guanxi.core.tasks import queue

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    before = queue.immediate
    queue.immediate = True
    yield
    queue.immediate = before


@pytest.fixture
def rules(org):
    """Immediate leads round robin within 上海一组; 广东 leads go to other_rep."""
    from guanxi.sales.models import LeadRoutingRule

    south = LeadRoutingRule.objects.create(name="华南", position=1, province="广东",
                                           user=org.other_rep)
    team = LeadRoutingRule.objects.create(name="上海一组轮流", position=2, team=org.team_a)
    return {"south": south, "team": team}
