"""Test data for the installed base: a service agent, a dealer and a station with a
technician, a car model and a transformer, a customer's car bought on 1 March 2023 under a
three-year, 100,000 km warranty with a parts coverage on the battery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.accounts.models import UserRole
from guanxi.orders.models import Product
from guanxi.service.models import ServiceStation, Technician
from guanxi.service.services import assets as svc
from guanxi.service.vin import with_check_digit

VIN = with_check_digit("LSGPC52U0AF102030")


def make_user(org, username, *roles, team=None):
    from guanxi.accounts.models import User

    user = User.objects.create_user(username=username, password="pw-Guanxi-2026",
                                    email=f"{username}@example.com",
                                    team=team or org.company, display_name=username,
                                    language="en")
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def world(org, make_account):
    agent = make_user(org, "agent", "service")
    account = make_account(by=org.rep, name="上海浦东出租汽车有限公司")
    other = make_account(by=org.other_rep, name="深圳南山物流有限公司")
    dealer = ServiceStation.objects.create(code="D-SH01", name="上海通用浦东4S店",
                                           kind=ServiceStation.Kind.DEALER, province="310000",
                                           city="上海")
    station = ServiceStation.objects.create(code="S-SZ01", name="深圳南山维修站",
                                            province="440000", city="深圳")
    tech = Technician.objects.create(station=dealer, name="张师傅")
    car = Product.objects.create(code="BUICK-GL8", name_zh="别克GL8", name_en="Buick GL8",
                                 list_price=Decimal("250000"), unit="辆")
    transformer = Product.objects.create(code="SZ11-1000", name_zh="油浸式变压器",
                                         name_en="Oil-immersed transformer",
                                         list_price=Decimal("180000"), unit="台")
    car.refresh_from_db()
    transformer.refresh_from_db()
    asset = svc.create_asset(agent, svc.AssetInput(
        account=account, product=car, vin=VIN, engine_number="LCU123456",
        plate="沪A12345", mileage=12000, purchase_date=dt.date(2023, 3, 1),
        selling_dealer=dealer), svc.CoverageInput.rows([
            {"kind": "whole_unit", "starts_on": "2023-03-01", "ends_on": "2026-02-28",
             "max_mileage": "100000"},
            {"kind": "parts", "starts_on": "2023-03-01", "ends_on": "2031-02-28",
             "parts": "BAT-"}]))
    return SimpleNamespace(org=org, agent=agent, account=account, other=other, dealer=dealer,
                           station=station, tech=tech, car=car, transformer=transformer,
                           asset=asset)
