"""What the quote-to-cash demo builds on: the customers it sells to (approved, owned by the
demo reps) with their opportunities, document numbering in bulk that leaves the counters where
the services continue, and review rows copied from the review rules exactly as the review
engine makes them, so pages show consistent "waiting at which step, since when"."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Model
from django.utils import timezone

from guanxi.accounts.models import Role, User
from guanxi.customers.models import Account as Customer
from guanxi.customers.models import Address, Approval, Contact
from guanxi.demo.orders_catalog import Catalog
from guanxi.demo.org import DemoOrg
from guanxi.demo.sales import REGIONS
from guanxi.orders.models import Review, ReviewRule, ReviewStep, Sequence
from guanxi.orders.services.reviews import Facts, applies
from guanxi.sales.models import Opportunity

EXPORT_TEAM = "新加坡组"


@dataclass
class Party:
    """A customer the demo sells to."""

    id: int
    name: str
    owner_id: int
    team_id: int | None
    rate: Decimal  # approved discount rate
    terms: int  # payment terms in days
    tax_id: str
    usd: bool = False  # buys abroad: the USD export list, no VAT
    distributor: bool = False
    contact_id: int | None = None
    contact: str = ""  # e-mail or name
    address: str = ""


@dataclass
class Numbers:
    """Document numbers in the format of ``orders.numbers.next_number``, handed out from the
    counters as they stand; ``save`` moves the counters past every number used."""

    last: dict[tuple[str, int], int] = field(default_factory=dict)
    used: set[tuple[str, int]] = field(default_factory=set)

    def take(self, prefix: str, on: dt.date) -> str:
        key = (prefix, on.year)
        if key not in self.last:
            row = Sequence.objects.filter(prefix=prefix, year=on.year).first()
            self.last[key] = row.last if row else 0
        self.last[key] += 1
        self.used.add(key)
        return f"{prefix}{on.year}-{self.last[key]:05d}"

    def save(self) -> None:
        for prefix, year in self.used:
            last = self.last[(prefix, year)]
            Sequence.objects.get_or_create(prefix=prefix, year=year)
            Sequence.objects.filter(prefix=prefix, year=year, last__lt=last).update(last=last)


@dataclass
class PlannedReview:
    subject: Model
    flow: str
    rules: list[ReviewRule]
    outcome: str  # a Review.Status
    stop: int  # index of the step it waits at or was rejected / returned at
    times: list[dt.datetime]  # when each step started, and when the last decided one ended
    submitted_by: int
    reason: str = ""
    comment: str = ""

    @property
    def submitted_at(self) -> dt.datetime:
        return self.times[0]

    @property
    def finished_at(self) -> dt.datetime | None:
        return None if self.outcome == Review.Status.PENDING else self.times[-1]


@dataclass
class Ctx:
    org: DemoOrg
    catalog: Catalog
    today: dt.date
    now: dt.datetime
    rng: random.Random  # dates, states, lines: the same at every scale
    pick: random.Random  # which customer: depends on how many there are
    parties: list[Party]
    opps: dict[str, list[tuple[int, int]]]  # stage key → [(opportunity id, customer id)]
    numbers: Numbers = field(default_factory=Numbers)
    reviews: list[PlannedReview] = field(default_factory=list)
    rules: dict[str, list[ReviewRule]] = field(default_factory=dict)
    managers: dict[int | None, User] = field(default_factory=dict)

    @property
    def star(self) -> User:
        """Whose deals the story follows: the first rep (王芳), or in a small database where
        she has no customer to sell to, the rep with the most."""
        rep = self.user("rep")
        owners = Counter(p.owner_id for p in self.parties if not p.usd)
        if owners[rep.pk] or not owners:
            return rep
        best = owners.most_common(1)[0][0]
        return next((u for u in self.org.reps if u.pk == best), rep)

    @cached_property
    def by_id(self) -> dict[int, Party]:
        return {p.id: p for p in self.parties}

    def user(self, key: str) -> User:
        return self.org.users[key]

    def at(self, day: dt.date, hour: float | None = None, *,
           future: bool = False) -> dt.datetime:
        """A moment on ``day`` in office hours (local time), not after now unless
        ``future``."""
        hour = self.rng.uniform(8.5, 18) if hour is None else hour
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone()) \
            + dt.timedelta(hours=hour)
        return moment if future else min(moment, self.now - dt.timedelta(minutes=5))

    def localdate(self, moment: dt.datetime) -> dt.date:
        return timezone.localtime(moment).date()

    def days_ago(self, low: float, high: float) -> dt.date:
        return self.today - dt.timedelta(days=round(self.rng.uniform(low, high)))

    def decider(self, rule: ReviewRule | ReviewStep, team_id: int | None) -> User:
        if rule.approver_id:
            return rule.approver
        role = rule.approver_role
        if role == Role.MANAGER:
            return self.managers.get(team_id) or self.user("manager")
        key = {Role.DELIVERY: "delivery", Role.FINANCE: "finance",
               Role.EXECUTIVE: "executive"}.get(role, "admin")
        return self.user(key)

    def review(self, subject: Model, flow: str, facts: Facts, by: int, *, outcome: str,
               stop: int = 0, start: dt.datetime | None = None,
               waiting_since: dt.datetime | None = None, reason: str = "",
               comment: str = "") -> PlannedReview | None:
        """Plan the review ``flow`` needs for ``facts`` (None when no step applies), placed in
        time by when it started or since when its step waits."""
        rules = [r for r in self.rules[flow] if applies(r, facts)]
        if not rules:
            return None
        stop = min(stop, len(rules) - 1)
        decided = len(rules) if outcome == Review.Status.APPROVED else stop + (
            outcome != Review.Status.PENDING)
        gaps = [dt.timedelta(hours=self.rng.uniform(1.5, 22)) for _i in range(decided)]
        waited = sum(gaps[:stop], dt.timedelta(0))
        if waiting_since is not None:
            start = waiting_since - waited
        if start is None:
            raise ValueError("a review needs the time it started or since when it waits")
        times = [start]
        for gap in gaps:
            times.append(times[-1] + gap)
        planned = PlannedReview(subject=subject, flow=flow, rules=rules, outcome=outcome,
                                stop=stop, times=times, submitted_by=by, reason=reason,
                                comment=comment)
        self.reviews.append(planned)
        return planned


def context(org: DemoOrg, catalog: Catalog, today: dt.date, now: dt.datetime) -> Ctx:
    rep_ids = [u.pk for u in org.reps]
    rows = list(Customer.objects.filter(
        is_active=True, in_pool=False, approval=Approval.APPROVED, owner_id__in=rep_ids,
        kind=Customer.Kind.COMPANY).order_by("id").values_list(
        "id", "name", "owner_id", "team_id", "discount_rate", "payment_terms_days",
        "registration_id", "currency")[:3000])
    contacts: dict[int, tuple[int, str]] = {}
    for cid, account_id, name, email in Contact.objects.filter(
            account_id__in=[r[0] for r in rows], is_active=True).order_by("-id").values_list(
            "id", "account_id", "name", "email"):
        contacts[account_id] = (cid, email or name)
    addresses: dict[int, str] = {}
    for account_id, *parts in Address.objects.filter(
            account_id__in=[r[0] for r in rows]).order_by("-id").values_list(
            "account_id", "province", "city", "district", "street"):
        addresses[account_id] = "".join(p for p in parts if p)[:300]
    export = org.teams.get(EXPORT_TEAM)
    parties = [Party(id=i, name=name, owner_id=owner, team_id=team, rate=rate or Decimal(0),
                     terms=terms or 30, tax_id=reg or "",
                     usd=bool(export and team == export.pk) or (currency or "CNY") != "CNY",
                     contact_id=contacts.get(i, (None, ""))[0],
                     contact=contacts.get(i, (None, ""))[1], address=addresses.get(i, ""))
               for i, name, owner, team, rate, terms, reg, currency in rows]
    wanted = {p.id for p in parties}
    opps: dict[str, list[tuple[int, int]]] = {}
    for oid, account_id, key, kind in Opportunity.objects.filter(
            is_active=True, account_id__in=wanted).order_by("id").values_list(
            "id", "account_id", "stage__key", "stage__kind"):
        opps.setdefault("lost" if kind == "lost" else key, []).append((oid, account_id))
    ctx = Ctx(org=org, catalog=catalog, today=today, now=now, rng=random.Random(2026),
              pick=random.Random(11), parties=parties, opps=opps)
    for rule in ReviewRule.objects.filter(active=True).select_related("approver"):
        ctx.rules.setdefault(rule.flow, []).append(rule)
    for flow in ("quote", "contract", "order", "expense"):
        ctx.rules.setdefault(flow, [])
    for team in org.teams.values():
        region = team.parent.name if team.kind == "team" and team.parent else team.name
        manager = REGIONS.get(region)
        if manager in org.users:
            ctx.managers[team.pk] = org.users[manager]
    return ctx


def save_reviews(ctx: Ctx) -> None:
    """Write the planned reviews of saved subjects, their steps, and each subject's current
    review."""
    planned = [p for p in ctx.reviews if p.subject.pk]
    reviews = Review.objects.bulk_create([Review(
        flow=p.flow, subject_id=p.subject.pk, subject_repr=str(p.subject)[:200],
        account_id=getattr(p.subject, "account_id", None),
        team_id=getattr(p.subject, "team_id", None), status=p.outcome, reason=p.reason[:300],
        submitted_by_id=p.submitted_by, submitted_at=p.submitted_at,
        finished_at=p.finished_at) for p in planned])
    steps = []
    for p, review in zip(planned, reviews, strict=True):
        for i, rule in enumerate(p.rules):
            status, started, decided, by, comment = _step(ctx, p, i, review)
            steps.append(ReviewStep(
                review=review, position=i + 1, name_en=rule.name_en, name_zh=rule.name_zh,
                approver_role=rule.approver_role, approver_id=rule.approver_id,
                due_hours=rule.due_hours, status=status, started_at=started,
                decided_at=decided, decided_by=by, comment=comment))
        p.subject.review_id = review.pk
    ReviewStep.objects.bulk_create(steps)
    by_model: dict[type[Model], list[Any]] = {}
    for p in planned:
        by_model.setdefault(type(p.subject), []).append(p.subject)
    for model, subjects in by_model.items():
        model.objects.bulk_update(subjects, ["review"])
    ctx.reviews.clear()


def _step(ctx: Ctx, p: PlannedReview, i: int, review: Review) -> tuple:
    S = ReviewStep.Status
    team = getattr(p.subject, "team_id", None)
    if p.outcome == Review.Status.APPROVED or i < p.stop:
        return (S.APPROVED, p.times[i], p.times[i + 1], ctx.decider(p.rules[i], team),
                "同意" if i % 2 else "")
    if i == p.stop:
        if p.outcome == Review.Status.PENDING:
            return S.WAITING, p.times[i], None, None, ""
        status = S.REJECTED if p.outcome == Review.Status.REJECTED else S.RETURNED
        return status, p.times[i], p.times[i + 1], ctx.decider(p.rules[i], team), p.comment
    return (S.QUEUED if p.outcome == Review.Status.PENDING else S.CANCELLED), None, None, \
        None, ""
