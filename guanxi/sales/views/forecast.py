"""Pages: the forecast (weighted pipeline by period, won against forecast, by rep and team)
and the funnel (stage conversion, win rate, sales cycle, loss reasons, lead conversion).

Charts come first and read their data from ``json_script``; every bar, point and funnel step
carries the address of the opportunity list filtered to the records behind it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from guanxi.core.errors import FieldErrors
from guanxi.sales.models import Pipeline
from guanxi.sales.selectors import forecast as sel


def _list_url(f: sel.Filters, **params: Any) -> str:
    """The opportunity list filtered like the figure: pipeline, team, owner and ``params``."""
    query = {"pipeline": f.pipeline.pk}
    if f.team:
        query["team"] = f.team.pk
    if f.owner:
        query["owner"] = f.owner.pk
    query |= {k: v for k, v in params.items() if v is not None}
    return f"{reverse('sales:opportunities')}?{urlencode(query)}"


def _filters(request: HttpRequest, kind: str) -> tuple[sel.Filters, dict[str, list[str]]]:
    try:
        return sel.parse_filters(request.user, request.GET, kind=kind), {}
    except FieldErrors as exc:
        # Show the page with the defaults and say what was wrong with the filters.
        return sel.parse_filters(request.user, {}, kind=kind), exc.errors


def _choices(request: HttpRequest, f: sel.Filters, errors: dict, kind: str) -> dict[str, Any]:
    params = f.as_params()
    return {
        "f": f, "params": params, "errors": errors,
        "pipelines": Pipeline.objects.filter(active=True),
        "teams": sel.team_choices(request.user),
        "owners": sel.owner_choices(request.user),
        "switch": {p: "?" + urlencode(params | {"period": p, "from": "", "to": ""})
                   for p in sel.PERIODS},
        "kind": kind,
    }


@login_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request, "forecast")
    data = sel.forecast(request.user, f)
    periods = data["periods"]

    def span(i: int) -> dict[str, str]:
        return {"close_from": periods[i]["start"].isoformat(),
                "close_to": periods[i]["end"].isoformat()}

    chart = {
        "periods": [p["key"] for p in periods],
        "stages": [{"name": s["label"],
                    "data": [{"value": str(v), "count": s["count"][i],
                              "url": _list_url(f, status="open", stage=s["id"], **span(i))}
                             for i, v in enumerate(s["weighted"])]}
                   for s in data["stages"]],
        "won": [{"value": str(v), "count": data["won_count"][i],
                 "url": _list_url(f, status="won", **span(i))}
                for i, v in enumerate(data["won"])],
        "forecast": [{"value": str(v), "url": _list_url(f, **span(i))}
                     for i, v in enumerate(data["forecast"])],
        "labels": {"won": _("Closed won"), "forecast": _("Won + weighted pipeline")},
    }
    close = {"close_from": f.date_from.isoformat(), "close_to": f.date_to.isoformat()}
    for row in data["by_rep"]:
        row["url"] = _list_url(f, status="open", **close) + (
            f"&owner={row['id']}" if row["id"] and not f.owner else "")
    for row in data["by_team"]:
        row["url"] = _list_url(f, status="open", **close) + (
            f"&team={row['id']}" if row["id"] and not f.team else "")
    return render(request, "sales/forecast/forecast.html", {
        **_choices(request, f, errors, "forecast"), "data": data, "chart": chart,
        "open_url": _list_url(f, status="open", **close),
        "won_url": _list_url(f, status="won", **close),
    })


@login_required
def funnel_page(request: HttpRequest) -> HttpResponse:
    f, errors = _filters(request, "funnel")
    data = sel.funnel(request.user, f)
    chart = {
        "steps": [{"name": s["label"], "value": s["reached"], "conversion": s["conversion"],
                   "of_first": s["of_first"], "url": _list_url(f, stage=s["id"])}
                  for s in data["steps"]],
        "reasons": [{"name": r["label"], "value": r["count"], "amount": str(r["amount"]),
                     "url": _list_url(f, status="lost", loss_reason=r["key"])}
                    for r in data["loss_reasons"]],
        "by_source": _conversion_chart(f, data["by_source"], "source"),
        "by_timeframe": _conversion_chart(f, data["by_timeframe"], "timeframe"),
        "labels": {"reached": _("Reached"), "conversion": _("to the next stage"),
                   "of_first": _("of all"), "lost": _("Lost deals"), "amount": _("Amount"),
                   "leads": _("Leads"), "converted": _("Converted"), "won": _("Won"),
                   "rate": _("Share converted"), "win": _("Share that bought")},
    }
    return render(request, "sales/forecast/funnel.html", {
        **_choices(request, f, errors, "funnel"), "data": data, "chart": chart,
        "won_url": _list_url(f, status="won"), "lost_url": _list_url(f, status="lost"),
    })


def _conversion_chart(f: sel.Filters, rows: list[dict], key: str) -> dict[str, Any]:
    return {"categories": [r["label"] for r in rows],
            "series": {name: [{"value": r[name], "url": _list_url(f, **{key: r["key"]},
                                                                 status=status)}
                              for r in rows]
                       for name, status in (("leads", None), ("converted", None),
                                            ("won", "won"))},
            "rates": [{"conversion": r["conversion"], "win": r["win"]} for r in rows]}


urls = [
    path("forecast/", forecast_page, name="forecast"),
    path("funnel/", funnel_page, name="funnel"),
]
