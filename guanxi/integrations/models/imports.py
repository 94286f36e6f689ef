"""Import jobs, their rejected rows and reusable column mappings."""

__all__: list[str] = []
