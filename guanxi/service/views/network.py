"""Pages of the service network: stations by province and city, a station with its
technicians and the visits it made."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanxi.core.views import refusals_as_http
from guanxi.customers.regions import PROVINCES
from guanxi.service import permissions as perms
from guanxi.service.selectors import assets as sel


@login_required
@refusals_as_http
def station_list(request: HttpRequest) -> HttpResponse:
    province = request.GET.get("province", "")
    q = request.GET.get("q", "").strip()
    rows = sel.stations(province=province if province.isdigit() else "", q=q)[:500]
    return render(request, "service/stations/list.html", {
        "rows": rows, "provinces": PROVINCES, "province": province, "q": q,
        "can_manage": perms.can_manage_network(request.user)})


@login_required
@refusals_as_http
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = sel.get_station(pk)
    records = sel.visible_records(request.user).filter(station=station).select_related(
        "asset", "technician", "account")[:50]
    return render(request, "service/stations/detail.html", {
        "station": station, "technicians": sel.technicians(station), "records": records})
