"""Cross-sell in the analysis run: mine the association rules from what customers bought
(the sales orders' lines, read through orders' selectors) and store each customer's
recommendations with the run, so they become current together with its metrics.

Writing uses COPY on PostgreSQL and executemany on SQLite, in batches, like the metrics.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import connection, transaction

from guanxi.analytics.models import ProductRule, Recommendation
from guanxi.orders.selectors.purchases import purchased_products

TOP = 5  # recommendations kept per customer
WRITE_BATCH = 100_000
# Mining thresholds: a rule needs two customers behind it and must make the product likelier.
MINING = {"min_customers": 2, "min_confidence": 0.05, "min_lift": 1.0, "per_product": 20}


def compute(run_id: int, until: dt.date) -> dict[str, Any]:
    """Mine and store the rules and recommendations of run ``run_id`` from the purchases up
    to ``until``; what it found, for the run's summary."""
    # scipy takes a while to import: only the worker computing a run needs it.
    from guanxi.analytics.engine import associations

    customers, products = purchased_products(until=until)
    if not len(customers):
        return {"order_lines": 0, "rules": 0, "recommendations": 0}
    b = associations.baskets(customers, products)
    rules = associations.mine(b, **MINING)  # type: ignore[arg-type]
    recs = associations.recommend(b, rules, TOP)
    write(ProductRule, ["run_id", "antecedent_id", "consequent_id", "customers", "support",
                        "confidence", "lift"],
          [np.full(len(rules), run_id), rules.antecedent, rules.consequent, rules.customers,
           rules.support, rules.confidence, rules.lift])
    write(Recommendation, ["run_id", "account_id", "product_id", "rank", "score", "because_id",
                           "confidence", "lift"],
          [np.full(len(recs), run_id), recs.customer, recs.product, recs.rank, recs.score,
           recs.because, recs.confidence, recs.lift])
    return {"order_lines": len(customers), "buyers": int(b.matrix.shape[0]),
            "rules": len(rules), "recommendations": len(recs),
            "customers_with_recommendations": int(len(np.unique(recs.customer)))}


def discard(run_id: int) -> None:
    """Remove what a failed or interrupted run wrote."""
    Recommendation.objects.filter(run_id=run_id).delete()
    ProductRule.objects.filter(run_id=run_id).delete()


def _text(values: np.ndarray) -> list[str]:
    if np.issubdtype(values.dtype, np.integer):
        return list(map(str, values.tolist()))
    return [repr(v) for v in np.nan_to_num(values.astype(np.float64)).tolist()]


def write(model: Any, columns: list[str], values: list[np.ndarray]) -> None:
    """Insert the rows given column by column, in batches, each batch one transaction."""
    table = model._meta.db_table
    names = ", ".join(columns)
    n = len(values[0]) if values else 0
    for start in range(0, n, WRITE_BATCH):
        part = [v[start:start + WRITE_BATCH] for v in values]
        with transaction.atomic():
            connection.ensure_connection()
            if connection.vendor == "postgresql":
                data = "\n".join(map("\t".join, zip(*map(_text, part), strict=True))) + "\n"
                with connection.connection.cursor() as cur, \
                        cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write(data.encode())
            else:
                marks = ", ".join("?" * len(columns))
                connection.connection.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    zip(*(p.tolist() for p in part), strict=True))
