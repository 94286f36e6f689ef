"""Writes of marketing: one module per subject (segments, campaigns, sending, responses)."""
