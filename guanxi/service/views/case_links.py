"""Case page actions of the installed base: set the case's asset (by serial number or VIN),
link and unlink knowledge-base articles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError, NotFound
from guanxi.core.views import refusals_as_http
from guanxi.service.selectors import assets as asset_sel
from guanxi.service.selectors import knowledge as kb_sel
from guanxi.service.selectors.cases import get_case
from guanxi.service.services import case_links as svc


def _back(pk: int) -> HttpResponse:
    return redirect("service:case", pk)


@login_required
@refusals_as_http
@require_POST
def case_asset(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request.user, pk)
    raw = request.POST.get("asset", "").strip()
    asset = None
    if raw:
        matches = list(asset_sel.filter_assets(request.user, {"q": raw})[:2])
        if case.account_id:
            matches = [a for a in matches if a.account_id == case.account_id] or matches
        if len(matches) != 1:
            messages.error(request, _("No single asset matches %(q)s.") % {"q": raw})
            return _back(pk)
        asset = matches[0]
    try:
        svc.set_case_asset(request.user, case, asset, request.POST.get("version") or None)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Asset saved."))
    return _back(pk)


@login_required
@refusals_as_http
@require_POST
def article_link(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case(request.user, pk)
    try:
        article = kb_sel.get_article(request.user, request.POST.get("article", "").strip())
        svc.link_article(request.user, case, article)
    except NotFound:
        messages.error(request, _("No such article."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Article linked."))
    return _back(pk)


@login_required
@refusals_as_http
@require_POST
def article_unlink(request: HttpRequest, pk: int, article: int) -> HttpResponse:
    case = get_case(request.user, pk)
    svc.unlink_article(request.user, case, kb_sel.get_article(request.user, article))
    return _back(pk)
