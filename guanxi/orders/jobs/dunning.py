"""Background work of this area (see guanxi.core.tasks)."""
