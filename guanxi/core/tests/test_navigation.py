"""The sidebar: areas filtered by role, every old link still there for those who use it, badge
counts kept for a minute, and the installable app's manifest, service worker and offline page."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.accounts.models import Role, User, UserRole
from guanxi.core import navigation
from guanxi.core.navigation import NavItem, menu


def areas(user) -> dict[str, list[str]]:
    return {g.key: [link.key for link in g.links] for g in menu(user)}


@pytest.fixture
def agent(org):
    user = User.objects.create_user(username="agent", team=org.company, display_name="客服")
    UserRole.objects.create(user=user, role=Role.SERVICE)
    return user


def test_each_role_sees_its_areas(org, agent):
    rep = areas(org.rep)
    assert list(rep) == ["home", "customers", "sales", "quote_to_cash", "analytics"]
    assert "sales.board" in rep["sales"] and "orders.quotes" in rep["quote_to_cash"]

    service = areas(agent)
    assert "service" in service and "service.queues" in service["service"]
    assert not {"sales", "quote_to_cash", "marketing", "settings"} & set(service)

    marketing = areas(org.marketing)
    assert marketing["marketing"] == ["marketing.campaigns", "marketing.segments",
                                      "marketing.care", "marketing.sms"]
    assert "quote_to_cash" not in marketing and "settings" not in marketing
    assert marketing["sales"] == ["sales.leads"]  # web forms and campaigns bring leads

    admin = areas(org.admin)
    assert list(admin)[-1] == "settings"
    assert {"core.users", "core.audit", "sales.pipelines", "orders.products",
            "integrations.webhooks", "analytics.settings"} <= set(admin["settings"])
    assert "orders.products_own" not in admin["quote_to_cash"]  # under Settings instead

    finance = areas(org.finance)
    assert "orders.payments" in finance["quote_to_cash"] and "sales" not in finance
    assert "orders.deliveries" in areas(org.delivery)["quote_to_cash"]
    assert "orders.collections" in areas(org.collection)["quote_to_cash"]
    assert "sales.email_templates_own" in areas(org.manager)["sales"]


def test_every_link_of_the_old_menu_is_still_offered(org, agent):
    """The links the flat menu had, each still in the sidebar of someone who uses it."""
    offered = set()
    for user in (org.rep, org.manager, org.finance, org.admin, org.executive, org.marketing,
                 org.delivery, org.collection, agent):
        offered |= {link.url.split("?")[0] for group in menu(user) for link in group.links}
    old = ["customers:home", "customers:list", "customers:pool", "customers:approvals",
           "sales:lead_list", "sales:opportunities", "sales:board", "sales:my_work",
           "sales:forecast", "sales:funnel", "sales:today", "sales:calendar",
           "sales:support_requests", "sales:email_templates", "sales:routing_rules",
           "sales:web_forms", "sales:pipelines", "orders:quotes", "orders:products",
           "orders:price_lists", "orders:tenders", "orders:contracts", "orders:orders",
           "orders:deliveries", "orders:receivables", "orders:invoices", "orders:payments",
           "orders:collections", "orders:expenses", "orders:reviews", "orders:review_rules",
           "analytics:dashboard", "analytics:runs", "analytics:customers", "analytics:import",
           "analytics:settings", "service:cases", "service:my_queue", "service:assets",
           "service:stations", "service:articles", "service:analytics", "service:settings",
           "marketing:campaigns", "marketing:segments", "integrations:imports",
           "integrations:webhooks", "integrations:automation", "core:custom_fields",
           "customers:pool_policy", "core:audit", "accounts:users"]
    assert {reverse(name) for name in old} - offered == set()


def test_the_current_page_is_marked_and_its_area_open(org):
    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("sales:board")).content.decode()
    assert f'class="nav-item active" href="{reverse("sales:board")}" aria-current="page"' in page
    assert 'class="nav-group current" data-area="sales"' in page


def test_badges_are_counted_once_a_minute(org):
    calls = []

    def waiting(user):
        calls.append(user.pk)
        with connection.cursor() as cursor:  # stands for the count query of a real badge
            cursor.execute("SELECT 1")
        return 3

    item = NavItem("test.inbox", "home", "Inbox", "customers:home", "bi-inbox", badge=waiting)
    with navigation.added(item):
        first = {link.key: link.badge for g in menu(org.rep) for link in g.links}
        with CaptureQueriesContext(connection) as again:
            menu(org.rep)
        navigation.forget_badges(org.rep)
        menu(org.rep)
    assert first["test.inbox"] == 3
    assert len(again) == 0 and calls == [org.rep.pk, org.rep.pk]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_app_can_be_installed(db, language):
    client = Client(headers={"accept-language": language})
    manifest = client.get(reverse("manifest"))
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["display"] == "standalone" and data["scope"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200

    worker = client.get(reverse("service_worker"))
    assert worker.status_code == 200 and reverse("service_worker") == "/sw.js"
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker["Cache-Control"]
    assert reverse("offline") in worker.content.decode()

    offline = client.get(reverse("offline"))
    assert offline.status_code == 200 and b"bi-wifi-off" in offline.content
