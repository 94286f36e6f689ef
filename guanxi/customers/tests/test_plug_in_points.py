"""The customer pages' plug-in points: a card, a header button, an open item, a home section
and a search provider registered from outside customers show on the page, in order, to whom
their predicate allows; and the event types and automation targets registries answer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from guanxi.core import automation, events
from guanxi.core.panels import Panel, PanelRegistry
from guanxi.core.tests.api_client import as_
from guanxi.customers import search_providers
from guanxi.customers.pages import account_page, home_page
from guanxi.customers.search_providers import SearchHit, SearchProvider


@pytest.fixture
def templates(settings, tmp_path):
    """Templates of an app that does not exist: the registries are all it has."""
    (tmp_path / "gadgets").mkdir()
    files = {
        "_card.html": '<div class="card" id="gadget-card">{{ gadget_count }} gadgets of '
                      "{{ account.name }}</div>",
        "_button.html": '<a class="btn" id="gadget-button">Gadget</a>',
        "_open.html": '<div id="gadget-open">A gadget is late</div>',
        "_home.html": '<div id="gadget-home">{{ due }} gadgets due</div>',
        "_drop.html": '{% for hit in hits %}<a class="search-hit" href="{{ hit.url }}">'
                      "{{ provider.label }}: {{ hit.name }}</a>{% endfor %}",
        "_page.html": '<h2>{{ provider.label }}</h2>{% for hit in hits %}'
                      '<a href="{{ hit.url }}">{{ hit.name }}</a>{% endfor %}',
    }
    for name, text in files.items():
        (tmp_path / "gadgets" / name).write_text(text, encoding="utf-8")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine.get("DIRS", []), str(tmp_path)]}]


@pytest.fixture
def customer(make_account):
    return make_account(name="上海明珠机电有限公司")


def _page(client, account) -> str:
    response = client.get(reverse("customers:detail", args=[account.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_registered_card_shows_with_its_loader_context_in_its_place(
        client, org, customer, templates):
    card = Panel("gadgets.card", "gadgets/_card.html", slot="main", order=55,
                 load=lambda request, account: {"gadget_count": 3})
    with account_page.added(card):
        client.force_login(org.rep)
        html = _page(client, customer)
    assert "3 gadgets of 上海明珠机电有限公司" in html
    # order 55: after the contacts (50), before the relationships (60)
    assert html.index('id="contacts"') < html.index('id="gadget-card"') \
        < html.index('id="relationships"')
    assert 'id="gadget-card"' not in _page(client, customer)  # gone once unregistered


def test_a_card_shows_only_to_whom_its_predicate_allows(client, org, customer, templates):
    button = Panel("gadgets.button", "gadgets/_button.html", slot="actions",
                   visible=lambda user, account: user == account.owner)
    late = Panel("gadgets.open", "gadgets/_open.html", slot="open_items")
    with account_page.added(button), account_page.added(late):
        client.force_login(org.rep)
        mine = _page(client, customer)
        client.force_login(org.manager)
        managers = _page(client, customer)
    assert 'id="gadget-button"' in mine and 'id="gadget-button"' not in managers
    assert 'id="gadget-open"' in mine and 'id="gadget-open"' in managers


def test_a_registered_home_section_shows_on_the_home_page(client, org, templates):
    section = Panel("gadgets.home", "gadgets/_home.html", slot="sections",
                    load=lambda request, user: {"due": 7})
    client.force_login(org.rep)
    with home_page.added(section):
        html = client.get(reverse("customers:home")).content.decode()
    assert "7 gadgets due" in html


def test_a_panel_names_a_slot_its_page_has():
    page = PanelRegistry("test.page", ("main",))
    with pytest.raises(ValueError):
        page.register(Panel("x", "x.html", slot="footer"))


def _find_gadgets(user, q, limit, kinds):
    if not q.startswith("GX"):
        return []
    return [SearchHit(kind="gadget", id=1, name="GX-0001", detail="", url="/gadgets/1/",
                      field="number")]


GADGETS = SearchProvider(name="gadgets.search", kinds=("gadget",), search=_find_gadgets,
                         label="Gadgets", dropdown_template="gadgets/_drop.html",
                         page_template="gadgets/_page.html", order=15)


def test_a_search_provider_answers_the_box_the_page_and_the_api(client, org, customer,
                                                                templates):
    client.force_login(org.rep)
    with search_providers.added(GADGETS):
        drop = client.get(reverse("customers:search"), {"q": "GX-0"},
                          headers={"HX-Request": "true",
                                   "HX-Target": "global-search-results"}).content.decode()
        page = client.get(reverse("customers:search"), {"q": "GX-0"}).content.decode()
        api = as_(org.rep).get("search", q="GX-0", kind="gadget").json()
        customers_only = as_(org.rep).get("search", q="shmz", kind="account").json()
    assert 'href="/gadgets/1/">Gadgets: GX-0001' in drop
    assert "<h2>Gadgets</h2>" in page and "GX-0001" in page
    assert [(h["kind"], h["name"], h["url"]) for h in api] == [
        ("gadget", "GX-0001", "/gadgets/1/")]
    assert [h["name"] for h in customers_only] == ["上海明珠机电有限公司"]
    # Without the provider the kind is unknown.
    assert as_(org.rep).get("search", q="GX-0", kind="gadget").status_code >= 400


def test_event_types_come_from_the_apps_with_labels_in_the_readers_language():
    types = events.event_types()
    assert "customers.account.created" in types
    with translation.override("zh-hans"):
        assert str(types["customers.account.created"]) != "Customer created"
    events.register_event_types({"gadgets.gadget.broken": "Gadget broken"})
    try:
        assert events.event_label("gadgets.gadget.broken") == "Gadget broken"
    finally:
        events.EVENT_TYPES.pop("gadgets.gadget.broken")


def test_automation_targets_know_their_model_fields_and_page(customer):
    target = automation.get_target("customers.account")
    assert target.object_type == "customers.account"
    names = dict(target.fields())
    assert {"name", "industry", "tags", "last_follow_up_at"} <= set(names)
    assert "version" not in names and "created_at" not in names
    assert target.url_of(customer) == reverse("customers:detail", args=[customer.pk])
    assert automation.target_for_object("customers.contact").key == "customers.contact"
    fake = automation.AutomationTarget(key="customers.pool", label="Pool",
                                       model="customers.PoolPolicy")
    with automation.target_added(fake):
        assert automation.target_for_object("customers.poolpolicy") is fake
    assert automation.get_target("customers.pool") is None


def test_bound_panels_skip_what_the_user_may_not_see():
    page = PanelRegistry("test.page", ("main",))
    page.register(Panel("b", "b.html", order=2, load=lambda r, o: {"n": o}))
    page.register(Panel("a", "a.html", order=1, visible=lambda u, o: u == "boss"))
    request = SimpleNamespace(user="rep")
    assert [p.name for p in page.bind(request, 5)["main"]] == ["b"]
    assert page.bind(request, 5)["main"][0].context == {"n": 5}
    request.user = "boss"
    assert [p.name for p in page.bind(request, 5)["main"]] == ["a", "b"]
