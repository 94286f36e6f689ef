"""Pages: automation."""

from __future__ import annotations

urls: list = []
