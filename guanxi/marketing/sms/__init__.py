"""SMS: one interface (``base.Provider``) with Alibaba Cloud and Tencent Cloud adapters; see
``config`` for the settings and ``guanxi.marketing.services.sms`` for sending and callbacks."""
