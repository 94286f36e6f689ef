"""Background and periodic work of quote to cash, registered through ``guanxi.orders.tasks``."""
