"""The demo catalogue: an electrical equipment maker's products (Chinese and English names,
units, list prices, costs at 50–80 % of the price, VAT 13 % on goods, 6 % on services, 9 % on
transport), and its price lists: standard CNY, USD export, distributors (经销商) this year, and
last year's promotion, long expired. Looked up by code and name before anything is created."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from guanxi.orders.models import CustomerGroup, PriceList, PriceListItem, Product
from guanxi.orders.money import cents

MTO, STOCK = Product.Kind.MADE_TO_ORDER, Product.Kind.STOCK
# code, Chinese name, English name, unit, list price, cost share, VAT %, kind
PRODUCTS = (
    ("TR-SCB10-630", "干式变压器 SCB10-630kVA", "Dry-type transformer SCB10 630 kVA", "台",
     168_000, "0.72", 13, MTO),
    ("TR-SCB13-1250", "干式变压器 SCB13-1250kVA", "Dry-type transformer SCB13 1250 kVA", "台",
     286_000, "0.70", 13, MTO),
    ("TR-S13-800", "油浸式变压器 S13-M-800kVA", "Oil-immersed transformer S13 800 kVA", "台",
     132_000, "0.74", 13, MTO),
    ("TR-S20-400", "油浸式变压器 S20-400kVA 一级能效", "Oil-immersed transformer S20 400 kVA",
     "台", 98_000, "0.71", 13, STOCK),
    ("BX-YBM-630", "箱式变电站 YBM-12/0.4-630", "Prefabricated substation YBM 630 kVA", "套",
     365_000, "0.68", 13, MTO),
    ("SG-KYN28", "高压开关柜 KYN28A-12", "MV metal-clad switchgear KYN28A-12", "台", 78_000,
     "0.66", 13, MTO),
    ("SG-XGN15", "环网柜 XGN15-12", "Ring main unit XGN15-12", "台", 42_000, "0.64", 13, STOCK),
    ("SG-GCS", "低压开关柜 GCS", "LV withdrawable switchgear GCS", "台", 36_000, "0.67", 13,
     MTO),
    ("SG-MNS", "低压抽出式开关柜 MNS", "LV switchgear MNS", "台", 39_500, "0.65", 13, STOCK),
    ("CB-VS1", "真空断路器 VS1-12/1250", "Vacuum circuit breaker VS1-12/1250", "台", 16_800,
     "0.62", 13, STOCK),
    ("CB-DW45", "框架断路器 DW45-2000", "Air circuit breaker DW45-2000", "台", 12_600, "0.63",
     13, STOCK),
    ("CB-NM1-250", "塑壳断路器 NM1-250", "Moulded-case circuit breaker NM1-250", "件", 680,
     "0.55", 13, STOCK),
    ("CB-DZ47-C32", "微型断路器 DZ47-63 C32", "Miniature circuit breaker DZ47-63 C32", "件",
     26, "0.50", 13, STOCK),
    ("CA-YJV22-3X240", "电力电缆 YJV22-8.7/15kV 3×240", "MV power cable YJV22 3×240", "米",
     468, "0.78", 13, STOCK),
    ("CA-YJV-4X95", "低压电缆 YJV-0.6/1kV 4×95+1×50", "LV power cable YJV 4×95+1×50", "米",
     186, "0.79", 13, STOCK),
    ("CA-TERM-10", "冷缩电缆终端 10kV", "Cold-shrink cable termination 10 kV", "套", 1_280,
     "0.52", 13, STOCK),
    ("MT-DTZ341", "三相智能电表 DTZ341", "Three-phase smart meter DTZ341", "台", 980, "0.60",
     13, STOCK),
    ("MT-DDZY", "单相智能电表 DDZY", "Single-phase smart meter DDZY", "台", 265, "0.58", 13,
     STOCK),
    ("PV-INV-110", "组串式光伏逆变器 110kW", "String PV inverter 110 kW", "台", 36_800,
     "0.74", 13, STOCK),
    ("ES-PCS-500", "储能变流器 PCS-500kW", "Energy storage converter PCS 500 kW", "台",
     198_000, "0.69", 13, MTO),
    ("ES-BAT-1MWH", "储能电池舱 1MWh", "Battery storage container 1 MWh", "套", 1_180_000,
     "0.76", 13, MTO),
    ("DA-FTU", "配电终端 FTU", "Feeder terminal unit (FTU)", "台", 15_800, "0.58", 13, STOCK),
    ("DA-MASTER", "配电自动化主站系统", "Distribution automation master station", "套",
     420_000, "0.50", 13, MTO),
    ("BB-TMY-100", "铜排 TMY-100×10", "Copper busbar TMY 100×10", "吨", 86_500, "0.79", 13,
     STOCK),
    ("ST-L63-Q235", "热镀锌角钢 L63 Q235", "Hot-dip galvanised angle steel L63", "吨", 6_200,
     "0.76", 13, STOCK),
    ("SV-INSTALL", "安装调试服务", "Installation and commissioning", "小时", 480, "0.55", 6,
     STOCK),
    ("SV-TEST", "电气预防性试验", "Preventive electrical testing", "小时", 650, "0.52", 6,
     STOCK),
    ("SV-TRAIN", "运维培训", "Operation and maintenance training", "小时", 800, "0.50", 6,
     STOCK),
    ("SV-MAINT", "年度维保服务", "Annual maintenance contract", "套", 36_000, "0.60", 6, STOCK),
    ("TS-FREIGHT", "大件公路运输", "Heavy road freight", "吨", 320, "0.80", 9, STOCK),
    ("TS-CRANE", "吊装运输（含吊车）", "Crane lifting and delivery", "小时", 1_200, "0.75", 9,
     STOCK),
)
USD_RATE = Decimal("7.10")  # yuan per dollar in the export list and in the sales figures
GROUP = "经销商"


@dataclass
class Catalog:
    products: dict[str, Product]  # by code
    standard: PriceList
    export: PriceList
    distributor: PriceList
    promotion: PriceList
    group: CustomerGroup
    prices: dict[tuple[int, int], Decimal]  # (price list id, product id) → unit price


def ensure_catalog(today: dt.date) -> Catalog:
    """The products and price lists, created once; returns them with their prices."""
    have = {p.code: p for p in Product.objects.filter(code__in=[r[0] for r in PRODUCTS])}
    Product.objects.bulk_create([
        Product(code=code, name_zh=zh, name_en=en, unit=unit, list_price=Decimal(price),
                cost=cents(Decimal(price) * Decimal(share)), tax_rate=Decimal(vat), kind=kind,
                description="按图纸定制，交期 4–6 周" if kind == MTO else "")
        for code, zh, en, unit, price, share, vat, kind in PRODUCTS if code not in have])
    products = {p.code: p for p in Product.objects.filter(code__in=[r[0] for r in PRODUCTS])}
    group = CustomerGroup.objects.get_or_create(name=GROUP)[0]
    year = today.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    last = dt.date(year - 1, 11, 1)
    lists = {
        "standard": _list(f"标准价目表 {year}", "CNY", None, start, None),
        "export": _list(f"Export price list {year}", "USD", None, start, None),
        "distributor": _list(f"经销商价目表 {year}", "CNY", group, start, end),
        "promotion": _list(f"双十一促销 {year - 1}", "CNY", None, last,
                           dt.date(year - 1, 11, 30)),
    }
    wanted: list[PriceListItem] = []
    for p in products.values():
        wanted.append(PriceListItem(price_list=lists["standard"], product=p,
                                    unit_price=p.list_price))
        wanted.append(PriceListItem(price_list=lists["export"], product=p,
                                    unit_price=cents(p.list_price * Decimal("1.08") / USD_RATE)))
        if p.kind == STOCK and p.tax_rate == 13:
            wanted.append(PriceListItem(price_list=lists["distributor"], product=p,
                                        unit_price=cents(p.list_price * Decimal("0.88"))))
            if p.list_price < 1000:  # volume price from 100 pieces on
                wanted.append(PriceListItem(price_list=lists["distributor"], product=p,
                                            unit_price=cents(p.list_price * Decimal("0.82")),
                                            min_quantity=Decimal(100)))
        if p.code.startswith(("CB-", "MT-", "CA-TERM")):
            wanted.append(PriceListItem(price_list=lists["promotion"], product=p,
                                        unit_price=cents(p.list_price * Decimal("0.85"))))
    existing = set(PriceListItem.objects.filter(price_list__in=lists.values())
                   .values_list("price_list_id", "product_id", "min_quantity"))
    PriceListItem.objects.bulk_create(
        [i for i in wanted if (i.price_list.pk, i.product.pk, Decimal(i.min_quantity))
         not in existing])
    prices = {(pl, prod): price for pl, prod, price in PriceListItem.objects.filter(
        price_list__in=lists.values(), min_quantity=1)
        .values_list("price_list_id", "product_id", "unit_price")}
    return Catalog(products=products, group=group, prices=prices, **lists)


def _list(name: str, currency: str, group: CustomerGroup | None, valid_from: dt.date,
          valid_until: dt.date | None) -> PriceList:
    return PriceList.objects.filter(name=name, currency=currency).first() or \
        PriceList.objects.create(name=name, currency=currency, group=group,
                                 valid_from=valid_from, valid_until=valid_until)
