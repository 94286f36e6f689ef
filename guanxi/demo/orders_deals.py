"""A year of demo quotes, tenders and contracts, planned backwards from where each deal is
today: a quote accepted so that its order can be in production now was issued weeks before;
a contract waiting at the finance step passed the sales manager and the technical review
first. Every state the pages show occurs (drafts, discounts waiting at the sales manager —
some overdue — approved, sent, accepted, declined, replaced by a second version; tenders with
close deadlines and every bond state; contracts at each review step, returned, rejected,
approved, signed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from guanxi.demo.orders_context import Ctx, Party, PlannedReview
from guanxi.demo.orders_lines import Priced, make_lines, revise
from guanxi.orders.models import Contract, Quote, QuoteLine, Review, Tender
from guanxi.orders.money import cents
from guanxi.orders.numbers import CONTRACT, QUOTE
from guanxi.orders.services.reviews import Facts

Q = Quote.Status
C = Contract.Status
R = Review.Status
ORDER_STATES = (("in_review", 6), ("returned", 2), ("rejected", 2), ("confirmed", 10),
                ("in_production", 13), ("partially_shipped", 10), ("shipped", 16),
                ("delivered", 49), ("cancelled", 4))  # 112 orders from accepted quotes
# Contracts: status, step it waits at / was stopped at, overdue, order status when signed
CONTRACTS = (
    (C.DRAFT, 0, False, ""),
    (C.IN_REVIEW, 0, False, ""), (C.IN_REVIEW, 0, True, ""), (C.IN_REVIEW, 0, False, ""),
    (C.IN_REVIEW, 1, False, ""), (C.IN_REVIEW, 1, True, ""), (C.IN_REVIEW, 1, False, ""),
    (C.IN_REVIEW, 2, True, ""), (C.IN_REVIEW, 2, False, ""),
    (C.IN_REVIEW, 3, True, ""), (C.IN_REVIEW, 3, False, ""),
    (C.RETURNED, 1, False, ""), (C.RETURNED, 0, False, ""),
    (C.REJECTED, 2, False, ""), (C.REJECTED, 0, False, ""),
    (C.APPROVED, 0, False, ""), (C.APPROVED, 0, False, ""),
    (C.SIGNED, 0, False, "delivered"), (C.SIGNED, 0, False, "delivered"),
    (C.SIGNED, 0, False, "shipped"), (C.SIGNED, 0, False, "in_production"),
    (C.SIGNED, 0, False, "in_production"), (C.SIGNED, 0, False, "in_production"),
    (C.SIGNED, 0, False, "confirmed"), (C.SIGNED, 0, False, "confirmed"),
)
# Quotes that lead to no order: status, how many
QUOTE_ONLY = ((Q.DRAFT, 8), (Q.IN_APPROVAL, 10), (Q.REJECTED, 2), (Q.APPROVED, 5),
              (Q.SENT, 16), (Q.DECLINED, 14), (Q.CANCELLED, 2))
# Quotes replaced by a second version, and what became of the second
REVISED = (Q.SENT, Q.SENT, Q.SENT, Q.ACCEPTED, Q.ACCEPTED, Q.DECLINED, Q.DECLINED,
           Q.IN_APPROVAL)
LEADS = 4  # accepted quotes of customers who have not ordered yet (线索客户)
# deadline in days from today, result, bond status, contract state index it leads to
TENDERS = (
    (3, "pending", "to_pay", None), (6, "pending", "paid", None),
    (15, "pending", "not_required", None), (24, "pending", "to_pay", None),
    (40, "pending", "not_required", None), (-4, "submitted", "paid", None),
    (-9, "submitted", "paid", None), (-80, "won", "returned", 17),
    (-36, "won", "paid", 9), (-95, "won", "returned", 18),
    (-50, "lost", "returned", None), (-25, "lost", "paid", None),
    (-20, "cancelled", "returned", None),
)
ISSUERS = ("中国机电设备招标中心", "国网江苏招标有限公司", "广东省机电设备招标中心",
           "上海国际招标有限公司", "中化商务有限公司")
TENDER_TITLES = ("配电工程设备采购", "开关柜框架采购", "储能系统招标", "智能电表集中采购")
WINNERS = ("许继电气股份有限公司", "平高电气股份有限公司", "正泰电气股份有限公司")
TERMS_PAY = ("30% 预付款，发货前付 60%，质保金 10%（一年）", "货到验收合格后 60 天内付清",
             "30% advance, 70% within 30 days of delivery", "银行承兑汇票，到货后 90 天")
TERMS_DELIVERY = ("合同签订后 45 天内交货至买方指定地点", "含运输及卸货，DAP 项目现场",
                  "Delivery within 8 weeks, DAP site", "分两批交货，第二批随工程进度")
COMMENTS = {
    "quote": "折扣超出客户协议价，请按标准价重新报价",
    "contract_return": "请补充技术协议附件并确认质保期",
    "contract_reject": "付款条件不可接受：预付款低于 30%，且无履约保函",
}


@dataclass
class Deal:
    """An accepted quote that becomes an order (and the contract it went through)."""

    party: Party
    quote: Quote
    priced: Priced
    opp_id: int | None
    order_status: str
    order_date: dt.date
    contract: Contract | None = None


@dataclass
class Plan:
    quotes: list[tuple[Quote, Priced]] = field(default_factory=list)
    revisions: list[tuple[Quote, Quote]] = field(default_factory=list)  # (first, second)
    contracts: list[Contract] = field(default_factory=list)
    tenders: list[Tender] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    leads: set[int] = field(default_factory=set)  # customer ids of lead customers


def order_age(ctx: Ctx, status: str) -> dt.date:
    low, high = {"in_review": (1, 6), "returned": (4, 12), "rejected": (5, 40),
                 "confirmed": (1, 12), "in_production": (10, 45),
                 "partially_shipped": (14, 60), "shipped": (8, 70), "delivered": (25, 350),
                 "cancelled": (10, 200)}[status]
    return ctx.days_ago(low, high)


class Planner:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.plan = Plan()
        self.used_opps: set[int] = set()
        # The first rep (王芳) is who most people sign in as: a good share of the deals is hers,
        # so her customers are not the ones kept at lead customer.
        rep = ctx.star.pk
        others = [p for p in ctx.parties if p.owner_id != rep]
        leads = ctx.pick.sample(others, min(LEADS, len(ctx.parties) // 4, len(others)))
        self.plan.leads = {p.id for p in leads}
        self.lead_parties = leads
        self.others = [p for p in ctx.parties if p.id not in self.plan.leads]
        self.first_rep = [p for p in self.others if p.owner_id == rep]

    # -- who ---------------------------------------------------------------------------------

    def party(self, *stages: str, first_rep: bool = False) -> tuple[Party, int | None]:
        """A customer with an unused opportunity in one of ``stages`` if there is one (of
        the first rep's customers with ``first_rep``)."""
        by_id = self.ctx.by_id
        allowed = {p.id for p in self.first_rep} if first_rep and self.first_rep else by_id
        for stage in stages:
            for oid, account_id in self.ctx.opps.get(stage, ()):
                if oid not in self.used_opps and account_id in allowed \
                        and account_id not in self.plan.leads:
                    self.used_opps.add(oid)
                    return by_id[account_id], oid
        pick = self.ctx.pick
        if self.first_rep and (first_rep or pick.random() < 0.3):
            return pick.choice(self.first_rep), None
        return pick.choice(self.others), None

    # -- quotes ------------------------------------------------------------------------------

    def quote(self, party: Party, opp: int | None, status: str, *, issued: dt.date,
              review: str = "", custom: bool | None = None, big: bool = False,
              min_lines: int = 1, waiting_since: dt.datetime | None = None,
              review_outcome: str = "", stop: int = 0,
              priced: Priced | None = None) -> tuple[Quote, Priced]:
        ctx = self.ctx
        priced = priced or make_lines(ctx, party, review=review, custom=custom, big=big,
                                      min_lines=min_lines)
        t = priced.totals
        created = ctx.at(issued, ctx.rng.uniform(8.5, 11))
        owner = party.owner_id
        quote = Quote(
            title=priced.title, account_id=party.id, contact_id=party.contact_id,
            opportunity_id=opp, price_list=priced.price_list, currency=priced.currency,
            status=status, issue_date=issued, valid_until=issued + dt.timedelta(days=30),
            discount_percent=priced.discount, subtotal=t.subtotal,
            discount_amount=t.discount_amount, net_amount=t.net, tax_amount=t.tax,
            total=t.total, max_discount=t.max_discount, owner_id=owner, team_id=party.team_id,
            created_by_id=owner, created_at=created,
            terms="含税价，含运输；质保期 12 个月。" if not party.usd
            else "Prices DAP Singapore, excluding local duties; warranty 12 months.")
        planned = None
        if priced.needs_review:
            facts = Facts(amount=t.total, discount=t.max_discount, customer_rate=party.rate)
            outcome = review_outcome or (R.PENDING if status == Q.IN_APPROVAL else R.APPROVED)
            if status == Q.DRAFT:
                outcome = ""
            if outcome:
                planned = ctx.review(
                    quote, "quote", facts, owner, outcome=outcome, stop=stop,
                    start=None if waiting_since else created + dt.timedelta(minutes=20),
                    waiting_since=waiting_since, comment=COMMENTS["quote"],
                    reason=f"{max(t.max_discount, priced.discount)}% / {party.rate}%")
        elif status in (Q.IN_APPROVAL, Q.APPROVED, Q.REJECTED):
            quote.status = Q.SENT if status == Q.APPROVED else Q.DRAFT  # rules ask for nothing
        if planned is not None and waiting_since is not None:
            quote.created_at = planned.submitted_at - dt.timedelta(minutes=20)
            quote.issue_date = ctx.localdate(quote.created_at)
            quote.valid_until = quote.issue_date + dt.timedelta(days=30)
        ready = planned.finished_at if planned and planned.finished_at else quote.created_at
        if quote.status in (Q.SENT, Q.ACCEPTED, Q.DECLINED, Q.SUPERSEDED):
            quote.sent_at = max(ready, min(ready + dt.timedelta(hours=ctx.rng.uniform(0.5, 20)),
                                           ctx.now - dt.timedelta(minutes=30)))
            quote.sent_to = party.contact
        self.plan.quotes.append((quote, priced))
        return quote, priced

    def decide(self, quote: Quote, at: dt.datetime) -> None:
        sent = quote.sent_at or quote.created_at
        quote.decided_at = max(at, min(sent + dt.timedelta(hours=2),
                                       self.ctx.now - dt.timedelta(minutes=10)))

    def accepted(self, party: Party, opp: int | None, decided: dt.date, **kwargs) -> tuple[
            Quote, Priced]:
        """A quote accepted on ``decided``, issued one to four weeks before."""
        ctx = self.ctx
        issued = decided - dt.timedelta(days=ctx.rng.randint(4, 28))
        review = "manager" if ctx.rng.random() < 0.25 else ""
        quote, priced = self.quote(party, opp, Q.ACCEPTED, issued=issued, review=review,
                                   **kwargs)
        self.decide(quote, ctx.at(decided))
        return quote, priced

    # -- the year ----------------------------------------------------------------------------

    def orders(self) -> None:
        ctx = self.ctx
        states = [s for s, n in ORDER_STATES for _i in range(n)]
        ctx.rng.shuffle(states)
        for status in states:
            party, opp = self.party("won", "contract_review")
            ordered = order_age(ctx, status)
            decided = ordered - dt.timedelta(days=ctx.rng.randint(0, 4))
            custom = True if status in ("in_review", "returned", "rejected", "in_production") \
                else None
            quote, priced = self.accepted(
                party, opp, decided, custom=custom,
                min_lines=2 if status == "partially_shipped" else 1)
            self.plan.deals.append(Deal(party, quote, priced, opp, status, ordered))

    def quotes_only(self) -> None:
        ctx, r = self.ctx, self.ctx.rng
        for status, count in QUOTE_ONLY:
            for i in range(count):
                stages = {Q.DECLINED: ("lost",), Q.CANCELLED: ("lost",)}.get(
                    status, ("quotation", "tender"))
                party, opp = self.party(*stages)
                if status == Q.IN_APPROVAL:
                    gm = i in (2, 7)
                    hours = r.uniform(30, 120) if i % 3 == 0 else r.uniform(1, 20)
                    self.quote(party, opp, status, issued=ctx.today, review="gm" if gm
                               else "manager", waiting_since=ctx.now - dt.timedelta(hours=hours),
                               stop=1 if gm and i == 7 else 0)
                    continue
                issued = {Q.DRAFT: (0, 12), Q.REJECTED: (5, 60), Q.APPROVED: (1, 8),
                          Q.SENT: (2, 75), Q.DECLINED: (20, 330), Q.CANCELLED: (30, 200)}[status]
                quote, _p = self.quote(
                    party, opp, status, issued=ctx.days_ago(*issued),
                    review="manager" if status in (Q.REJECTED, Q.APPROVED) or (
                        status == Q.DRAFT and i % 3 == 0) else "",
                    review_outcome=R.REJECTED if status == Q.REJECTED else "")
                if status == Q.DECLINED:
                    self.decide(quote, ctx.at(min(ctx.today, quote.issue_date
                                                  + dt.timedelta(days=r.randint(5, 25)))))
        for status in REVISED:
            party, opp = self.party("quotation", "tender")
            first, priced = self.quote(party, opp, Q.SUPERSEDED, issued=ctx.days_ago(20, 200))
            second = revise(ctx, party, priced, review=status == Q.IN_APPROVAL)
            second_day = min(ctx.today, first.issue_date + dt.timedelta(days=r.randint(5, 15)))
            if status == Q.ACCEPTED:
                ordered = min(ctx.today, second_day + dt.timedelta(days=r.randint(5, 20)))
                quote, priced = self.quote(party, opp, status, issued=second_day, priced=second)
                self.decide(quote, ctx.at(ordered))
                self.plan.deals.append(Deal(party, quote, priced, opp, "delivered"
                                            if ordered < ctx.today - dt.timedelta(days=30)
                                            else "confirmed", ordered))
            elif status == Q.IN_APPROVAL:
                quote, _p = self.quote(party, opp, status, issued=ctx.today, priced=second,
                                       waiting_since=ctx.now - dt.timedelta(hours=3))
            else:
                quote, _p = self.quote(party, opp, status, issued=second_day, priced=second)
                if status == Q.DECLINED:
                    self.decide(quote, ctx.at(min(ctx.today, second_day
                                                  + dt.timedelta(days=10))))
            quote.revision = 2
            if quote.created_at <= first.created_at:
                quote.created_at = first.created_at + dt.timedelta(days=1)
            self.plan.revisions.append((first, quote))
        for party in self.lead_parties:
            self.accepted(party, None, ctx.days_ago(1, 20))

    def tenders(self) -> dict[int, Tender]:
        """The tenders; returns the won ones by the index of the contract they lead to."""
        ctx, r = self.ctx, self.ctx.rng
        won: dict[int, Tender] = {}
        for i, (days, result, bond, contract_index) in enumerate(TENDERS):
            stage = {"pending": ("tender",), "submitted": ("tender",), "lost": ("lost",),
                     "cancelled": ("lost",)}.get(result, ("contract_review", "won"))
            party, opp = self.party(*stage)
            deadline = ctx.at(ctx.today + dt.timedelta(days=days), 9.5, future=True)
            budget = Decimal(r.randrange(80, 900)) * 10_000
            tender = Tender(
                number=f"{ctx.today.year}-{('ZB', 'GK', 'JZ')[i % 3]}-{1000 + i * 37:04d}",
                title=f"{party.name[:40]} {TENDER_TITLES[i % len(TENDER_TITLES)]}",
                issuer=party.name if i % 2 else ISSUERS[i % len(ISSUERS)],
                account_id=party.id, opportunity_id=opp, deadline=deadline,
                opening_at=deadline + dt.timedelta(days=r.choice((0, 0, 7))),
                budget=budget, bid_amount=cents(budget * Decimal(r.uniform(0.88, 0.98)))
                if result != "pending" else None,
                bond_amount=Decimal(0) if bond == "not_required"
                else min(Decimal(800_000), (budget * Decimal("0.02")).quantize(Decimal(1000))),
                bond_status=bond, bond_due=(deadline - dt.timedelta(days=2)).date()
                if bond != "not_required" else None,
                result=result, owner_id=party.owner_id, team_id=party.team_id,
                created_by_id=party.owner_id,
                created_at=ctx.at(deadline.date() - dt.timedelta(days=r.randint(15, 30))))
            if result == "won":
                tender.result_note = "中标通知书已收到"
            elif result == "lost":
                tender.winner = WINNERS[i % len(WINNERS)]
                tender.result_note = "价格分落后 2.3 分"
            elif result == "cancelled":
                tender.result_note = "招标人预算调整，项目取消"
            self.plan.tenders.append(tender)
            if contract_index is not None:
                won[contract_index] = tender
        return won

    def contracts(self, tenders: dict[int, Tender]) -> None:
        ctx, r = self.ctx, self.ctx.rng
        by_id = ctx.by_id
        for i, (status, stop, overdue, order_status) in enumerate(CONTRACTS):
            tender = tenders.get(i)
            if tender is not None:
                party, opp = by_id[tender.account_id], tender.opportunity_id
            else:
                # The first rep's sales manager has contracts of hers to review.
                party, opp = self.party("won" if status == C.SIGNED else "contract_review",
                                        first_rep=status == C.IN_REVIEW and i in (1, 4, 7))
            big = stop == 3 or i % 3 == 0
            # Work backwards from today: order, signature, review, quote.
            ordered = order_age(ctx, order_status) if order_status else None
            signed = ordered - dt.timedelta(days=r.randint(0, 3)) if ordered else None
            contract = Contract(
                account_id=party.id, opportunity_id=opp, tender=tender, status=status,
                currency="USD" if party.usd else "CNY",
                payment_terms=TERMS_PAY[i % len(TERMS_PAY)],
                delivery_terms=TERMS_DELIVERY[i % len(TERMS_DELIVERY)],
                owner_id=party.owner_id, team_id=party.team_id, created_by_id=party.owner_id,
                signed_on=signed)
            due = [24, 48, 48, 72][stop]
            waiting = ctx.now - dt.timedelta(hours=r.uniform(due + 6, due * 3) if overdue
                                             else r.uniform(1, due * 0.7))
            if status == C.DRAFT:
                submitted = ctx.at(ctx.days_ago(0, 4))
            elif status == C.IN_REVIEW:
                submitted = waiting - dt.timedelta(hours=22 * stop + 2)
            elif signed:
                submitted = ctx.at(signed - dt.timedelta(days=r.randint(4, 9)))
            else:
                submitted = ctx.at(ctx.days_ago(3, 40))
            quote_day = ctx.localdate(submitted) - dt.timedelta(days=r.randint(1, 5))
            if tender is not None:  # the bid was opened a week or two before the quote
                _shift(tender, quote_day - dt.timedelta(days=r.randint(7, 20))
                       - ctx.localdate(tender.deadline))
            quote, priced = self.accepted(party, opp, quote_day, big=big,
                                          custom=True if order_status == "in_production"
                                          else None)
            contract.quote = quote
            contract.amount = quote.total
            contract.title = f"{party.name[:60]} {priced.title}合同"
            contract.created_at = min(submitted - dt.timedelta(hours=1),
                                      max(quote.decided_at, submitted - dt.timedelta(days=1)))
            contract.starts_on = signed or ctx.localdate(submitted)
            contract.ends_on = contract.starts_on + dt.timedelta(days=365)
            facts = Facts(amount=quote.total)
            planned: PlannedReview | None = None
            if status == C.IN_REVIEW:
                planned = ctx.review(contract, "contract", facts, party.owner_id,
                                     outcome=R.PENDING, stop=stop, waiting_since=waiting)
            elif status in (C.RETURNED, C.REJECTED):
                planned = ctx.review(
                    contract, "contract", facts, party.owner_id, stop=stop,
                    outcome=R.RETURNED if status == C.RETURNED else R.REJECTED,
                    start=submitted, comment=COMMENTS["contract_return"
                                                      if status == C.RETURNED
                                                      else "contract_reject"])
            elif status in (C.APPROVED, C.SIGNED):
                planned = ctx.review(contract, "contract", facts, party.owner_id,
                                     outcome=R.APPROVED, start=submitted)
                if planned and signed and planned.finished_at \
                        and ctx.localdate(planned.finished_at) > signed:
                    contract.signed_on = signed = ctx.localdate(planned.finished_at)
            self.plan.contracts.append(contract)
            if status == C.SIGNED:
                self.plan.deals.append(Deal(party, quote, priced, opp, order_status,
                                            max(ordered, signed), contract))


def _shift(tender: Tender, by: dt.timedelta) -> None:
    tender.deadline += by
    tender.created_at += by
    tender.opening_at = tender.opening_at + by if tender.opening_at else None
    tender.bond_due = tender.bond_due + by if tender.bond_due else None


def plan(ctx: Ctx) -> Plan:
    planner = Planner(ctx)
    planner.orders()
    planner.quotes_only()
    won = planner.tenders()
    planner.contracts(won)
    return planner.plan


def save(ctx: Ctx, plan: Plan) -> None:
    """Number and write the quotes, their lines, tenders and contracts."""
    firsts = [q for q, _p in plan.quotes if q.revision == 1]
    for q in sorted(firsts, key=lambda q: q.created_at):
        q.number = ctx.numbers.take(QUOTE, q.issue_date)
    for first, second in plan.revisions:
        second.number = first.number
    seconds = {id(s) for _f, s in plan.revisions}
    Quote.objects.bulk_create(firsts)
    for first, second in plan.revisions:
        second.previous = first
    Quote.objects.bulk_create([q for q, _p in plan.quotes if id(q) in seconds])
    lines: list[QuoteLine] = []
    for quote, priced in plan.quotes:
        for line in priced.lines:
            line.quote = quote
            lines.append(line)
    QuoteLine.objects.bulk_create(lines)
    Tender.objects.bulk_create(plan.tenders)
    for c in sorted(plan.contracts, key=lambda c: c.created_at):
        c.number = ctx.numbers.take(CONTRACT, ctx.localdate(c.created_at))
        c.quote_id = c.quote.pk
        c.tender_id = c.tender.pk if c.tender else None
    Contract.objects.bulk_create(plan.contracts)
