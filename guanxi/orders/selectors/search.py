"""Quotes, contracts, orders and invoices in the global search, by the start of their number
(Q2026-…, HT2026-…, SO2026-…, the VAT invoice number): unique indexed columns, prefix ranges."""

from __future__ import annotations

from django.urls import reverse

from guanxi.accounts.models import User
from guanxi.customers.search import TOP
from guanxi.customers.search_providers import SearchHit


def _looks_like_number(text: str) -> bool:
    return len(text) >= 3 and any(ch.isdigit() for ch in text) and " " not in text


def search_documents(user: User, q: str, limit: int = 10) -> list[SearchHit]:
    """Documents ``user`` may see whose number starts with ``q`` (case does not matter)."""
    from guanxi.orders.models import Contract, Invoice, Quote, SalesOrder

    text = q.strip().upper()
    if not _looks_like_number(text):
        return []
    hits: list[SearchHit] = []
    for kind, model, url_name, extra in (
            ("quote", Quote, "orders:quote", "total"),
            ("contract", Contract, "orders:contract", "amount"),
            ("order", SalesOrder, "orders:order", "total"),
            ("invoice", Invoice, "orders:invoice", "total")):
        rows = (model.objects.visible_to(user)
                .filter(number__gte=text, number__lt=text + TOP)
                .select_related("account").order_by("number", "-id")[:limit])
        for doc in rows:
            hits.append(SearchHit(
                kind=kind, id=doc.pk, name=str(doc), detail=f"{getattr(doc, extra)} "
                f"{doc.currency} · {doc.get_status_display()}",
                url=reverse(url_name, args=[doc.pk]), field="number",
                account_id=doc.account_id, account_name=doc.account.name))
    return hits[:limit]
