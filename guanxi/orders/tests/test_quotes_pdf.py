"""The quote as a PDF that reads in Chinese and English, and e-mailed as an attachment."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest
from django.core import mail

from guanxi.customers.models import TimelineEvent
from guanxi.orders.services import pdf
from guanxi.orders.services import quotes as svc
from guanxi.orders.tests.test_quotes_fixtures import make_quote, world

__all__ = ["world"]


def _text(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("amount, words", [
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("12345.00", "壹万贰仟叁佰肆拾伍元整"),
    ("1000000", "壹佰万元整"),
    ("0.50", "伍角"),
])
def test_amount_in_words(amount, words):
    assert pdf.amount_in_words(Decimal(amount)) == words


def test_pdf_reads_in_chinese_and_english(world):
    quote = make_quote(world)  # 2 × 10000 + 3 × 2345.67 = 27037.01 before 13 % VAT
    assert quote.total == Decimal("30551.82")
    document = pdf.quote_pdf(quote, "zh-hans")
    assert document.startswith(b"%PDF")
    text = _text(document)
    for expected in ("报价单", "Quotation", quote.number, "上海明珠机电有限公司", "张三",
                     "油浸式变压器", "Oil-immersed transformer", "真空断路器",
                     "Vacuum circuit breaker", "30,551.82", "叁万零伍佰伍拾壹元捌角贰分"):
        assert expected in text, expected


def test_pdf_of_another_currency_has_no_chinese_amount_in_words(world):
    from guanxi.orders.models import Product

    Product.objects.update(currency="USD")
    quote = make_quote(world, currency="USD")
    text = _text(pdf.quote_pdf(quote, "en"))
    assert "Quotation / 报价单" in text and "大写" not in text


def test_sent_quote_is_emailed_with_the_pdf(world, settings, django_capture_on_commit_callbacks):
    from guanxi.core.tasks import queue

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    quote = make_quote(world)
    svc.submit_quote(world.org.rep, quote, quote.version)
    quote.refresh_from_db()
    before, queue.immediate = queue.immediate, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            svc.send_quote(world.org.rep, quote, "zhangsan@mingzhu.example", "请查收报价。",
                           quote.version)
    finally:
        queue.immediate = before
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@mingzhu.example"]
    assert quote.number in message.subject
    assert "请查收报价。" in message.body and "张三" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == f"{quote.number}.pdf" and mimetype == "application/pdf"
    assert "油浸式变压器" in _text(content)
    event = TimelineEvent.objects.filter(kind="orders.quote").order_by("-id").first()
    assert event.title == f"Quote {quote.number} sent to zhangsan@mingzhu.example"


def test_a_failed_send_goes_on_the_timeline(world, settings):
    from guanxi.orders.jobs.mail import email_quote

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    quote = make_quote(world)
    assert email_quote(quote.pk, world.org.rep.pk, "a@b.example", "", "en") == "failed"
    event = TimelineEvent.objects.filter(kind="orders.quote").order_by("-id").first()
    assert "could not be e-mailed to a@b.example" in event.title


def test_without_the_pdf_library_the_page_says_so(world, monkeypatch):
    import sys

    from django.test import Client
    from django.urls import reverse

    from guanxi.core.tests.api_client import as_

    quote = make_quote(world)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as on a machine without it
    client = Client()
    client.force_login(world.org.rep)
    response = client.get(reverse("orders:quote_pdf", args=[quote.pk]))
    assert response.status_code == 503
    assert "cannot make PDF documents" in response.content.decode()
    response = as_(world.org.rep).get(f"quotes/{quote.pk}/pdf")
    assert response.status_code == 503 and response.json()["code"] == "pdf_unavailable"
