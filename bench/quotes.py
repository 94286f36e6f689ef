"""``guanxi bench --only quotes``: a quote with many lines priced and saved."""

from __future__ import annotations


def main(org, lines: int, repeat: int, *, out, err, as_json: bool) -> None:
    raise SystemExit("not built yet")
