"""Reads of this area, through the scoped querysets."""
