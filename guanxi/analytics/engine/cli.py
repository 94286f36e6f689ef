"""``guanxi analytics fit``: the engine on a transaction file outside the database."""

from __future__ import annotations

import argparse
from typing import Any, TextIO


def add_fit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transactions", required=True, help="CSV file of transactions")


def fit(options: dict[str, Any], *, out: TextIO, err: TextIO) -> None:
    raise NotImplementedError
