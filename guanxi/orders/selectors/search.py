"""Quotes, contracts, orders and invoices in the global search and the document pickers: by the
start of their number (Q2026-…, HT2026-…, SO2026-…, the VAT invoice number; unique indexed
columns, prefix ranges) or by their customer's name, pinyin, initials or phone."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from guanxi.accounts.models import User
from guanxi.customers.search import TOP, customer_ids
from guanxi.customers.search_providers import SearchHit

DOCUMENT_KINDS = ("quote", "contract", "order", "invoice")


def _looks_like_number(text: str) -> bool:
    return len(text) >= 3 and any(ch.isdigit() for ch in text) and " " not in text


def _models() -> dict[str, tuple]:
    from guanxi.orders.models import Contract, Invoice, Quote, SalesOrder

    return {"quote": (Quote, "orders:quote", "total"),
            "contract": (Contract, "orders:contract", "amount"),
            "order": (SalesOrder, "orders:order", "total"),
            "invoice": (Invoice, "orders:invoice", "total")}


def _hit(kind: str, doc, url_name: str, extra: str, field: str) -> SearchHit:
    return SearchHit(
        kind=kind, id=doc.pk, name=str(doc), detail=f"{getattr(doc, extra)} "
        f"{doc.currency} · {doc.get_status_display()}",
        url=reverse(url_name, args=[doc.pk]), field=field,
        account_id=doc.account_id, account_name=doc.account.name)


def search_documents(user: User, q: str, limit: int = 10,
                     kinds: Iterable[str] = DOCUMENT_KINDS) -> list[SearchHit]:
    """Documents ``user`` may see whose number starts with ``q`` (case does not matter), then
    the latest ones of the customers ``q`` names."""
    models = _models()
    kinds = [k for k in DOCUMENT_KINDS if k in set(kinds)]
    text = q.strip().upper()
    hits: list[SearchHit] = []
    if _looks_like_number(text):
        for kind in kinds:
            model, url_name, extra = models[kind]
            rows = (model.objects.visible_to(user)
                    .filter(number__gte=text, number__lt=text + TOP)
                    .select_related("account").order_by("number", "-id")[:limit])
            hits += [_hit(kind, doc, url_name, extra, "number") for doc in rows]
    if len(hits) < limit and (accounts := customer_ids(q, limit=20)):
        rank = {a: i for i, a in enumerate(accounts)}
        # The best-matching customer's latest document of each kind first, then the next ones.
        by_customer: list[tuple[int, int, int, SearchHit]] = []
        for order, kind in enumerate(kinds):
            model, url_name, extra = models[kind]
            rows = (model.objects.visible_to(user).filter(account_id__in=accounts)
                    .select_related("account").order_by("-id")[:limit])
            by_customer += [(rank[doc.account_id], i, order,
                             _hit(kind, doc, url_name, extra, "customer"))
                            for i, doc in enumerate(rows)]
        by_customer.sort(key=lambda t: t[:3])
        seen = {(h.kind, h.id) for h in hits}
        hits += [t[3] for t in by_customer if (t[3].kind, t[3].id) not in seen]
    return hits[:limit]
