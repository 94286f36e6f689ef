"""Webhooks, automation rules and notification preferences (filled by their area)."""

__all__: list[str] = []
