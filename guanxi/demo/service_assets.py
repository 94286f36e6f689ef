"""Installed-base demo: Shanghai GM's dealer network (4S dealers and service stations in five
provinces, with technicians), customers' vehicles with valid VINs, engine numbers, plates and
their repair history — where, by whom, which parts, warranty or billed; the transformer
maker's units under whole-unit, parts and extended warranty; knowledge-base articles in
Chinese and English; cases tied to the assets, and answered satisfaction surveys."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.customers.models import Account
from guanxi.demo.org import DemoOrg
from guanxi.orders.models import Product
from guanxi.service.models import (
    Article,
    ArticleCategory,
    Asset,
    Case,
    ServiceStation,
    Survey,
    Technician,
    WarrantyTerm,
)
from guanxi.service.services import assets as asset_svc
from guanxi.service.services import case_links, surveys
from guanxi.service.services import records as rec
from guanxi.service.services.knowledge import ArticleInput, create_article
from guanxi.service.vin import with_check_digit

STATIONS = (
    ("SGM-SH-001", "上海通用浦东4S店", "dealer", "310000", "上海", "浦东新区张江路 88 号"),
    ("SGM-SH-002", "上海闵行特约维修站", "station", "310000", "上海", "闵行区沪闵路 1200 号"),
    ("SGM-BJ-001", "北京通用望京4S店", "dealer", "110000", "北京", "朝阳区望京北路 9 号"),
    ("SGM-GD-001", "广州通用天河4S店", "dealer", "440000", "广州", "天河区黄埔大道 300 号"),
    ("SGM-SC-001", "成都通用高新维修站", "station", "510000", "成都", "高新区天府大道 66 号"),
    ("SGM-HB-001", "武汉通用光谷4S店", "dealer", "420000", "武汉", "东湖高新区光谷大道 18 号"),
    ("TB-FACTORY", "变压器厂售后服务部", "factory", "320000", "常州", "武进区变压器路 1 号"),
)
TECHNICIANS = ("张师傅", "李师傅", "王工", "刘工", "陈师傅", "赵工", "周师傅", "吴工")
# code, Chinese name, English name, price, warranty terms (kind, months, km, parts)
PRODUCTS = (
    ("SGM-GL8", "别克GL8 商务车", "Buick GL8 MPV", "259900",
     (("whole_unit", 36, 100000, ""), ("parts", 96, None, "BAT-"))),
    ("SGM-CRUZE", "雪佛兰科鲁兹", "Chevrolet Cruze", "109900",
     (("whole_unit", 36, 100000, ""), ("parts", 96, None, "BAT-"))),
    ("TB-SZ11-1000", "SZ11-1000/10 油浸式变压器", "SZ11-1000/10 oil-immersed transformer",
     "186000", (("whole_unit", 24, None, ""), ("parts", 60, None, "BUSH-,TAP-"))),
)
# work done, parts (number, description, qty, price), labour, claim the parts?
REPAIRS = (
    ("首次保养：更换机油、机滤 First service", (("OIL-5W30", "机油 5W-30", "4", "68"),
                                              ("FLT-OIL", "机油滤清器", "1", "45")), "150",
     False),
    ("更换前刹车片 Front brake pads", (("BRK-PAD-F", "前刹车片", "1", "480"),), "200", False),
    ("发动机异响，更换正时皮带 Timing belt", (("ENG-TB-01", "正时皮带", "1", "860"),
                                          ("ENG-TEN-01", "张紧轮", "1", "320")), "600", True),
    ("蓄电池亏电，更换 Battery replaced", (("BAT-60AH", "蓄电池 60Ah", "1", "780"),), "80",
     True),
    ("空调不制冷，补充冷媒 A/C recharge", (("AC-R134A", "冷媒 R134a", "1", "260"),), "180",
     False),
)
ARTICLES = (
    ("变压器油温偏高的排查步骤", "1. 检查负载是否超过额定容量；2. 检查散热器阀门是否打开；"
     "3. 检查冷却风扇；4. 取油样做色谱分析。", "zh-hans", "published", "变压器,油温,散热",
     "Transformers"),
    ("How to read a transformer's oil level gauge", "The gauge shows the oil level at 20 °C. "
     "Compare with the temperature curve on the nameplate; top up only with the same oil "
     "grade.", "en", "published", "oil, gauge", "Transformers"),
    ("发动机异响的常见原因", "正时皮带老化、张紧轮磨损、气门间隙过大。先确认里程与保养记录。",
     "zh-hans", "internal", "发动机,异响,正时皮带", "Vehicles"),
    ("Warranty: what is covered", "Whole vehicle: 3 years or 100,000 km, whichever comes "
     "first. Battery: 8 years. Wear parts (brake pads, filters, oil) are never covered.",
     "en", "published", "warranty, coverage", "Warranty"),
    ("保修索赔流程", "1. 在工单上选择资产；2. 录入维修记录并勾选保修；系统按故障日期核对保修范围，"
     "不在保修范围内会说明原因。", "zh-hans", "internal", "保修,索赔", "Warranty"),
    ("空调不制冷怎么办", "检查冷媒压力、压缩机离合器和冷凝器风扇。", "zh-hans", "published",
     "空调,制冷", "Vehicles"),
)
CATEGORIES = {"Transformers": "变压器", "Vehicles": "汽车", "Warranty": "保修"}


def _vin(n: int) -> str:
    # World manufacturer LSG (SAIC-GM), a model descriptor, model year (2021 = M), plant S.
    return with_check_digit(f"LSGPC52U0MS{n:06d}")


def _admin() -> User | None:
    return User.objects.filter(user_roles__role=Role.ADMIN, is_active=True).order_by(
        "pk").first()


def _network(admin: User) -> list[ServiceStation]:
    stations = []
    for i, (code, name, kind, province, city, address) in enumerate(STATIONS):
        station, _made = ServiceStation.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "province": province, "city": city,
            "address": address, "phone": f"400-820-{1000 + i}"})
        stations.append(station)
        for j in range(2):
            Technician.objects.get_or_create(
                station=station, name=TECHNICIANS[(2 * i + j) % len(TECHNICIANS)],
                defaults={"qualification": "高级技师" if j == 0 else "技师"})
    return stations


def _products() -> list[Product]:
    out = []
    for code, zh, en, price, terms in PRODUCTS:
        product, _made = Product.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "list_price": Decimal(price),
            # A cost like the rest of the catalogue's, so margins and profit read true.
            "cost": (Decimal(price) * Decimal("0.7")).quantize(Decimal("0.01")),
            "unit": "台" if code.startswith("TB") else "辆"})
        for kind, months, km, parts in terms:
            WarrantyTerm.objects.get_or_create(product=product, kind=kind, defaults={
                "months": months, "max_mileage": km, "parts": parts})
        out.append(product)
    return out


def _coverages(product: Product, start: dt.date) -> list[asset_svc.CoverageInput]:
    out = []
    for term in WarrantyTerm.objects.filter(product=product):
        out.append(asset_svc.CoverageInput(
            kind=term.kind, starts_on=start,
            ends_on=asset_svc.add_months(start, term.months) - dt.timedelta(days=1),
            max_mileage=term.max_mileage, parts=term.parts))
    return out


def add(org: DemoOrg, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the installed-base demo once (skipped when assets exist)."""
    if Asset.objects.exists():
        return
    admin, agent = _admin(), org.users.get("service")
    accounts = list(Account.objects.filter(is_active=True).order_by("pk")[:30])
    if admin is None or agent is None or not accounts:
        return
    rnd = random.Random(16735)
    today = timezone.localdate()
    stations = _network(admin)
    dealers = [s for s in stations if s.kind == "dealer"]
    car_models, transformer = _products()[:2], _products()[2]
    vehicles, records = [], 0
    for n in range(24):
        account = accounts[n % len(accounts)]
        bought = today - dt.timedelta(days=rnd.randint(200, 1600))
        dealer = dealers[n % len(dealers)]
        product = car_models[n % 2]
        asset = asset_svc.create_asset(agent, asset_svc.AssetInput(
            account=account, product=product, vin=_vin(100 + n),
            engine_number=f"LFV{rnd.randint(100000, 999999)}",
            plate=f"{'沪京粤川鄂'[n % 5]}A{rnd.randint(10000, 99999)}", mileage=0,
            purchase_date=bought, selling_dealer=dealer), _coverages(product, bought))
        vehicles.append(asset)
        mileage, day = 0, bought
        for visit in range(rnd.randint(1, 4)):
            day = day + dt.timedelta(days=rnd.randint(60, 300))
            if day >= today:
                break
            mileage += rnd.randint(5000, 20000)
            work, parts, labour, claim = REPAIRS[0] if visit == 0 else rnd.choice(REPAIRS)
            station = dealer if rnd.random() < 0.7 else rnd.choice(stations[:6])
            tech = station.technicians.first()
            part_rows = [rec.PartInput(part_number=p, description=d, quantity=Decimal(q),
                                       unit_price=Decimal(price), covered=claim)
                         for p, d, q, price in parts]
            values = rec.RecordInput(station=station, technician=tech, performed_on=day,
                                     failure_on=day, mileage=mileage, work_done=work,
                                     labour_hours=Decimal(labour) / 100,
                                     labour_amount=Decimal(labour), warranty_claim=claim,
                                     labour_covered=claim)
            try:
                rec.add_record(agent, asset, values, part_rows, today=today)
            except Exception:  # outside coverage by now: billed to the customer instead
                rec.add_record(agent, asset, values.replace(warranty_claim=False,
                                                            labour_covered=False),
                               [p.replace(covered=False) for p in part_rows], today=today)
            records += 1
    factory = stations[-1]
    industrial = accounts[-6:]
    for n, account in enumerate(industrial):
        bought = today - dt.timedelta(days=200 + 150 * n)
        unit = asset_svc.create_asset(agent, asset_svc.AssetInput(
            account=account, product=transformer, serial_number=f"TB2024-{1000 + n}",
            purchase_date=bought), _coverages(transformer, bought))
        if n % 2 == 0:
            asset_svc.add_coverage(agent, unit, asset_svc.CoverageInput(
                kind="extended", starts_on=bought + dt.timedelta(days=730),
                ends_on=bought + dt.timedelta(days=730 + 3 * 365),
                description="延保三年 Three-year extension"))
        if n < 3:
            rec.add_record(agent, unit, rec.RecordInput(
                station=factory, technician=factory.technicians.first(),
                performed_on=today - dt.timedelta(days=30 + n),
                work_done="更换高压套管密封 Bushing seal replaced", labour_amount=Decimal(800),
                labour_covered=True, warranty_claim=True),
                [rec.PartInput(part_number="BUSH-HV-10", description="高压套管密封件",
                               quantity=Decimal(3), unit_price=Decimal(420), covered=True)],
                today=today)
            records += 1
    _articles(agent)
    answered = _cases(vehicles, rnd)
    say(_("  %(assets)s assets, %(records)s service records, %(stations)s stations, "
          "%(surveys)s answered surveys") % {
        "assets": Asset.objects.count(), "records": records, "stations": len(stations),
        "surveys": answered})


def _articles(agent: User) -> None:
    categories = {}
    for en, zh in CATEGORIES.items():
        categories[en], _made = ArticleCategory.objects.get_or_create(name_en=en,
                                                                      defaults={"name_zh": zh})
    for title, body, language, visibility, keywords, category in ARTICLES:
        if not Article.objects.filter(title=title).exists():
            create_article(agent, ArticleInput(title=title, body=body, language=language,
                                               visibility=visibility, keywords=keywords,
                                               category=categories[category]))


def _cases(vehicles: list[Asset], rnd: random.Random) -> int:
    """Tie repair and warranty cases to their customers' vehicles, link an article, and answer
    the surveys of resolved and closed cases (some unhappy: their follow-up tasks)."""
    by_account = {a.account_id: a for a in vehicles}
    article = Article.objects.filter(keywords__contains="发动机").first()
    for case in Case.objects.filter(kind__in=("repair", "warranty", "complaint"),
                                    account_id__in=by_account).order_by("pk"):
        user = case.assignee or case.created_by
        if user is None:
            continue
        case_links.set_case_asset(user, case, by_account[case.account_id], case.version)
        if article is not None and case.kind == "repair":
            case_links.link_article(user, case, article)
    answered = 0
    for case in Case.objects.filter(status__in=("resolved", "closed")).order_by("pk"):
        survey = surveys.survey_for(case)
        if survey is None:
            survey = Survey.objects.create(
                case=case, account_id=case.account_id, product_id=case.product_id,
                team_id=case.team_id, agent_id=case.assignee_id,
                expires_at=timezone.now() + dt.timedelta(days=14))
        if survey.answered_at is None:
            happy = rnd.random() < 0.75
            surveys.answer(surveys.token(survey), rnd.randint(4, 5) if happy else 2,
                           rnd.randint(9, 10) if happy else rnd.randint(3, 6),
                           "服务很及时 Quick and friendly" if happy else "维修太慢了 Too slow")
            answered += 1
    return answered
