"""Pages: webhooks."""

from __future__ import annotations

urls: list = []
