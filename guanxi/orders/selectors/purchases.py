"""What customers bought, product by product, for the analyses that learn from it (cross-sell
rules in analytics): plain arrays, no model object per order line.

An order counts as a purchase once confirmed and until cancelled; orders still in review,
returned or rejected do not. Reads the whole table, not one user's scope: the analysis runs
for the whole company and its results are shown through the reader's own scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
from django.db import connection

from guanxi.orders.models import OrderLine, Product, SalesOrder

Status = SalesOrder.Status
BOUGHT = (Status.CONFIRMED, Status.IN_PRODUCTION, Status.PARTIALLY_SHIPPED, Status.SHIPPED,
          Status.DELIVERED)
FETCH = 200_000


def purchased_products(since: dt.date | None = None,
                       until: dt.date | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(account ids, product ids) of every bought order line whose order date lies in
    ``(since, until]`` (open bounds where None), one entry per line, in no particular order."""
    qs = OrderLine.objects.filter(order__status__in=BOUGHT)
    if since is not None:
        qs = qs.filter(order__order_date__gt=since)
    if until is not None:
        qs = qs.filter(order__order_date__lte=until)
    sql, params = qs.values_list("order__account_id", "product_id").query.sql_with_params()
    parts: list[np.ndarray] = []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(FETCH):
            parts.append(np.array(rows, dtype=np.int64).reshape(-1, 2))
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    pairs = np.concatenate(parts)
    return pairs[:, 0], pairs[:, 1]


def products_by_id(ids: Iterable[int]) -> dict[int, Product]:
    """The products of ``ids`` (names in both languages: ``label`` is the reader's)."""
    return Product.objects.in_bulk(list(set(ids)))


def product_exists(pk: int) -> bool:
    return Product.objects.filter(pk=pk).exists()


def purchase_span() -> tuple[dt.date | None, dt.date | None]:
    """The first and last order date of the bought orders (None, None without any)."""
    from django.db.models import Max, Min

    span = SalesOrder.objects.filter(status__in=BOUGHT).aggregate(
        first=Min("order_date"), last=Max("order_date"))
    return span["first"], span["last"]
