"""The public survey page: no login, one signed link per resolved case. A reused, expired or
mangled link gets a page that says so (410), never a form that would fail on submit."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import FieldErrors
from guanxi.service.services import surveys as svc

CSAT = [(5, "😀"), (4, "🙂"), (3, "😐"), (2, "🙁"), (1, "😞")]


@csrf_protect
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = svc.open_link(token)
    except svc.LinkError as exc:
        return render(request, "service/surveys/closed.html",
                      {"message": exc.message, "code": exc.code}, status=410)
    errors: dict[str, list[str]] = {}
    values = {"csat": "", "nps": "", "comment": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            svc.answer(token, values["csat"], values["nps"], values["comment"])
        except svc.LinkError as exc:
            return render(request, "service/surveys/closed.html",
                          {"message": exc.message, "code": exc.code}, status=410)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            return render(request, "service/surveys/thanks.html", {"survey": survey})
    return render(request, "service/surveys/form.html", {
        "survey": survey, "case": survey.case, "errors": errors, "values": values,
        "csat_choices": CSAT, "nps_choices": range(11)}, status=400 if errors else 200)
