"""The first few hundred demo customers, entered through the real services so the audit trail,
timeline, approvals and duplicate checks are exactly what users produce."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, FieldErrors
from guanxi.customers import services
from guanxi.customers.models import (
    Account,
    Approval,
    Contact,
    Relationship,
    TermsChangeRequest,
    TimelineEvent,
)
from guanxi.demo.bulk import next_number
from guanxi.demo.generate import CustomerSpec, customer
from guanxi.demo.org import DemoOrg

# Every so many customers, one is entered by the sales assistant and waits for approval.
PENDING_EVERY = 25


def add_customers(org: DemoOrg, count: int, progress: Callable[[int], None] | None = None,
                  ) -> int:
    created = 0
    for i in range(count):
        n = next_number()
        for attempt in range(5):
            spec = customer(n, attempt)
            if i % PENDING_EVERY == 3 and not spec.in_pool:
                spec.pending = True
            try:
                _create(org, spec)
                break
            except Conflict:
                continue  # a person or foreign company with a name another rep follows
        created += 1
        if progress and created % 50 == 0:
            progress(created)
    return created


def _owner(org: DemoOrg, spec: CustomerSpec) -> User:
    return org.reps[int(spec.owner_pick * len(org.reps))]


@transaction.atomic
def _create(org: DemoOrg, spec: CustomerSpec) -> Account:
    now = timezone.now()
    owner = _owner(org, spec)
    actor = owner
    if spec.pending:
        actor = org.users["assistant"]
        owner = org.users["rep"] if spec.owner_pick < 0.5 else org.users["rep_li"]
    account = services.create_account(
        actor, dict(spec.data), contacts=[dict(c) for c in spec.contacts],
        addresses=[dict(spec.address)], tags=spec.tags, custom=spec.custom,
        owner=owner if actor != owner else None, force=True)
    contact = account.contacts.order_by("id").first()
    for note in spec.notes:
        services.log_follow_up(owner, account, note, contact=contact)
    if spec.in_pool:
        account.refresh_from_db()
        services.release(owner, account, reason="客户暂无采购计划")
    # Spread the history over the past two years, as in a database that has been in use.
    created, follow_up = now - spec.age, now - spec.follow_up_age
    Account.objects.filter(pk=account.pk).update(
        created_at=created, updated_at=follow_up, last_follow_up_at=follow_up,
        pool_since=follow_up if spec.in_pool else None)
    TimelineEvent.objects.filter(account=account, kind="customers.created").update(at=created)
    TimelineEvent.objects.filter(account=account).exclude(kind="customers.created").update(
        at=follow_up)
    return account


def add_workflows(org: DemoOrg) -> None:
    """Open terms change requests at both steps, relationships between contacts, a shared
    customer. Only once: they are recognisable by their existence."""
    if not TermsChangeRequest.objects.exists():
        _terms_requests(org)
    if not Relationship.objects.exists():
        _relationships(org)


def _terms_requests(org: DemoOrg) -> None:
    manager = org.users["manager"]
    east = org.teams["华东区"].subtree_ids()
    candidates = list(Account.objects.filter(
        team_id__in=east, in_pool=False, approval=Approval.APPROVED, is_active=True,
        owner__isnull=False).select_related("owner", "team").order_by("id")[:9])
    changes = ({"discount_rate": "8", "credit_limit": "500000"},
               {"payment_terms_days": 60, "settlement_method": "acceptance_bill"},
               {"credit_limit": "1200000"})
    reasons = ("年度框架协议签订后采购量翻倍，申请提高折扣和信用额度。",
               "客户要求延长账期，以银行承兑汇票结算。",
               "Large project order expected in Q3; raise the credit limit.")
    i = 0
    for account in candidates:
        try:
            req = services.request_terms_change(account.owner, account, changes[i % 3],
                                                reasons[i % 3])
        except FieldErrors:  # a generated customer may have these terms already
            continue
        if i % 3 >= 1:  # past the manager, now waiting for finance
            services.decide_terms_change(manager, req, True, "同意，请财务审核信用风险。")
        if i == 8:
            req.refresh_from_db()
            services.decide_terms_change(org.users["finance"], req, True, "信用良好，同意。")
        i += 1


def _relationships(org: DemoOrg) -> None:
    # The "rep" login shows them best; in a small demo the rep may hold too few contacts.
    for owner in (org.users["rep"], *(u for n, u in sorted(org.users.items())
                                      if n.startswith("rep_"))):
        contacts = list(Contact.objects.filter(account__owner=owner, account__in_pool=False,
                                               is_active=True).select_related("account")
                        .order_by("account_id", "id")[:12])
        if len(contacts) >= 4:
            break
    pairs = [(a, b) for a, b in zip(contacts, contacts[1:], strict=False)]
    kinds = ("colleague", "friend", "family", "referred_by")
    for i, (a, b) in enumerate(pairs[:8]):
        kind = "colleague" if a.account_id == b.account_id else kinds[1 + i % 3]
        try:
            services.add_relationship(owner, a, b, kind, note="在行业展会上认识" if
                                      kind == "friend" else "")
        except Conflict:
            continue
    other = Account.objects.filter(owner=org.users["rep_li"], in_pool=False).first()
    if other and not other.shares.filter(user=org.users["rep"]).exists():
        services.share_account(org.users["rep_li"], other, org.users["rep"])

