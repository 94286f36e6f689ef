"""Demo quote lines: a coherent bill of items per kind of project (a substation, switchgear,
distribution automation, meters, energy storage, materials, service), quantities that fit
each unit, the customer's price list, discounts within the customer's approved rate — or
beyond it when the quote is meant to go to approval — all priced with ``price_lines``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guanxi.demo.orders_catalog import MTO, USD_RATE
from guanxi.demo.orders_context import Ctx, Party
from guanxi.orders.models import PriceList, Product, QuoteLine
from guanxi.orders.money import LineInput, Totals, cents, price_lines
from guanxi.orders.services.reviews import Facts, applies

THEMES = {
    "substation": ("TR-SCB10-630", "TR-SCB13-1250", "TR-S13-800", "BX-YBM-630", "SG-KYN28",
                   "SG-GCS", "CA-YJV22-3X240", "CA-TERM-10", "SV-INSTALL", "TS-FREIGHT"),
    "switchgear": ("SG-KYN28", "SG-XGN15", "SG-MNS", "CB-VS1", "CB-DW45", "CB-NM1-250",
                   "SV-TEST", "TS-CRANE"),
    "automation": ("DA-MASTER", "DA-FTU", "MT-DTZ341", "SV-TRAIN", "SV-INSTALL"),
    "meters": ("MT-DTZ341", "MT-DDZY", "CB-DZ47-C32", "CB-NM1-250", "TS-FREIGHT"),
    "storage": ("ES-BAT-1MWH", "ES-PCS-500", "PV-INV-110", "TR-S20-400", "SV-INSTALL",
                "TS-CRANE"),
    "materials": ("CA-YJV-4X95", "CA-YJV22-3X240", "BB-TMY-100", "ST-L63-Q235", "CA-TERM-10",
                  "TS-FREIGHT"),
    "service": ("SV-MAINT", "SV-TEST", "SV-TRAIN", "SV-INSTALL"),
}
TITLES = {"substation": "配电工程设备", "switchgear": "开关柜及元件", "automation": "配电自动化",
          "meters": "智能电表采购", "storage": "储能项目设备", "materials": "电缆及材料",
          "service": "运维服务"}
LINE_COUNTS = ((1, 8), (2, 14), (3, 18), (4, 18), (5, 14), (6, 10), (7, 8), (8, 6))
BIG = Decimal("1200000")  # contracts meant for the legal step: 1 000 000 and more
EXTRA = (Decimal(3), Decimal(5), Decimal(8), Decimal(12))


@dataclass
class Priced:
    lines: list[QuoteLine]
    totals: Totals
    discount: Decimal  # quote discount (%)
    currency: str
    price_list: PriceList
    theme: str
    needs_review: bool

    @property
    def title(self) -> str:
        return TITLES[self.theme]


def price_list_of(ctx: Ctx, party: Party) -> PriceList:
    cat = ctx.catalog
    return cat.export if party.usd else cat.distributor if party.distributor else cat.standard


def _quantity(ctx: Ctx, product: Product, big: bool) -> Decimal:
    r = ctx.rng
    price, unit = product.list_price, product.unit
    if unit in ("台", "套"):
        if price >= 100_000:
            n = r.randint(2, 4) if big else r.choice((1, 1, 1, 2, 2, 3))
        elif price >= 10_000:
            n = r.randint(1, 8)
        else:
            n = r.choice((10, 20, 30, 50, 80, 120))
    elif unit == "件":
        n = r.choice((100, 200, 500, 1000, 2000)) if price < 100 else r.choice((20, 40, 60, 120))
    elif unit == "米":
        n = r.randrange(200, 3000, 50)
    elif unit == "吨":
        n = r.randint(1, 6) if price > 50_000 else r.randint(5, 60)
    else:  # 小时
        n = r.randrange(16, 168, 8)
    return Decimal(n)


def make_lines(ctx: Ctx, party: Party, *, review: str = "", custom: bool | None = None,
               big: bool = False, min_lines: int = 1) -> Priced:
    """Priced lines for ``party``. ``review``: "" (stay within the customer's rate), "manager"
    (beyond it), "gm" (beyond the company limit too). ``custom``: True to include a
    made-to-order product, False to leave them out."""
    r = ctx.rng
    products = ctx.catalog.products
    themes = [t for t, codes in THEMES.items()
              if custom is None or (custom == any(products[c].kind == MTO for c in codes))]
    if custom is False:
        themes = ["meters", "materials", "service", "switchgear"]
    if big:
        themes = ["substation", "storage"]
    theme = r.choice(themes)
    codes = [c for c in THEMES[theme] if custom is not False or products[c].kind != MTO]
    count = r.choices([n for n, _w in LINE_COUNTS], [w for _n, w in LINE_COUNTS])[0]
    count = max(min_lines, min(count, len(codes)))
    chosen = sorted(r.sample(range(len(codes)), count))
    picked = [products[codes[i]] for i in chosen]
    if custom and not any(p.kind == MTO for p in picked):
        picked[0] = next(products[c] for c in codes if products[c].kind == MTO)
    if big and not any(p.list_price >= 100_000 for p in picked):
        picked[0] = products[codes[0]]
    price_list = price_list_of(ctx, party)
    prices = ctx.catalog.prices
    rate = Decimal(0) if party.usd else party.rate
    base = [r.choice((Decimal(0), cents(rate / 2), rate)) for _p in picked]
    quantities = [_quantity(ctx, p, big) for p in picked]
    discount = Decimal(0)
    if review:
        extra = r.choice(EXTRA)
        if review == "gm":
            extra = Decimal(32) - rate + r.choice((0, 1, 3))
        target = r.randrange(len(picked))
        base[target] = min(rate + extra, Decimal(60))
        if review != "gm" and r.random() < 0.3:
            discount = Decimal(r.choice((2, 3, 5)))
    while True:
        inputs = []
        for p, qty, disc in zip(picked, quantities, base, strict=True):
            unit_price = prices.get((price_list.pk, p.pk)) or prices[
                (ctx.catalog.standard.pk, p.pk)]
            cost = cents(p.cost / USD_RATE) if party.usd else p.cost
            inputs.append(LineInput(quantity=qty, list_price=unit_price, unit_price=unit_price,
                                    discount_percent=disc,
                                    tax_rate=Decimal(0) if party.usd else p.tax_rate,
                                    cost=cost))
        amounts, totals = price_lines(inputs, discount)
        if big and totals.net < BIG:
            quantities = [q * 2 if p.list_price >= 100_000 else q
                          for p, q in zip(picked, quantities, strict=True)]
            continue
        facts = Facts(amount=totals.total, discount=totals.max_discount, customer_rate=rate)
        needs = any(applies(rule, facts) for rule in ctx.rules["quote"])
        if needs and not review and any(base) or discount and not review:
            base, discount = [Decimal(0)] * len(base), Decimal(0)
            continue
        break
    return Priced(lines=_lines(party, picked, inputs, amounts), totals=totals,
                  discount=discount, currency="USD" if party.usd else "CNY",
                  price_list=price_list, theme=theme, needs_review=needs)


def revise(ctx: Ctx, party: Party, first: Priced, *, review: bool = False) -> Priced:
    """The lines of a second version: the same products, the customer's full rate (beyond it
    when the new version goes to approval), and the biggest line cut back a fifth."""
    rate = Decimal(0) if party.usd else party.rate
    biggest = max(range(len(first.lines)), key=lambda i: first.lines[i].net_amount)
    inputs = []
    for i, line in enumerate(first.lines):
        quantity = line.quantity
        if i == biggest and quantity >= 2:
            quantity = max(Decimal(1), (quantity * Decimal("0.8")).quantize(Decimal(1)))
        discount = min(rate + ctx.rng.choice(EXTRA), Decimal(60)) if review and i == biggest \
            else rate
        inputs.append(LineInput(quantity=quantity, list_price=line.list_price,
                                unit_price=line.unit_price, discount_percent=discount,
                                tax_rate=line.tax_rate, cost=line.cost))
    amounts, totals = price_lines(inputs)
    facts = Facts(amount=totals.total, discount=totals.max_discount, customer_rate=rate)
    return Priced(lines=_lines(party, [li.product for li in first.lines], inputs, amounts),
                  totals=totals, discount=Decimal(0), currency=first.currency,
                  price_list=first.price_list, theme=first.theme,
                  needs_review=any(applies(rule, facts) for rule in ctx.rules["quote"]))


def _lines(party: Party, products: list[Product], inputs: list[LineInput],
           amounts: list) -> list[QuoteLine]:
    return [QuoteLine(position=i, product=p, unit=p.unit, quantity=li.quantity,
                      list_price=li.list_price, unit_price=li.unit_price,
                      discount_percent=li.discount_percent, tax_rate=li.tax_rate,
                      net_amount=a.net, tax_amount=a.tax, total=a.total, cost=li.cost,
                      description=p.name_en if party.usd else p.name_zh)
            for i, (p, li, a) in enumerate(zip(products, inputs, amounts, strict=True),
                                          start=1)]
