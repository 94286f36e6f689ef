"""``guanxi analytics run``: recompute the stored metrics from the command line."""

from __future__ import annotations

import argparse
from typing import Any, TextIO


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(options: dict[str, Any], *, out: TextIO, err: TextIO) -> None:
    raise NotImplementedError
