"""The pages every record list shares: save, share, delete and choose a default view; run a
bulk action on the selected rows (or all that match) and show each row's result; save one
cell edited in place."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import lists, selectors, services
from guanxi.core.access import get_visible
from guanxi.core.errors import Conflict, DomainError, FieldErrors
from guanxi.core.views import refusals_as_http


def _list_url(definition: lists.ListDefinition, query: str = "") -> str:
    url = reverse(definition.url_name)
    return f"{url}?{query}" if query else url


@login_required
@require_POST
@refusals_as_http
def view_save(request: HttpRequest, key: str) -> HttpResponse:
    definition = lists.get(key)
    params = QueryDict(request.POST.get("query", ""))
    team_id = request.user.team_id if request.POST.get("share") else None
    try:
        view = services.save_view(request.user, key, request.POST.get("name", ""),
                                  params.dict(), team_id=team_id,
                                  default=bool(request.POST.get("default")))
    except DomainError as exc:
        messages.error(request, _("The view was not saved: %(reason)s") % {"reason": exc.message})
        return redirect(_list_url(definition, params.urlencode()))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(_list_url(definition, f"view={view.pk}"))


@login_required
@require_POST
@refusals_as_http
def view_delete(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    definition = lists.get(key)
    view = get_visible(selectors.visible_views(request.user, key), pk=pk)
    services.delete_view(request.user, view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(_list_url(definition, "view=0"))


@login_required
@require_POST
@refusals_as_http
def view_default(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Make a view (pk 0: none) the one the list opens with."""
    definition = lists.get(key)
    view = get_visible(selectors.visible_views(request.user, key), pk=pk) if pk else None
    services.set_default_view(request.user, key, view)
    messages.success(request, _("Your list now opens with this view.") if view
                     else _("Your list now opens without a view."))
    return redirect(_list_url(definition, f"view={pk}"))


@login_required
@require_POST
@refusals_as_http
def bulk(request: HttpRequest, key: str) -> HttpResponse:
    """Apply one action to the ticked rows, or (``all``) to every row matching the list's
    filters; answer with each row's result."""
    definition = lists.get(key)
    query = request.POST.get("query", "")
    params = QueryDict(query)
    ids = None
    if not request.POST.get("all"):
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    try:
        results = lists.run_bulk(request.user, definition, request.POST.get("action", ""),
                                 ids=ids, params=params, value=request.POST.get("value"))
    except FieldErrors as exc:
        messages.error(request, exc.message)
        return redirect(_list_url(definition, query))
    done = sum(1 for r in results if r.ok)
    action = definition.action(request.POST.get("action", ""))
    return render(request, "core/bulk_result.html", {
        "list_def": definition, "action": action, "results": results, "done": done,
        "refused": len(results) - done, "back": _list_url(definition, query),
    }, status=200)


@login_required
@require_POST
@refusals_as_http
def inline_edit(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Save one cell through the service, with the version the page showed. A stale version
    answers 409 and changes nothing; the page keeps what the user typed."""
    definition = lists.get(key)
    field = definition.inline_field(request.POST.get("field", ""))
    if field is None:
        return JsonResponse({"detail": _("This column cannot be edited here."),
                             "field": "field"}, status=400)
    version = request.POST.get("version", "")
    if not version.isdigit():
        return JsonResponse({"detail": _("Reload the page and try again."),
                             "field": "version"}, status=400)
    obj = get_visible(definition.select(request.user, {}), pk=pk)
    value = request.POST.get("value", "")
    try:
        obj = field.save(request.user, obj, value, int(version))
    except Conflict as exc:
        return JsonResponse(exc.as_dict(), status=409)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"value": field.shown(obj), "version": obj.version})
