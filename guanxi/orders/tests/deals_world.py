"""Shared set-up of the tender and contract tests: a customer of the rep with an opportunity,
an open tender and a draft contract, and small real files of each kind."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanxi.orders.services import contracts, tenders
from guanxi.orders.services.contracts import ContractInput
from guanxi.orders.services.tenders import TenderInput
from guanxi.sales.services import opportunities
from guanxi.sales.services.opportunities import OpportunityInput

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(org, make_account, media):
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    opp = opportunities.create_opportunity(org.rep, account, OpportunityInput.parse({
        "name": "变电站项目", "amount": "800000", "stage": "tracking"}))
    now = timezone.now()
    tender = tenders.create_tender(org.rep, account, TenderInput.parse({
        "number": "ZB-2026-118", "title": "变电站设备采购", "issuer": "上海电力公司",
        "deadline": now + dt.timedelta(days=3), "bond_amount": "20000",
        "bond_status": "to_pay", "bid_amount": "780000", "opportunity": opp.pk}))
    contract = contracts.create_contract(org.rep, account, ContractInput.parse({
        "title": "变电站设备供货合同", "amount": "200000", "payment_terms": "30/60/10",
        "opportunity": opp.pk}))
    opp.refresh_from_db()
    return SimpleNamespace(org=org, account=account, opp=opp, tender=tender,
                           contract=contract, media=media)
