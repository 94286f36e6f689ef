"""Quotes as PDF: one HTML template rendered by WeasyPrint with the Noto CJK fonts, labels in
Chinese and English side by side so the same document reads in both languages.

WeasyPrint (and pango under it) loads only when a PDF is asked for, so web processes start
without it and a machine missing pango fails with a clear message instead of at import."""

from __future__ import annotations

import os
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.orders.models import Quote

DEFAULT_COMPANY = "Guanxi 关系科技有限公司"

# Both languages on one document: (Chinese, English). The primary one comes first.
LABELS = {
    "title": ("报价单", "Quotation"),
    "number": ("编号", "No."),
    "version": ("版本", "Version"),
    "date": ("日期", "Date"),
    "valid_until": ("有效期至", "Valid until"),
    "customer": ("客户", "Customer"),
    "contact": ("联系人", "Contact"),
    "prepared_by": ("报价人", "Prepared by"),
    "pos": ("序号", "No."),
    "product": ("产品", "Product"),
    "unit": ("单位", "Unit"),
    "quantity": ("数量", "Qty"),
    "unit_price": ("单价", "Unit price"),
    "discount": ("折扣", "Discount"),
    "net": ("不含税金额", "Net"),
    "vat_rate": ("税率", "VAT"),
    "tax": ("增值税", "VAT amount"),
    "total": ("含税金额", "Total"),
    "subtotal": ("原价合计", "List value"),
    "discount_amount": ("折扣金额", "Discount"),
    "quote_discount": ("整单折扣", "Quote discount"),
    "net_total": ("不含税合计", "Total before tax"),
    "tax_total": ("增值税合计", "VAT total"),
    "grand_total": ("含税总计", "Total incl. VAT"),
    "in_words": ("大写金额", "Amount in words"),
    "terms": ("条款", "Terms"),
    "currency": ("币种", "Currency"),
}


class PdfUnavailable(DomainError):
    """The PDF library or its system libraries are not installed on this machine."""

    status = 503


def company_name() -> str:
    return getattr(settings, "GUANXI_COMPANY_NAME", "") \
        or os.environ.get("GUANXI_COMPANY_NAME", "") or DEFAULT_COMPANY


def amount_in_words(amount: Decimal) -> str:
    """The amount in Chinese capital numerals (大写), as on invoices and contracts:
    壹万贰仟叁佰肆拾伍元陆角柒分; a whole amount ends in 整."""
    import cn2an

    text = cn2an.an2cn(str(amount.quantize(Decimal("0.01"))), "rmb")
    if amount < 0:
        text = text if text.startswith("负") else "负" + text
    if text.endswith("元"):
        text += "整"
    return text


def labels(language: str) -> dict[str, str]:
    """"中文 / English" (or the other way round), one string per label."""
    return {key: " / ".join(pair) for key, pair in headings(language).items()}


def headings(language: str) -> dict[str, tuple[str, str]]:
    """(primary, secondary) per label: table headings put them on two lines."""
    english_first = language.startswith("en")
    return {key: (en, zh) if english_first else (zh, en) for key, (zh, en) in LABELS.items()}


def quote_html(quote: Quote, language: str = "zh-hans") -> str:
    lines = list(quote.lines.select_related("product").order_by("position", "id"))
    with translation.override(language):
        return render_to_string("orders/quotes/pdf.html", {
            "quote": quote, "lines": lines, "L": labels(language), "H": headings(language),
            "company": company_name(),
            "in_words": amount_in_words(quote.total) if quote.currency == "CNY" else "",
            "language": language,
        })


def quote_pdf(quote: Quote, language: str = "zh-hans") -> bytes:
    """The quote as a PDF document."""
    html = quote_html(quote, language)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(_("PDF documents cannot be made on this server: %(error)s")
                             % {"error": exc}, code="pdf_unavailable") from None
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def filename(quote: Quote) -> str:
    return f"{quote.display_number}.pdf"
