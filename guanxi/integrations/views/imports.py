"""Pages: imports."""

from __future__ import annotations

urls: list = []
