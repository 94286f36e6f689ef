"""Workflow pages: approvals inbox, terms change requests, the public pool, assign, merge and
the pool rules — who may open them, and the flows a team runs through them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.tests.api_client import as_ as api_as
from guanxi.customers import services
from guanxi.customers.models import Account, Approval, PoolPolicy, TermsChangeRequest

PERSONAS = ["rep", "teammate", "manager", "other_manager", "assistant", "finance",
            "other_rep", "admin", None]
S = TermsChangeRequest.Status



@pytest.fixture
def world(org, make_account):
    """rep's customer with a terms request waiting for the manager; a pending customer the
    assistant entered; a customer in the public pool; other_rep's customer in another region."""
    acct = make_account(by=org.rep, name="上海明远机电有限公司")
    pending = services.create_account(org.assistant, {"name": "杭州新立贸易有限公司"})
    pooled = make_account(by=org.other_rep, name="深圳海天电子有限公司")
    services.release(org.other_rep, pooled, "no budget this year")
    req = services.request_terms_change(org.rep, acct, {"discount_rate": "5"}, "big order")
    other = make_account(by=org.other_rep, name="广州南方建材有限公司")
    return type("World", (), {"acct": acct, "pending": pending, "pooled": pooled, "req": req,
                              "other": other})


def as_(client, org, persona):
    if persona:
        client.force_login(getattr(org, persona))
    return client


def assert_status(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    else:
        assert response.status_code == expected, response.content[:400]


# --- Permission matrix --------------------------------------------------------------------

ALL_200 = {p: 200 for p in PERSONAS if p} | {None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_approvals_and_pool_pages_open_to_every_signed_in_user(client, org, world, persona):
    as_(client, org, persona)
    for name in ("customers:approvals", "customers:pool"):
        assert_status(client.get(reverse(name)), ALL_200[persona])


DECIDE_CUSTOMER = {"manager": 302, "admin": 302, "assistant": 403, "finance": 403,
                   "rep": 404, "teammate": 404, "other_rep": 404, "other_manager": 404,
                   None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_decide_customer_matrix(client, org, world, persona):
    as_(client, org, persona)
    prefix = f"customer-{world.pending.pk}"
    response = client.post(reverse("customers:decide_customer", args=[world.pending.pk]),
                           {f"{prefix}-decision": "approve",
                            f"{prefix}-version": world.pending.version})
    assert_status(response, DECIDE_CUSTOMER[persona])
    world.pending.refresh_from_db()
    expected = Approval.APPROVED if DECIDE_CUSTOMER[persona] == 302 else Approval.PENDING
    assert world.pending.approval == expected


TERMS_FORM = {"rep": 200, "manager": 200, "assistant": 200, "admin": 200, "finance": 403,
              "teammate": 404, "other_rep": 404, "other_manager": 404, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_terms_request_form_matrix(client, org, world, persona):
    as_(client, org, persona)
    response = client.get(reverse("customers:terms_request", args=[world.acct.pk]))
    assert_status(response, TERMS_FORM[persona])


DECIDE_TERMS = {"manager": 302, "admin": 302, "finance": 403, "rep": 403, "assistant": 403,
                "teammate": 404, "other_rep": 404, "other_manager": 404, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_decide_terms_matrix_on_the_manager_step(client, org, world, persona):
    as_(client, org, persona)
    prefix = f"terms-{world.req.pk}"
    response = client.post(reverse("customers:decide_terms", args=[world.req.pk]),
                           {f"{prefix}-decision": "approve", f"{prefix}-version": 1})
    assert_status(response, DECIDE_TERMS[persona])
    world.req.refresh_from_db()
    assert world.req.status == (S.FINANCE if DECIDE_TERMS[persona] == 302 else S.MANAGER)


WITHDRAW = {"rep": 302, "manager": 302, "admin": 302, "assistant": 403, "finance": 403,
            "teammate": 404, "other_rep": 404, "other_manager": 404, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_withdraw_terms_matrix(client, org, world, persona):
    as_(client, org, persona)
    response = client.post(reverse("customers:withdraw_terms", args=[world.req.pk]))
    assert_status(response, WITHDRAW[persona])
    world.req.refresh_from_db()
    assert world.req.status == (S.WITHDRAWN if WITHDRAW[persona] == 302 else S.MANAGER)


CLAIM = {"rep": 302, "teammate": 302, "manager": 302, "other_manager": 302, "other_rep": 302,
         "admin": 302, "assistant": 403, "finance": 403, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_claim_matrix(client, org, world, persona):
    as_(client, org, persona)
    response = client.post(reverse("customers:claim", args=[world.pooled.pk]))
    assert_status(response, CLAIM[persona])
    world.pooled.refresh_from_db()
    if CLAIM[persona] == 302:
        assert world.pooled.owner == getattr(org, persona) and not world.pooled.in_pool
    else:
        assert world.pooled.in_pool and world.pooled.owner is None


RELEASE = {"rep": 200, "manager": 200, "assistant": 200, "admin": 200, "finance": 403,
           "teammate": 404, "other_rep": 404, "other_manager": 404, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_release_matrix(client, org, world, persona):
    as_(client, org, persona)
    url = reverse("customers:release", args=[world.acct.pk])
    assert_status(client.get(url), RELEASE[persona])
    response = client.post(url, {"reason": "moved abroad"})
    assert_status(response, 302 if RELEASE[persona] == 200 else RELEASE[persona])
    world.acct.refresh_from_db()
    assert world.acct.in_pool is (RELEASE[persona] == 200)


MANAGE_ONLY = {"manager": 200, "admin": 200, "rep": 403, "assistant": 403, "finance": 403,
               "teammate": 404, "other_rep": 404, "other_manager": 404, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_assign_and_merge_matrix(client, org, world, persona):
    as_(client, org, persona)
    for name in ("customers:assign", "customers:merge"):
        assert_status(client.get(reverse(name, args=[world.acct.pk])), MANAGE_ONLY[persona])
    response = client.post(reverse("customers:assign", args=[world.acct.pk]),
                           {"owner": org.teammate.pk, "version": world.acct.version})
    world.acct.refresh_from_db()
    if MANAGE_ONLY[persona] == 200:
        assert response.status_code == 302 and world.acct.owner == org.teammate
    else:
        assert_status(response, MANAGE_ONLY[persona])
        assert world.acct.owner == org.rep


@pytest.mark.parametrize("persona", PERSONAS)
def test_pool_rules_only_for_administrators(client, org, world, persona):
    as_(client, org, persona)
    url = reverse("customers:pool_policy")
    expected = {"admin": 200, None: "login"}.get(persona, 403)
    assert_status(client.get(url), expected)
    response = client.post(url, {"return_after_days": 10, "claim_limit": 3, "version": 1})
    assert_status(response, 302 if expected == 200 else expected)
    assert PoolPolicy.current().claim_limit == (3 if expected == 200 else 50)


# --- New customer approval ----------------------------------------------------------------

def test_assistant_enters_customer_and_manager_approves(client, org):
    account = services.create_account(org.assistant, {"name": "苏州精工模具有限公司"})
    assert account.approval == Approval.PENDING
    client.force_login(org.assistant)
    page = client.get(reverse("customers:my_approvals")).content.decode()
    assert "苏州精工模具有限公司" in page and "Pending approval" in page

    client.force_login(org.manager)
    page = client.get(reverse("customers:my_approvals")).content.decode()
    assert "苏州精工模具有限公司" in page
    assert "New customers waiting for approval" in page
    prefix = f"customer-{account.pk}"
    response = client.post(reverse("customers:decide_customer", args=[account.pk]),
                           {f"{prefix}-decision": "approve", f"{prefix}-version": 1,
                            f"{prefix}-comment": "ok"}, follow=True)
    assert "苏州精工模具有限公司 approved." in response.content.decode()
    account.refresh_from_db()
    assert account.approval == Approval.APPROVED
    assert account.approval_steps.get().actor == org.manager
    # Other managers never see it in their inbox.
    client.force_login(org.other_manager)
    assert "苏州精工模具有限公司" not in client.get(reverse("customers:approvals")).content.decode()


def test_reject_needs_a_comment_shown_at_the_field(client, org):
    account = services.create_account(org.assistant, {"name": "无锡远航物流有限公司"})
    client.force_login(org.manager)
    prefix = f"customer-{account.pk}"
    response = client.post(reverse("customers:decide_customer", args=[account.pk]),
                           {f"{prefix}-decision": "reject", f"{prefix}-version": 1})
    assert response.status_code == 400
    bound = next(f for a, f in response.context["customers"] if a.pk == account.pk)
    assert bound.errors["comment"] == ["Say why the customer is rejected."]
    assert "Say why the customer is rejected." in response.content.decode()
    account.refresh_from_db()
    assert account.approval == Approval.PENDING


def test_stale_version_is_refused_with_a_clear_message(client, org):
    account = services.create_account(org.assistant, {"name": "宁波东港船务有限公司"})
    services.update_account(org.assistant, account, {"phone": "13812345678"}, version=1)
    client.force_login(org.manager)
    prefix = f"customer-{account.pk}"
    response = client.post(reverse("customers:decide_customer", args=[account.pk]),
                           {f"{prefix}-decision": "approve", f"{prefix}-version": 1})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    account.refresh_from_db()
    assert account.approval == Approval.PENDING


# --- Terms change: rep → manager → finance ------------------------------------------------

def terms_post(client, account, **values):
    data = {"discount_rate": "0", "payment_terms_days": "30",
            "settlement_method": "bank_transfer", "credit_limit": "0",
            "reason": "Large yearly contract"} | values
    return client.post(reverse("customers:terms_request", args=[account.pk]), data)


def decide(client, req, decision, comment=""):
    req.refresh_from_db()
    prefix = f"terms-{req.pk}"
    return client.post(reverse("customers:decide_terms", args=[req.pk]),
                       {f"{prefix}-decision": decision, f"{prefix}-version": req.version,
                        f"{prefix}-comment": comment})


def test_terms_change_goes_rep_manager_finance_and_is_applied(client, org, make_account):
    account = make_account(by=org.rep, name="南京华瑞电气有限公司")
    client.force_login(org.rep)
    page = client.get(reverse("customers:terms_request", args=[account.pk])).content.decode()
    assert "Current terms" in page and "Bank transfer" in page
    response = terms_post(client, account, discount_rate="8.5", credit_limit="200000",
                          settlement_method="acceptance_bill")
    assert response.status_code == 302
    req = account.terms_requests.get()
    account.refresh_from_db()
    assert account.discount_rate == Decimal("0")  # nothing applied yet

    client.force_login(org.finance)
    assert "南京华瑞电气有限公司" not in client.get(reverse("customers:approvals")).content.decode()
    refused = decide(client, req, "approve")
    assert refused.status_code == 403  # finance cannot take the manager step
    assert "This request waits for the market manager." in refused.content.decode()
    req.refresh_from_db()
    assert req.status == S.MANAGER

    client.force_login(org.manager)
    page = client.get(reverse("customers:approvals")).content.decode()
    assert "南京华瑞电气有限公司" in page and "Bank acceptance bill" in page
    assert decide(client, req, "approve").status_code == 302
    req.refresh_from_db()
    assert req.status == S.FINANCE
    account.refresh_from_db()
    assert account.discount_rate == Decimal("0")

    client.force_login(org.rep)
    page = client.get(reverse("customers:approvals")).content.decode()
    assert "Waiting for finance" in page

    client.force_login(org.finance)
    assert "南京华瑞电气有限公司" in client.get(reverse("customers:approvals")).content.decode()
    assert decide(client, req, "approve").status_code == 302
    req.refresh_from_db()
    account.refresh_from_db()
    assert req.status == S.APPLIED
    assert account.discount_rate == Decimal("8.5")
    assert account.credit_limit == Decimal("200000")
    assert account.settlement_method == "acceptance_bill"


def test_manager_rejects_terms_change_with_a_reason(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.rep)
    terms_post(client, account, discount_rate="10")
    req = account.terms_requests.get()
    client.force_login(org.manager)
    response = decide(client, req, "reject")
    assert response.status_code == 400
    assert "Say why the request is rejected." in response.content.decode()
    assert decide(client, req, "reject", "Margin too thin").status_code == 302
    req.refresh_from_db()
    account.refresh_from_db()
    assert req.status == S.REJECTED and account.discount_rate == Decimal("0")
    client.force_login(org.rep)
    page = client.get(reverse("customers:approvals")).content.decode()
    assert "Rejected" in page


def test_bad_terms_show_at_the_field_and_change_nothing(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.rep)
    response = terms_post(client, account, discount_rate="50")
    assert response.status_code == 400
    assert response.context["form"].errors["discount_rate"] == [
        "The company allows at most 30% discount."]
    response = terms_post(client, account, discount_rate="abc", reason="")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"discount_rate", "reason"}
    response = terms_post(client, account)  # the current terms again
    assert response.status_code == 400
    assert "current terms already" in response.content.decode()
    assert not account.terms_requests.exists()


def test_second_open_request_is_refused_and_withdrawal_frees_it(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.rep)
    terms_post(client, account, discount_rate="3")
    response = terms_post(client, account, discount_rate="4")
    assert response.status_code == 409
    assert "already waiting for approval" in response.content.decode()
    req = account.terms_requests.get()
    client.post(reverse("customers:withdraw_terms", args=[req.pk]))
    req.refresh_from_db()
    assert req.status == S.WITHDRAWN
    assert terms_post(client, account, discount_rate="4").status_code == 302


# --- Public pool --------------------------------------------------------------------------

def pool_customer(org, make_account, name=None):
    account = make_account(by=org.manager, name=name)
    return services.release(org.manager, account, "reorganisation")


def test_pool_lists_with_rule_claim_count_and_pages_without_count(client, org, make_account,
                                                                  django_assert_max_num_queries):
    for _ in range(3):
        pool_customer(org, make_account)
    client.force_login(org.rep)
    from guanxi.customers.views import workflow
    old, workflow.PAGE_SIZE = workflow.PAGE_SIZE, 2
    try:
        with django_assert_max_num_queries(12) as ctx:
            response = client.get(reverse("customers:pool"))
        assert not any("COUNT(" in q["sql"].upper() and "customers_account" in q["sql"]
                       and "claimed_from_pool" not in q["sql"] for q in ctx.captured_queries)
        page = response.content.decode()
        assert len(response.context["rows"]) == 2 and response.context["next_cursor"]
        assert "return here" in page and "30 days" in page
        assert "You hold 0 of 50" in page
        second = client.get(reverse("customers:pool"),
                            {"after": response.context["next_cursor"]})
        assert len(second.context["rows"]) == 1 and not second.context["next_cursor"]
    finally:
        workflow.PAGE_SIZE = old


def test_claim_then_limit_refuses_with_a_message(client, org, make_account):
    first, second = pool_customer(org, make_account), pool_customer(org, make_account)
    services.update_policy(org.admin, 30, 1, version=PoolPolicy.current().version)
    client.force_login(org.rep)
    response = client.post(reverse("customers:claim", args=[first.pk]), follow=True)
    assert "is now yours" in response.content.decode()
    assert "You hold 1 of 1" in response.content.decode()
    response = client.post(reverse("customers:claim", args=[second.pk]), follow=True)
    assert "the limit" in response.content.decode()
    second.refresh_from_db()
    assert second.in_pool and second.owner is None


def test_claim_refuses_a_company_another_rep_already_follows(client, org, make_account):
    pooled = pool_customer(org, make_account, name="北京星河科技有限公司")
    make_account(by=org.other_rep, name="北京星河科技有限公司", force=True)
    client.force_login(org.rep)
    response = client.post(reverse("customers:claim", args=[pooled.pk]), follow=True)
    assert "黄伟 already follows this company" in response.content.decode()
    pooled.refresh_from_db()
    assert pooled.in_pool and pooled.owner is None


def test_release_needs_a_reason(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.rep)
    response = client.post(reverse("customers:release", args=[account.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    account.refresh_from_db()
    assert not account.in_pool and account.owner == org.rep


def test_assign_offers_only_reps_in_the_managers_scope(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.manager)
    page = client.get(reverse("customers:assign", args=[account.pk])).content.decode()
    assert 'data-picker="rep"' in page and 'value="王芳"' in page  # the owner now
    # The picker offers the reps of the manager's teams, by name, pinyin or login.
    offered = {c["label"] for q in ("li", "huang", "rep") for c in
               api_as(org.manager).get("pick/rep", q=q).json()}
    assert "李强" in offered and "黄伟" not in offered
    response = client.post(reverse("customers:assign", args=[account.pk]),
                           {"owner": org.other_rep.pk, "version": account.version})
    assert response.status_code == 400 and response.context["form"].errors["owner"]
    response = client.post(reverse("customers:assign", args=[account.pk]),
                           {"owner": org.hz_rep.pk, "version": 99})
    assert response.status_code == 409
    account.refresh_from_db()
    assert account.owner == org.rep


def test_pool_rules_bad_input_and_stale_version(client, org):
    client.force_login(org.admin)
    url = reverse("customers:pool_policy")
    assert client.post(url, {"return_after_days": 0, "claim_limit": 5,
                             "version": 1}).status_code == 400
    assert client.post(url, {"return_after_days": 20, "claim_limit": 5,
                             "version": 1}).status_code == 302
    response = client.post(url, {"return_after_days": 40, "claim_limit": 7, "version": 1})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    policy = PoolPolicy.current()
    assert (policy.return_after_days, policy.claim_limit) == (20, 5)
    assert "Customers without follow-up for 20 days return here." in client.get(
        reverse("customers:pool")).content.decode()


# --- Merge --------------------------------------------------------------------------------

def test_manager_merges_two_customers_keeping_everything(client, org, make_account):
    keep = make_account(by=org.rep, name="武汉长江重工有限公司",
                        contacts=[{"name": "周杰", "mobile": "13900001111"}])
    dupe = make_account(by=org.rep, name="武汉长江重工集团", phone="027-88886666",
                        contacts=[{"name": "吴敏", "mobile": "13900002222"}], force=True)
    client.force_login(org.manager)
    url = reverse("customers:merge", args=[keep.pk])
    page = client.get(url, {"q": "wuhan"}).content.decode()
    assert "武汉长江重工集团" in page
    response = client.get(url, {"other": dupe.pk})
    page = response.content.decode()
    assert "武汉长江重工集团" in page and "Related records" in page
    assert any(n == 1 for _label, n in response.context["moves_other"])
    response = client.post(url, {"other": dupe.pk, "keep": "this"})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[keep.pk])
    dupe.refresh_from_db()
    keep.refresh_from_db()
    assert not dupe.is_active and dupe.merged_into == keep
    assert sorted(keep.contacts.values_list("name", flat=True)) == ["吴敏", "周杰"]
    assert keep.phone  # gained the value it lacked


def test_merge_with_a_customer_the_manager_cannot_see_is_404(client, org, make_account):
    mine = make_account(by=org.rep)
    theirs = make_account(by=org.other_rep)
    client.force_login(org.manager)
    url = reverse("customers:merge", args=[mine.pk])
    assert client.get(url, {"other": theirs.pk}).status_code == 404
    assert client.post(url, {"other": theirs.pk, "keep": "this"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_merge_of_the_same_record_is_refused_at_the_field(client, org, make_account):
    account = make_account(by=org.rep)
    client.force_login(org.manager)
    response = client.post(reverse("customers:merge", args=[account.pk]),
                           {"other": account.pk, "keep": "this"})
    assert response.status_code == 400
    assert "Choose two different customers." in response.content.decode()
    assert Account.objects.get(pk=account.pk).is_active


def test_merge_refuses_when_a_record_changed_after_the_page_was_opened(client, org, make_account):
    keep = make_account(by=org.rep, name="武汉长江重工有限公司")
    dupe = make_account(by=org.rep, name="武汉长江重工集团", force=True)
    client.force_login(org.manager)
    url = reverse("customers:merge", args=[keep.pk])
    form = client.get(url, {"other": dupe.pk}).context["form"]
    assert form.initial["other_version"] == dupe.version
    services.update_account(org.rep, dupe, {"phone": "027-88886666"}, version=dupe.version)
    response = client.post(url, {"other": dupe.pk, "keep": "other",
                                 "version": form.initial["version"],
                                 "other_version": form.initial["other_version"]})
    assert response.status_code == 409
    assert "changed after you opened this page" in response.content.decode()
    assert Account.objects.get(pk=keep.pk).is_active
    assert Account.objects.get(pk=dupe.pk).is_active
