"""The installed-base demo: a dealer network with technicians, vehicles with valid VINs and
repair history, transformers under warranty, articles, cases tied to assets and answered
surveys; building again adds nothing."""

from __future__ import annotations

import pytest

from guanxi.demo import service as service_demo
from guanxi.demo import service_assets
from guanxi.demo.org import ensure_org
from guanxi.demo.showcase import add_customers
from guanxi.service.models import (
    Article,
    Asset,
    Case,
    PartLine,
    ServiceRecord,
    ServiceStation,
    Survey,
    Technician,
)
from guanxi.service.vin import validate_vin

pytestmark = pytest.mark.django_db


def test_the_installed_base_demo():
    org = ensure_org()
    add_customers(org, 8)
    service_demo.add(org)
    said: list[str] = []
    service_assets.add(org, say=said.append)
    assert ServiceStation.objects.filter(kind="dealer").count() >= 4
    assert Technician.objects.count() >= 10
    vehicles = Asset.objects.exclude(vin="")
    assert vehicles.count() == 24
    assert all(validate_vin(a.vin) == a.vin and a.engine_number for a in vehicles)
    assert Asset.objects.filter(serial_number__startswith="TB").count() == 6
    assert ServiceRecord.objects.filter(warranty_decision="approved").exists()
    assert ServiceRecord.objects.filter(warranty_decision="not_claimed").exists()
    assert PartLine.objects.filter(covered=True).exists()
    assert Article.objects.filter(visibility="published", language="en").exists()
    assert Case.objects.filter(asset__isnull=False).exists()
    assert Survey.objects.filter(answered_at__isnull=False).exists()
    count = Asset.objects.count()
    service_assets.add(org)
    assert Asset.objects.count() == count and said
