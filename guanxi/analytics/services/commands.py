"""``guanxi analytics run``: recompute the stored metrics from the command line, with the
progress on stderr; ``guanxi analytics import``: load a transaction file."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TextIO

from django.core.management.base import CommandError


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--until", type=dt.date.fromisoformat, default=None,
                        help="analyse transactions up to this date (YYYY-MM-DD; default today)")


def run(options: dict[str, Any], *, out: TextIO, err: TextIO) -> None:
    from guanxi.analytics.services import runs
    from guanxi.core.errors import DomainError

    timings: dict[str, float] = {}

    def say(percent: int, stage: str) -> None:
        err.write(f"  {percent:3d}%  {stage}")

    try:
        done = runs.run_now(None, options.get("until"), say=say, timings=timings)
    except DomainError as exc:
        raise CommandError(exc.message) from None
    phases = "  ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
    out.write(f"Run #{done.pk}: {done.customers:,} customers, {done.transactions:,} "
              f"transactions, customer equity {done.equity:,.2f}  ({phases})")


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV file: customer, date, amount[, cost][, id]")


def import_file(options: dict[str, Any], *, out: TextIO, err: TextIO) -> None:
    from guanxi.analytics.services.imports import import_transactions

    with open(options["file"], "rb") as fh:
        report = import_transactions(None, fh.read())
    for problem in report.errors:
        err.write(f"  line {problem.line}: {problem.message}")
    out.write(f"{report.added:,} transactions added, {report.skipped:,} already there, "
              f"{len(report.errors):,} rows refused")
    if report.errors and not report.added:
        raise CommandError("nothing imported")
