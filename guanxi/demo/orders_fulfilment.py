"""Demo sales orders from the accepted quotes and signed contracts, in every state: custom
orders in order review (waiting, returned, rejected), confirmed, in production with planned
dates (a few at risk of missing the promised date, a few already late), partly shipped,
shipped, delivered, cancelled; shipments by 顺丰速运, 德邦物流 and 中国邮政EMS with their
tracking numbers. Order lines are the quote's lines, so the order adds up like the quote."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from guanxi.demo.orders_catalog import MTO
from guanxi.demo.orders_context import Ctx
from guanxi.demo.orders_deals import Deal
from guanxi.orders.models import OrderLine, Review, SalesOrder, Shipment, ShipmentLine
from guanxi.orders.numbers import ORDER, SHIPMENT
from guanxi.orders.services.reviews import Facts

S = SalesOrder.Status
P = SalesOrder.Production
R = Review.Status
REQUIREMENTS = ("柜体颜色 RAL7035，下进线上出线，需提供出厂试验报告",
                "变压器加装温控器及强迫风冷，外壳防护等级 IP30",
                "Nameplates in English, IEC 62271 type test reports",
                "储能舱按项目现场图纸定制，含消防系统及 EMS 接口联调")
RETURNS = ("交期无法满足：非标柜体需 60 天，请与客户确认交期",
           "技术参数与图纸不一致，请补充客户确认的技术协议")
REJECTS = ("客户信用额度不足且无预付款，不接单",)
NOTES = ("木箱包装", "共 3 件，含随机文件", "", "Crated, with test reports")
CARRIERS = ("顺丰速运", "德邦物流", "中国邮政EMS")


def _tracking(ctx: Ctx, carrier: str) -> str:
    r = ctx.rng
    if carrier == "顺丰速运":
        return f"SF{r.randrange(10**12, 10**13)}"
    if carrier == "德邦物流":
        return f"DPK{r.randrange(10**11, 10**12)}"
    return f"11{r.randrange(10**10, 10**11)}"


def build(ctx: Ctx, deals: list[Deal]) -> list[SalesOrder]:
    """Write the orders of ``deals``, their lines and shipments; returns the orders."""
    r = ctx.rng
    users = ctx.org.users
    delivery, collection = users["delivery"].pk, users["collection"].pk
    assistant = users["assistant"]
    orders: list[SalesOrder] = []
    shipments: list[tuple[SalesOrder, Shipment, list[tuple[int, Decimal]]]] = []
    at_risk = late = 0
    for deal in sorted(deals, key=lambda d: d.order_date):
        party, quote, priced = deal.party, deal.quote, deal.priced
        custom = any(line.product.kind == MTO for line in priced.lines)
        status = deal.order_status
        if status in (S.IN_REVIEW, S.RETURNED, S.REJECTED, S.IN_PRODUCTION) and not custom:
            status = S.CONFIRMED  # only custom orders are reviewed and produced
        if status == S.PARTIALLY_SHIPPED and len(priced.lines) == 1 \
                and priced.lines[0].quantity < 2:
            status = S.SHIPPED  # one piece cannot ship in parts
        ordered = deal.order_date
        by = assistant.pk if party.team_id == assistant.team_id and r.random() < 0.3 \
            else party.owner_id
        created = ctx.at(ordered, r.uniform(9, 16))
        if quote.decided_at and created <= quote.decided_at:
            created = min(quote.decided_at + dt.timedelta(hours=r.uniform(1, 6)),
                          max(quote.decided_at, ctx.now - dt.timedelta(minutes=5)))
        order = SalesOrder(
            kind=SalesOrder.Kind.CUSTOM if custom else SalesOrder.Kind.STOCK, status=status,
            account_id=party.id, contact_id=party.contact_id, quote=quote,
            contract=deal.contract, opportunity_id=deal.opp_id, currency=quote.currency,
            net_amount=quote.net_amount, tax_amount=quote.tax_amount, total=quote.total,
            cost=priced.totals.cost, order_date=ordered,
            special_requirements=REQUIREMENTS[r.randrange(len(REQUIREMENTS))] if custom else "",
            delivery_address=party.address, owner_id=party.owner_id, team_id=party.team_id,
            delivery_owner_id=delivery if r.random() < 0.9 or status == S.DELIVERED else None,
            collection_owner_id=collection if r.random() < 0.92 else None,
            created_by_id=by, created_at=created)
        lead = r.randint(30, 60) if custom else r.randint(7, 15)
        order.promised_date = ordered + dt.timedelta(days=lead)
        order.planned_date = order.promised_date - dt.timedelta(days=r.randint(0, 4))
        order.production_status = P.NOT_STARTED if custom else P.NOT_NEEDED
        if custom:
            facts = Facts(amount=order.total)
            if status == S.IN_REVIEW:
                waiting = ctx.now - dt.timedelta(hours=r.choice((2, 5, 9, 30, 50, 75)))
                planned = ctx.review(order, "order", facts, by, outcome=R.PENDING,
                                     stop=r.randint(0, 1), waiting_since=waiting)
                if planned:
                    order.created_at = planned.submitted_at - dt.timedelta(minutes=10)
                    order.order_date = ordered = ctx.localdate(order.created_at)
                order.planned_date = None
            elif status in (S.RETURNED, S.REJECTED):
                ctx.review(order, "order", facts, by, stop=r.randint(0, 1),
                           outcome=R.RETURNED if status == S.RETURNED else R.REJECTED,
                           start=created + dt.timedelta(minutes=10),
                           comment=r.choice(RETURNS if status == S.RETURNED else REJECTS))
                order.planned_date = None
            else:
                ctx.review(order, "order", facts, by, outcome=R.APPROVED,
                           start=created + dt.timedelta(minutes=10))
        lines = [OrderLine(
            order=order, position=q.position, product=q.product, description=q.description,
            unit=q.unit, quantity=q.quantity, list_price=q.list_price, unit_price=q.unit_price,
            discount_percent=q.discount_percent, tax_rate=q.tax_rate, net_amount=q.net_amount,
            tax_amount=q.tax_amount, total=q.total, cost=q.cost, shipped_quantity=Decimal(0))
            for q in priced.lines]
        order._demo_lines, order._demo_shipments = lines, []
        age = (ctx.today - ordered).days
        heavy = any(line.product.list_price >= 50_000 for line in lines)
        carrier = "德邦物流" if heavy else r.choice(CARRIERS + ("顺丰速运",))

        def ship(day: dt.date, part: list[tuple[OrderLine, Decimal]],
                 delivered: dt.date | None, order=order, carrier=carrier) -> None:
            shipment = Shipment(
                order=order, shipped_on=day, carrier=carrier,
                tracking_number=_tracking(ctx, carrier), delivered_on=delivered,
                notes=r.choice(NOTES),
                created_by_id=delivery, created_at=ctx.at(day))
            for line, quantity in part:
                line.shipped_quantity += quantity
            order._demo_shipments.append(shipment)
            shipments.append((order, shipment, part))

        if status == S.CONFIRMED:
            order.production_status = r.choice((P.NOT_STARTED, P.SCHEDULED)) if custom \
                else P.NOT_NEEDED
        elif status == S.IN_PRODUCTION:
            order.production_status = r.choice((P.IN_PROGRESS, P.IN_PROGRESS, P.QUALITY_CHECK))
            if at_risk < 3:
                at_risk += 1
                order.promised_date = ctx.today + dt.timedelta(days=r.randint(1, 5))
                order.planned_date = order.promised_date + dt.timedelta(days=r.randint(3, 10))
            elif late < 2:
                late += 1
                order.promised_date = max(ordered + dt.timedelta(days=7),
                                          ctx.today - dt.timedelta(days=r.randint(3, 12)))
                order.planned_date = ctx.today + dt.timedelta(days=r.randint(2, 10))
                order.production_status = P.DELAYED
            elif order.promised_date <= ctx.today:
                order.promised_date = ctx.today + dt.timedelta(days=r.randint(6, 25))
                order.planned_date = order.promised_date - dt.timedelta(days=r.randint(0, 4))
        elif status == S.PARTIALLY_SHIPPED:
            day = min(ctx.today, ordered + dt.timedelta(days=max(1, round(age * r.uniform(
                0.4, 0.9)))))
            half = len(lines) // 2
            part = [(line, line.quantity) for line in lines[:half]]
            rest = lines[half]
            if rest.quantity >= 2:
                part.append((rest, (rest.quantity / 2).quantize(Decimal(1), ROUND_DOWN)))
            ship(day, part, None)
            order.production_status = r.choice((P.IN_PROGRESS, P.DONE)) if custom \
                else P.NOT_NEEDED
        elif status in (S.SHIPPED, S.DELIVERED):
            if status == S.DELIVERED:
                first = ordered + dt.timedelta(days=min(lead, max(1, age - 8)))
            else:
                first = ordered + dt.timedelta(days=max(1, round(age * r.uniform(0.5, 0.9))))
            first = min(first, ctx.today)
            split = len(lines) >= 2 and r.random() < 0.3
            cut = len(lines) // 2 if split else len(lines)
            second = min(ctx.today, first + dt.timedelta(days=r.randint(4, 12)))

            def arrived(day: dt.date) -> dt.date:
                return min(ctx.today, day + dt.timedelta(days=r.randint(1, 5)))

            if status == S.DELIVERED:
                ship(first, [(li, li.quantity) for li in lines[:cut]], arrived(first))
                if split:
                    ship(second, [(li, li.quantity) for li in lines[cut:]], arrived(second))
                order.actual_date = shipments[-1][1].delivered_on
            else:
                ship(first, [(li, li.quantity) for li in lines[:cut]],
                     arrived(first) if split else None)
                if split:
                    ship(second, [(li, li.quantity) for li in lines[cut:]], None)
            order.production_status = P.DONE if custom else P.NOT_NEEDED
        elif status == S.CANCELLED:
            order.planned_date = None
        orders.append(order)

    for order in sorted(orders, key=lambda o: (o.order_date, o.created_at)):
        order.number = ctx.numbers.take(ORDER, order.order_date)
    SalesOrder.objects.bulk_create(orders)
    OrderLine.objects.bulk_create([line for o in orders for line in o._demo_lines])
    for _o, shipment, _part in sorted(shipments, key=lambda s: s[1].shipped_on):
        shipment.number = ctx.numbers.take(SHIPMENT, shipment.shipped_on)
    Shipment.objects.bulk_create([s for _o, s, _p in shipments])
    ShipmentLine.objects.bulk_create([
        ShipmentLine(shipment=s, order_line=line, quantity=q)
        for _o, s, part in shipments for line, q in part if q > 0])
    return orders
