"""Reads of marketing."""
