"""The timeline kinds registry: an app registers a kind with its icon and a renderer that
turns its domain events into entries, which show in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from guanxi.core import audit
from guanxi.customers import timeline
from guanxi.customers.models import TimelineEvent
from guanxi.customers.services.common import event_fields
from guanxi.customers.templatetags.customer_ui import timeline_icon


@pytest.fixture
def lighthouse():
    """A kind of a made-up app, with a renderer of its event."""
    timeline.register_kind("lighthouse.beam", "lightbulb", "Beam")

    @timeline.renders("customers.account.lighthouse_lit")
    def _lit(event):
        return timeline.Entry(int(event.object_id), "lighthouse.beam",
                              gettext_noop("Customer entered"), body="lit")

    yield
    timeline.unregister_kind("lighthouse.beam")
    timeline.unregister_renderers("customers.account.lighthouse_lit")


def test_an_app_registering_a_kind_gives_its_entries_its_icon(org, make_account, client,
                                                               lighthouse):
    account = make_account()
    audit.log(org.rep, "customers.account.lighthouse_lit", account)
    entry = account.timeline.get(kind="lighthouse.beam")
    assert entry.body == "lit" and entry.actor == org.rep
    assert timeline_icon("lighthouse.beam") == "lightbulb"
    client.force_login(org.rep)
    page = client.get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "bi-lightbulb" in page


def test_kinds_fall_back_to_their_area_and_unknown_ones_to_a_dot():
    assert timeline_icon("orders.quote") == "file-earmark-text"       # registered by orders
    assert timeline_icon("orders.order_schedule") == "cart-check"      # its area's icon
    assert timeline_icon("sales.lead.converted") == "person-lines-fill"
    assert timeline_icon("customers.created") == "plus-circle"
    assert timeline_icon("nobody.knows") == "dot"


def test_an_event_without_a_renderer_writes_nothing(org, make_account):
    account = make_account()
    before = TimelineEvent.objects.count()
    audit.log(org.rep, "customers.account.nothing_to_tell", account)
    assert TimelineEvent.objects.count() == before


def test_labels_and_stage_names_read_in_the_readers_language(make_account):
    account = make_account()
    with translation.override("zh-hans"):
        fields = event_fields(gettext_noop("Contact added: %(name)s"),
                              {"name": gettext_lazy("Customer")}, None)
    entry = TimelineEvent.objects.create(account=account, kind="customers.contact_added",
                                         at=account.created_at, **fields)
    assert entry.title == "Contact added: Customer"  # English for exports and the API
    with translation.override("zh-hans"):
        assert entry.display_title == "已添加联系人：客户"
    stage = {"en": "Negotiation", "zh": "商务谈判"}
    fields = event_fields(gettext_noop("Contact added: %(name)s"), {"name": stage}, None)
    entry = TimelineEvent(account=account, kind="x", **fields)
    assert entry.title == "Contact added: Negotiation"
    with translation.override("zh-hans"):
        assert entry.display_title == "已添加联系人：商务谈判"
    with translation.override("en"):
        assert entry.display_title == "Contact added: Negotiation"
