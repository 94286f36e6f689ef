"""The monthly sales targets page: a year of targets in one form (the boss and administrators
edit; managers read)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.views import refusals_as_http
from guanxi.sales import permissions as perms
from guanxi.sales.selectors.targets import year_targets
from guanxi.sales.services.targets import set_targets


def _year(value: str | None) -> int:
    today = timezone.localdate()
    return int(value) if value and value.isdigit() and 2000 <= int(value) <= 2999 \
        else today.year


@require_http_methods(["GET", "POST"])
@login_required
@refusals_as_http
def targets(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_see_targets(user):
        raise PermissionDenied(_("Sales targets are for executives, managers and "
                                 "administrators."))
    year = _year(request.POST.get("year") or request.GET.get("year"))
    errors: dict[str, list[str]] = {}
    posted: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        posted = {m: request.POST.get(f"m{m}", "") for m in range(1, 13)}
        versions = {m: int(v) for m in range(1, 13)
                    if (v := request.POST.get(f"v{m}", "")).isdigit()}
        try:
            set_targets(user, year, posted, versions)
        except (Forbidden, NotFound):
            raise
        except FieldErrors as exc:
            errors, status = exc.errors, 400
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Targets of %(year)s saved.") % {"year": year})
            return redirect(reverse("sales:targets") + f"?year={year}")
    saved = year_targets(year)
    months = []
    for m in range(1, 13):
        target = saved.get(m)
        value = posted.get(m) if posted else (format(target.amount, "f") if target else "")
        months.append({"n": m, "date": dt.date(year, m, 1), "value": value,
                       "version": target.version if target else "",
                       "errors": errors.get(f"m{m}", [])})
    return render(request, "sales/targets.html", {
        "year": year, "months": months, "can_edit": perms.can_set_targets(user),
        "total": sum(t.amount for t in saved.values()), "errors": errors,
    }, status=status)


urls = [path("targets/", targets, name="targets")]
