"""The installed base on the customer's timeline: assets registered or delivered, service
visits (where, by whom, warranty or billed) and satisfaction answers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.events import Event
from guanxi.customers.timeline import Entry, register_kind, renders, subject


def register() -> None:
    register_kind("service.asset", "car-front", _("Asset"))
    register_kind("service.record", "wrench", _("Service record"))
    register_kind("service.survey", "emoji-smile", _("Satisfaction survey"))


@renders("service.asset.created")
@renders("service.asset.delivered")
def _asset(event: Event) -> Entry | None:
    asset = subject(event)
    if asset is None:
        return None
    return Entry(asset.account_id, "service.asset",
                 gettext_noop("Asset %(asset)s registered (%(product)s)"),
                 params={"asset": str(asset), "product": str(asset.product.label)},
                 data={"asset": asset.pk})


@renders("service.record.created")
def _record(event: Event) -> Entry | None:
    record = subject(event)
    if record is None:
        return None
    return Entry(record.account_id, "service.record",
                 gettext_noop("Service at %(station)s on %(asset)s: %(work)s"),
                 params={"station": record.station.name, "asset": str(record.asset),
                         "work": record.work_done[:120]},
                 body=record.get_warranty_decision_display(),
                 data={"record": record.pk, "asset": record.asset_id})


@renders("service.survey.answered")
def _survey(event: Event) -> Entry | None:
    survey = subject(event)
    if survey is None or not survey.account_id:
        return None
    return Entry(survey.account_id, "service.survey",
                 gettext_noop("Satisfaction on case %(number)s: %(csat)s/5, "
                              "recommend %(nps)s/10"),
                 params={"number": survey.case.number, "csat": survey.csat,
                         "nps": survey.nps},
                 body=survey.comment[:500], data={"case": survey.case_id})
