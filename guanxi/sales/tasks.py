"""Background work of the sales app."""

from django.utils import timezone

from guanxi.core.tasks import background, crontab, periodic
from guanxi.sales.services import routing


@background()
def send_lead_material(lead_id: int, kind: str) -> bool:
    """E-mail the detailed (6 months) or general (1 year) material to a lead."""
    return routing.send_material(lead_id, kind)


@periodic(crontab(minute="30", hour="6"))
def revisit_nurtured_leads() -> int:
    """Daily: nurtured leads whose revisit date has come go back to a rep."""
    return routing.bring_back_nurtured(timezone.localdate())


from guanxi.sales import reminders  # noqa: E402, F401  (task reminders: periodic work)
