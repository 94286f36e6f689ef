"""Pages of this area; ``urls`` is composed in ``guanxi/orders/urls.py``."""

urls: list = []
