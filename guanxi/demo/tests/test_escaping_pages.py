"""Every page that shows user text, with script in every text field: the demo database is
built, each field people type into is overwritten with payloads (markup, a script after a
closed attribute, ECharts template strings; a ``javascript:`` website), and the pages are
walked link by link as each role; no payload may come out as markup.

Slow (a demo database and a few hundred pages): run on SQLite only. What it checks does not
depend on the database."""

from __future__ import annotations

import json
import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from guanxi.accounts.models import User
from guanxi.core.models import CustomFieldDefinition
from guanxi.core.tests.markup import ALL, IMG, JS_URL, PAYLOADS, injected, payload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="a slow sweep whose result does "
                       "not depend on the database: run on SQLite only"),
]

# The fields people type into, by model (codes, numbers, keys, e-mail and phone numbers are
# validated where they come in and left out).
USER_TEXT = {
    "core.CustomFieldDefinition": ("label_en", "label_zh"),
    "core.Notification": ("title",),
    "accounts.Team": ("name",),
    "accounts.User": ("display_name", "first_name", "last_name"),
    "accounts.ApiToken": ("name",),
    "customers.Tag": ("name",),
    "customers.Account": ("name", "name_en", "description", "region_economy",
                          "region_climate", "region_customs", "lifestyle", "needs",
                          "purchase_channel"),
    "customers.Contact": ("name", "name_en", "title", "department", "wechat", "notes"),
    "customers.Address": ("city", "district", "street", "lines"),
    "customers.Relationship": ("note",),
    "customers.TermsChangeRequest": ("reason",),
    "customers.ApprovalStep": ("comment",),
    "customers.TimelineEvent": ("title", "body"),
    "sales.Lead": ("name", "company", "title", "city", "source_detail", "interest", "notes",
                   "disqualify_reason"),
    "sales.LeadRoutingRule": ("name",),
    "sales.WebForm": ("name", "thank_you"),
    "sales.Pipeline": ("name_en", "name_zh"),
    "sales.Stage": ("name_en", "name_zh"),
    "sales.Opportunity": ("name", "competitors", "description", "next_step", "loss_note"),
    "sales.OpportunityMember": ("role",),
    "sales.Activity": ("subject", "body", "outcome", "location"),
    "sales.SupportRequest": ("people", "samples", "decision_note"),
    "sales.Task": ("title", "notes"),
    "sales.EmailTemplate": ("name", "subject", "body"),
    "sales.EmailMessage": ("subject", "body"),
    "integrations.AutomationRule": ("name", "value"),
    "integrations.WebhookSubscription": ("name",),
    "integrations.MappingTemplate": ("name",),
    "orders.Product": ("name_zh", "name_en", "description", "unit"),
    "orders.CustomerGroup": ("name",),
    "orders.PriceList": ("name",),
    "orders.Tender": ("title", "issuer", "result_note", "winner"),
    "orders.Document": ("name",),
    "orders.Contract": ("title", "payment_terms", "delivery_terms", "notes"),
    "orders.ExpenseClaim": ("description",),
    "orders.SalesOrder": ("special_requirements", "delivery_address",
                          "credit_override_reason"),
    "orders.OrderLine": ("description", "unit"),
    "orders.Shipment": ("carrier", "tracking_number", "notes"),
    "orders.Quote": ("title", "terms", "notes"),
    "orders.QuoteLine": ("description", "unit"),
    "orders.Payment": ("reference", "notes"),
    "orders.ReviewRule": ("name_en", "name_zh"),
    "orders.Review": ("subject_repr", "reason"),
    "orders.ReviewStep": ("name_en", "name_zh", "comment"),
}

# Downloads and what is not a page of this site.
SKIP = re.compile(r"^/(static|media|admin|api|i18n)/|logout|/pdf/?$"
                  r"|\.(pdf|csv|xlsx|ics|zip|png)$")


def fill_everything() -> tuple[int, int]:
    """Overwrite every field in USER_TEXT on every row; answers (fields, rows written)."""
    fields = rows = 0
    for label, names in USER_TEXT.items():
        model = apps.get_model(label)
        for name in names:
            text = payload(model._meta.get_field(name).max_length)
            fields += 1
            try:
                with transaction.atomic():
                    rows += model.objects.update(**{name: text})
            except IntegrityError:  # unique names: one payload per row
                short = payload((model._meta.get_field(name).max_length or 200) - 8)
                for pk in model.objects.values_list("pk", flat=True):
                    rows += model.objects.filter(pk=pk).update(**{name: f"{short} {pk}"})
    return fields, rows


def add_what_the_demo_lacks(admin: User) -> int:
    """Records the demo does not make, with the payload in their text; answers the number of
    text values written (custom field values, rule actions, website)."""
    from guanxi.customers.models import Account, Contact
    from guanxi.integrations.models import AutomationRule, WebhookSubscription

    for target, key in ((CustomFieldDefinition.Target.ACCOUNT, "xss_a"),
                        (CustomFieldDefinition.Target.CONTACT, "xss_c")):
        CustomFieldDefinition.objects.create(target=target, key=key, label_en=ALL,
                                             label_zh=IMG)
    Account.objects.update(custom={"xss_a": ALL}, website=JS_URL)
    Contact.objects.update(custom={"xss_c": ALL})
    AutomationRule.objects.create(
        name=ALL, trigger=AutomationRule.Trigger.EVENT, event_type="customers.account.created",
        conditions=[{"field": "name", "op": "eq", "value": ALL}],
        actions=[{"type": "notify", "to": "owner", "message": ALL},
                 {"type": "create_task", "title": ALL, "due_in_days": 1,
                  "priority": "normal", "assignee": "owner"}],
        created_by=admin)
    WebhookSubscription.objects.create(name=ALL, url="https://hooks.example.com/x",
                                       events=["customers.account.created"],
                                       created_by=admin)
    return 7


def links(html: str) -> list[str]:
    return [unescape(u) for u in re.findall(r'(?:href|hx-get)="(/[^"#]*)"', html)]


def walk(client: Client, start: list[str], limit: int = 400) -> dict[str, tuple[int, list]]:
    """GET pages breadth-first from ``start``, one URL per path shape (digits ignored)."""
    seen: set[str] = set()
    queue = deque(start)
    pages: dict[str, tuple[int, list]] = {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        shape = re.sub(r"\d+", "0", path)
        if shape in seen or SKIP.search(path):
            continue
        seen.add(shape)
        response = client.get(url)
        if getattr(response, "streaming", False) or \
                not response.get("Content-Type", "").startswith("text/html"):
            pages[url] = (response.status_code, [])
            continue
        html = response.content.decode()
        pages[url] = (response.status_code, injected(html))
        queue.extend(links(html))
    return pages


START = ["/", "/customers/", "/sales/opportunities/", "/sales/opportunities/board/",
         "/sales/leads/", "/sales/forecast/", "/sales/funnel/", "/sales/tasks/",
         "/orders/quotes/", "/orders/products/", "/analytics/", "/integrations/",
         "/settings/", "/sales/email/templates/"]


def test_no_user_text_becomes_markup_on_any_page():
    call_command("demo", scale=30, stdout=None)
    admin = User.objects.get(username="admin")
    extra = add_what_the_demo_lacks(admin)
    fields, rows = fill_everything()
    problems, rendered = [], 0
    # The administrator reaches every page; a manager and a rep see other rows and panels on
    # the main ones (time: each page costs about a tenth of a second).
    for username, limit in (("admin", 400), ("manager", 60), ("rep", 60)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = walk(client, START, limit)
        rendered += len(pages)
        for url, (status, found) in pages.items():
            if status >= 500:
                problems.append(f"{username} {url}: {status}")
            problems += [f"{username} {url}: {element}" for element in found]
        # The search API answers JSON, which a browser does not run as a page.
        response = client.get("/api/search", {"q": IMG[:6]})
        assert response["Content-Type"].startswith("application/json")
        json.loads(response.content)
    print(f"\n{rendered} pages rendered as 3 roles; {fields} text fields ({rows} values) "
          f"and {extra} more values filled with {len(PAYLOADS)} payloads")
    assert problems == [], "\n".join(problems)
    assert rendered > 150
