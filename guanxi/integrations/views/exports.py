"""Pages: exports."""

from __future__ import annotations

urls: list = []
