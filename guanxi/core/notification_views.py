"""Notification pages: the bell's dropdown, the full list, marking read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanxi.core.access import get_visible
from guanxi.core.models import Notification
from guanxi.core.notifications import mark_read, unread_count
from guanxi.core.views import refusals_as_http

MENU_SIZE = 8
PAGE_SIZE = 50


def mine(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("actor")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    qs = mine(request.user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = list(qs[start:start + PAGE_SIZE + 1])
    return render(request, "core/notifications/list.html", {
        "rows": rows[:PAGE_SIZE], "has_next": len(rows) > PAGE_SIZE, "page": page,
        "unread_only": unread_only, "unread": unread_count(request.user)})


@login_required
def notification_menu(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown (loaded by htmx when it opens)."""
    return render(request, "core/notifications/_menu.html", {
        "rows": list(mine(request.user)[:MENU_SIZE]), "unread": unread_count(request.user)})


@login_required
@refusals_as_http
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    note = get_visible(mine(request.user), pk=pk)
    mark_read(request.user, [note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("core:notifications")


@require_POST
@login_required
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark the given notifications (``id`` repeated) or all of them read."""
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    mark_read(request.user, ids or None)
    return redirect("core:notifications")
