"""``guanxi bench --only crosssell``: how good and how fast the cross-sell rules are.

* **precision@5 on a time split of the data in the database** (the demo's sales orders):
  rules are mined from the order lines up to the split date (by default three quarters of the
  way through the order history), each customer gets up to five suggestions, and a suggestion
  is a hit when the customer bought that product after the split for the first time. The
  baseline suggests the five most popular products each customer has not bought. Customers
  judged: those who bought before the split and something new to them after it.
* **mining from 1,000,000 order lines**: generated order lines (customers of 25 kinds, each
  buying mostly from its own range of 20 of 500 products, 30 % at random), timed phase by
  phase — the customer × product matrix, the rules, five suggestions for every customer.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import TextIO

import numpy as np

from guanxi.analytics.engine import associations
from guanxi.analytics.services.crosssell import MINING, TOP
from guanxi.orders.selectors.purchases import purchase_span, purchased_products


def split_precision(split: dt.date | None = None) -> dict:
    first, last = purchase_span()
    if first is None or last is None:
        return {"error": "no bought order lines in the database"}
    split = split or first + (last - first) * 3 // 4
    started = time.perf_counter()
    train_c, train_p = purchased_products(until=split)
    test_c, test_p = purchased_products(since=split)
    read = time.perf_counter() - started
    result = associations.evaluate(train_c, train_p, test_c, test_p, k=TOP, **MINING)
    return {"split": split.isoformat(), "first": first.isoformat(), "last": last.isoformat(),
            "lines_before": len(train_c), "lines_after": len(test_c),
            "customers_judged": result.customers, "rules": result.rules,
            "precision_rules": result.precision_rules,
            "precision_popular": result.precision_popular,
            "covered": result.covered, "read_s": read}


def generated(lines: int, customers: int = 200_000, products: int = 500,
              seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    kinds = products // 20
    kind = rng.integers(0, kinds, customers)
    who = rng.integers(0, customers, lines)
    what = kind[who] * 20 + rng.integers(0, 20, lines)
    noise = rng.random(lines) < 0.3
    what[noise] = rng.integers(0, products, int(noise.sum()))
    return who + 1, what + 1


def mining_time(lines: int) -> dict:
    who, what = generated(lines)
    times = {}
    started = time.perf_counter()
    b = associations.baskets(who, what)
    times["matrix_s"] = time.perf_counter() - started
    started = time.perf_counter()
    rules = associations.mine(b, **MINING)  # type: ignore[arg-type]
    times["rules_s"] = time.perf_counter() - started
    started = time.perf_counter()
    recs = associations.recommend(b, rules, TOP)
    times["recommend_s"] = time.perf_counter() - started
    times["total_s"] = sum(times.values())
    return {"order_lines": lines, "customers": int(b.matrix.shape[0]),
            "products": len(b.product_ids), "rules": len(rules),
            "recommendations": len(recs), **times}


def main(lines: int, out: TextIO, err: TextIO, as_json: bool = False) -> None:
    err.write("Precision@5 on a time split of the sales orders …\n")
    quality = split_precision()
    err.write(f"Mining rules from {lines:,} generated order lines …\n")
    speed = mining_time(lines)
    if as_json:
        out.write(json.dumps({"split": quality, "mining": speed}, indent=2) + "\n")
        return
    if "error" in quality:
        out.write(f"precision@5: {quality['error']}\n")
    else:
        q = quality
        out.write(f"Time split at {q['split']} (orders {q['first']} … {q['last']}): "
                  f"{q['lines_before']:,} order lines before, {q['lines_after']:,} after; "
                  f"{q['customers_judged']:,} customers judged, {q['rules']:,} rules\n")
        out.write(f"  precision@5  rules {q['precision_rules']:.3f}   most popular "
                  f"{q['precision_popular']:.3f}   (customers with a suggestion: "
                  f"{q['covered']:.0%})\n")
    s = speed
    out.write(f"Mining {s['order_lines']:,} order lines ({s['customers']:,} customers, "
              f"{s['products']:,} products): matrix {s['matrix_s']:.2f} s, rules "
              f"{s['rules_s']:.2f} s ({s['rules']:,}), suggestions {s['recommend_s']:.2f} s "
              f"({s['recommendations']:,}), total {s['total_s']:.2f} s\n")
