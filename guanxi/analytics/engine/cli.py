"""``guanxi analytics fit``: the engine on a transaction file outside the database.

Purchases are counted per day (several on one day are one purchase) and recency and age
are measured in the unit ``--freq`` names (days or weeks, fractional): the measurement of
Fader, Hardie & Lee, so the CDNOW sample reproduces their published parameters.

The ``guanxi`` command runs this without setting Django up (``main``): the engine needs
numpy and scipy only, and a large file is read column-wise (``engine.fast``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

import numpy as np

from guanxi.analytics.engine import abc, bgnbd, clv, gammagamma, paretonbd
from guanxi.analytics.engine.csvinput import InputError, read_transactions
from guanxi.analytics.engine.summary import summarize


def add_fit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transactions", required=True, help="CSV file of transactions")
    parser.add_argument("--customer-col", help="customer column: header name or number")
    parser.add_argument("--date-col", help="date column: header name or number")
    parser.add_argument("--amount-col", help="amount column: header name or number")
    parser.add_argument(
        "--freq", choices=("D", "W"), default="W",
        help="unit of recency and age, days or weeks (default W); purchases count per day",
    )
    parser.add_argument(
        "--until", help="end of the calibration period, YYYY-MM-DD (default: last date)"
    )
    parser.add_argument("--months", type=int, default=12, help="CLV horizon in months")
    parser.add_argument("--margin", type=float, default=1.0, help="profit margin, 0–1")
    parser.add_argument(
        "--discount-rate", type=float, default=0.1, help="annual discount rate (default 0.1)"
    )
    parser.add_argument(
        "--models", default=",".join(MODELS),
        help="models to fit, comma-separated: bgnbd (BG/NBD), pnbd (Pareto/NBD), gg "
             "(Gamma-Gamma); default all. CLV needs bgnbd and gg",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


MODELS = ("bgnbd", "pnbd", "gg")


def _models(text: str | None) -> set[str]:
    chosen = {m.strip().lower() for m in (text or ",".join(MODELS)).split(",") if m.strip()}
    unknown = sorted(chosen - set(MODELS))
    if unknown or not chosen:
        raise InputError(f"--models {text!r}: choose from {', '.join(MODELS)}")
    return chosen


def main(argv: list[str]) -> int:
    """``guanxi analytics fit …`` without Django: bad input is one line on stderr, as the
    management command words it, and exit status 1."""
    parser = argparse.ArgumentParser(prog="guanxi analytics fit",
                                     description="Fit the lifetime-value models on a CSV file.")
    add_fit_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        result = fit_file(options)
    except InputError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return 1
    sys.stdout.write(_text(result, options) + "\n")
    return 0


def fit(options: dict[str, Any], *, out: TextIO, err: TextIO) -> None:
    """Run the fit; bad input becomes a one-line ``CommandError`` (non-zero exit)."""
    try:
        result = fit_file(options)
    except InputError as exc:
        from django.core.management.base import CommandError  # the command's error type

        raise CommandError(str(exc)) from None
    out.write(_text(result, options) + "\n")


def _text(result: dict[str, Any], options: dict[str, Any]) -> str:
    if options.get("json"):
        return json.dumps(result, indent=2, ensure_ascii=False)
    return format_table(result)


def fit_file(options: dict[str, Any]) -> dict[str, Any]:
    """Read, check, summarise and fit; returns the figures as a JSON-ready dict."""
    models = _models(options.get("models"))
    months, margin, rate = options.get("months") or 12, options.get("margin"), options.get(
        "discount_rate")
    margin = 1.0 if margin is None else margin
    rate = 0.1 if rate is None else rate
    if months < 1 or not 0 <= margin <= 1 or rate < 0:
        raise InputError("--months must be ≥ 1, --margin within 0–1, --discount-rate ≥ 0")
    tx = read_transactions(
        options["transactions"],
        customer_col=options.get("customer_col"),
        date_col=options.get("date_col"),
        amount_col=options.get("amount_col"),
    )
    unit = options.get("freq") or "W"
    until = _until(options.get("until"), tx.dates)
    summary = summarize(tx.customers, tx.dates, tx.amounts, until, freq="D", unit=unit)
    if len(summary) == 0:
        raise InputError(f"no transactions on or before {until}")
    if len(summary) < 2:
        raise InputError("only one customer: the models need a population of customers")
    repeat = summary.frequency > 0
    if not repeat.any():
        raise InputError(f"no customer bought on two different days up to {until}")
    x, t_x, T, m = summary.frequency, summary.recency, summary.T, summary.monetary_value
    if not (m[repeat] > 0).any():
        raise InputError("every repeat purchase has a zero amount: spend cannot be modelled")
    result = {
        "file": str(options["transactions"]),
        "columns": dict(zip(("customer", "date", "amount"), tx.columns, strict=True)),
        "until": str(until),
        "unit": {"D": "day", "W": "week"}[unit],
        "customers": len(summary),
        "transactions": int(summary.n_transactions.sum()),
        "transactions_in_file": len(tx.amounts),
        "repeat_customers": int(repeat.sum()),
        "repeat_share": float(repeat.mean()),
        "revenue": float(summary.revenue.sum()),
        "top20_share": abc.top_share(summary.revenue),
    }
    bg = gg = None
    if "bgnbd" in models:
        bg = bgnbd.fit(x, t_x, T)
        result["bgnbd"] = _params(bg, ("r", "alpha", "a", "b"))
    if "pnbd" in models:
        result["paretonbd"] = _params(paretonbd.fit(x, t_x, T), ("r", "alpha", "s", "beta"))
    if "gg" in models:
        gg = gammagamma.fit(x, m)
        result["gammagamma"] = _params(gg, ("p", "q", "gamma"))
        check = gammagamma.check_independence(x, m)
        result["spend_frequency"] = {
            "pearson": _num(check.pearson),
            "spearman": _num(check.spearman),
            "customers": check.n_customers,
            "threshold": check.threshold,
            "flagged": check.flagged,
        }
    if bg is not None and gg is not None:
        spend = gammagamma.conditional_expected_spend(gg, x, m)
        values = clv.customer_lifetime_value(
            bg, x, t_x, T, spend, months=months, margin=margin, annual_discount_rate=rate,
            unit=unit,
        )
        result["clv"] = {
            "months": months,
            "margin": margin,
            "annual_discount_rate": rate,
            "mean": float(values.mean()),
            "total": float(values.sum()),
        }
    return result


def _until(text: str | None, dates: np.ndarray) -> np.datetime64:
    if not text:
        return dates.max()
    from guanxi.analytics.engine.csvinput import parse_date

    parsed = parse_date(text)
    if parsed is None:
        raise InputError(f"--until {text!r} is not a date (YYYY-MM-DD)")
    return parsed


def _num(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def _params(fitted: Any, names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {name: round(float(getattr(fitted, name)), 6) for name in names}
    out["log_likelihood"] = round(fitted.log_likelihood, 4)
    out["customers"] = fitted.n_customers
    out["converged"] = fitted.converged
    return out


def format_table(result: dict[str, Any]) -> str:
    def params(key: str) -> str:
        fitted = result[key]
        names = [k for k in fitted if k not in ("log_likelihood", "customers", "converged")]
        text = "  ".join(f"{n}={fitted[n]:.4f}" for n in names)
        note = "" if fitted["converged"] else "  (did not converge)"
        return f"{text}  LL={fitted['log_likelihood']:.2f}  n={fitted['customers']:,}{note}"

    rows = [
        ("File", result["file"]),
        ("Columns", ", ".join(f"{k}: {v}" for k, v in result["columns"].items())),
        ("Calibration until", f"{result['until']} (time unit: {result['unit']})"),
        ("Customers", f"{result['customers']:,}"),
        ("Transactions", f"{result['transactions']:,} of {result['transactions_in_file']:,}"),
        ("Repeat customers", f"{result['repeat_customers']:,} ({result['repeat_share']:.1%})"),
        ("Revenue", f"{result['revenue']:,.2f}"),
        ("Top 20% share", f"{result['top20_share']:.1%}"),
    ]
    for key, label in (("bgnbd", "BG/NBD"), ("paretonbd", "Pareto/NBD"),
                       ("gammagamma", "Gamma-Gamma")):
        if key in result:
            rows.append((label, params(key)))
    if "spend_frequency" in result:
        check = result["spend_frequency"]
        rows.append(("Spend vs frequency", (
            "not enough repeat customers"
            if check["pearson"] is None
            else f"Pearson {check['pearson']:.3f}, Spearman {check['spearman']:.3f} "
            + ("— above the threshold " if check["flagged"] else "— within the threshold ")
            + f"{check['threshold']:.2f}"
            + (": Gamma-Gamma spend may be biased" if check["flagged"] else "")
        )))
    if "clv" in result:
        c = result["clv"]
        rows.append((
            f"CLV {c['months']} months",
            f"mean {c['mean']:,.2f}, total {c['total']:,.2f} "
            f"(margin {c['margin']:.0%}, discount {c['annual_discount_rate']:.0%} a year)",
        ))
    width = max(len("Spend vs frequency"), *(len(label) for label, _ in rows))
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
