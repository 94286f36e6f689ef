"""Business rules of this area: writes."""
