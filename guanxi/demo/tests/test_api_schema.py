"""The API answers as its OpenAPI document says, on the demo data: every operation is called
with requests generated from the document (Schemathesis), as an administrator and as a rep,
and every answer is checked: no server error, a documented status code, a body that matches
the documented schema.

A bounded, reproducible run (a fixed number of examples per operation, derandomized), on
SQLite only: the answers do not depend on the database, and the run is long."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.apps import apps
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("sqlite" not in settings.DATABASES["default"]["ENGINE"],
                       reason="one database is enough for the schema run"),
]

# More with GUANXI_SCHEMA_EXAMPLES=25 for a deeper run.
EXAMPLES = int(os.environ.get("GUANXI_SCHEMA_EXAMPLES", "5"))

# Path parameters that name a record: half the generated cases use an existing one, so the
# run reaches the answers with bodies and not only the 404s of made-up ids.
RECORDS = {
    "customer_id": "customers.Account", "contact_id": "customers.Contact",
    "address_id": "customers.Address", "relationship_id": "customers.Relationship",
    "request_id": "customers.TermsChangeRequest", "field_id": "core.CustomFieldDefinition",
    "user_id": "accounts.User", "token_id": "accounts.ApiToken",
    "lead_id": "sales.Lead", "opportunity_id": "sales.Opportunity",
    "pipeline_id": "sales.Pipeline", "stage_id": "sales.Stage", "activity_id": "sales.Activity",
    "task_id": "sales.Task", "template_id": "sales.EmailTemplate",
    "product_id": "orders.Product", "price_list_id": "orders.PriceList",
    "group_id": "orders.CustomerGroup", "quote_id": "orders.Quote", "tender_id": "orders.Tender",
    "contract_id": "orders.Contract", "order_id": "orders.SalesOrder",
    "invoice_id": "orders.Invoice", "payment_id": "orders.Payment",
    "allocation_id": "orders.Allocation", "claim_id": "orders.ExpenseClaim",
    "review_id": "orders.Review", "document_id": "orders.Document",
    "run_id": "analytics.AnalysisRun", "job_id": "integrations.ImportJob",
    "webhook_id": "integrations.WebhookSubscription", "rule_id": "integrations.AutomationRule",
    "case_id": "service.Case", "team_id": "service.ServiceTeam",
    "policy_id": "service.SlaPolicy",
}


def _existing_ids(exclude_users: list[int]) -> dict[str, list[int]]:
    out = {}
    for name, label in RECORDS.items():
        model = apps.get_model(label)
        rows = model.objects.order_by("pk")
        if name == "user_id":
            rows = rows.exclude(pk__in=exclude_users)
        out[name] = list(rows.values_list("pk", flat=True)[:5])
    return out


@pytest.fixture
def in_process_app():
    """Django's WSGI application called in the test's transaction: as Django's test client
    does, requests must not close the connection that holds it."""
    from django.core.wsgi import get_wsgi_application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _check_operation(operation, tokens: dict[str, str], existing: dict[str, list[int]],
                     protected: dict[str, set[int]], report: dict) -> None:
    """Call ``operation`` with ``EXAMPLES`` generated requests, each as every persona."""
    from hypothesis import HealthCheck, Phase, assume, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    names = [p.name for p in operation.path_parameters if existing.get(p.name)]

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), choice=st.data())
    def run(case, choice):
        for name in names:
            if choice.draw(st.booleans()):
                case.path_parameters[name] = choice.draw(st.sampled_from(existing[name]))
        # Never the personas' own tokens and users (a made-up id may hit them).
        assume(not any(case.path_parameters.get(name) in ids
                       for name, ids in protected.items()))
        for persona, token in tokens.items():
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            report["statuses"][persona, response.status_code] += 1
            try:
                case.validate_response(response, checks=checks)
            except (AssertionError, BaseExceptionGroup) as exc:  # all reported at the end
                lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
                report["failures"].append(
                    f"{persona} {operation.method.upper()} {operation.path}: "
                    + " | ".join(lines[:14]))

    run()


def test_every_operation_answers_as_documented(in_process_app):
    import schemathesis

    from guanxi.accounts.services import create_token
    from guanxi.demo.build import build

    started = time.process_time()
    org = build(12).org
    # Picked before the personas' tokens exist, and without the personas: the run may revoke
    # tokens and deactivate users, but not the ones it calls with.
    existing = _existing_ids(exclude_users=[org.users["admin"].pk, org.users["rep"].pk])
    made = {persona: create_token(org.users[persona], "schema run", "write")
            for persona in ("admin", "rep")}
    tokens = {persona: secret for persona, (_token, secret) in made.items()}
    protected = {"token_id": {token.pk for token, _secret in made.values()},
                 "user_id": {org.users["admin"].pk, org.users["rep"].pk}}
    built = time.process_time()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", in_process_app)
    report: dict = {"statuses": Counter(), "failures": []}
    operations = 0
    for result in schema.get_all_operations():
        _check_operation(result.ok(), tokens, existing, protected, report)
        operations += 1
    statuses = report["statuses"]
    print(f"\nAPI schema run: {operations} operations, {sum(statuses.values())} requests "
          f"({EXAMPLES} examples each, as admin and rep) in "
          f"{time.process_time() - built:.0f} s of CPU (demo data: {built - started:.0f} s); "
          f"statuses {dict(sorted(statuses.items()))}; {len(report['failures'])} failures")
    assert report["failures"] == [], "\n\n".join(report["failures"])
