"""The service analytics page: charts first, each element opening the cases behind it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from guanxi.core.views import refusals_as_http
from guanxi.service import permissions as perms
from guanxi.service.selectors.analytics import overview


@login_required
@refusals_as_http
def service_analytics(request: HttpRequest) -> HttpResponse:
    if not perms.can_read_satisfaction(request.user):
        raise PermissionDenied(_("Service analytics are for service, managers and "
                                 "executives."))
    data = overview(request.user)
    data["labels"] = {
        "cases": _("Cases"), "sla": _("SLA met"), "fcr": _("Resolved at first contact"),
        "hours": _("Hours to resolve"), "csat": _("CSAT (1–5)"), "nps": _("NPS"),
        "cost": _("Warranty cost"), "open": _("Open cases"), "answers": _("Answers")}
    return render(request, "service/analytics.html", {"d": data, "totals": data["totals"]})
