from guanxi.core.tasks import crontab, periodic
from guanxi.customers.services import return_stale_to_pool


@periodic(crontab(minute="15", hour="2"))
def return_stale_customers_to_pool() -> int:
    """Nightly: customers without follow-up for the policy's days go back to the pool."""
    return return_stale_to_pool()
