"""The one approvals inbox page: every item waiting for the user (``core.approvals``), filtered
by kind, decided in its row (htmx swaps the row) and approved in bulk where no comment is
needed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from guanxi.core import approvals
from guanxi.core.errors import DomainError, Forbidden, NotFound
from guanxi.core.views import refusals_as_http


def _selected_kinds(request: HttpRequest) -> list[str]:
    known = approvals.kinds()
    return [k for k in request.GET.getlist("kind") if k in known]


def inbox_url(kinds: list[str]) -> str:
    url = reverse("customers:approvals")
    return url + ("?" + "&".join(f"kind={k}" for k in kinds) if kinds else "")


@login_required
@refusals_as_http
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    selected = _selected_kinds(request)
    everything = approvals.waiting(user)
    counts = approvals.counts_by_kind(everything)
    items = [i for i in everything if not selected or i.kind in selected]
    chips = [{"kind": kind, "label": label, "count": counts.get(kind, 0),
              "active": kind in selected}
             for kind, label in approvals.kinds().items() if counts.get(kind)]
    return render(request, "core/approvals/inbox.html", {
        "items": items, "total": len(everything), "chips": chips, "selected": selected,
        "bulk_count": sum(1 for i in items if not i.needs_comment),
        "here": request.get_full_path(),
    })


def _row_answer(request: HttpRequest, item: approvals.Item | None, ref: str, *, error: str = "",
                field: str | None = None, comment: str = "", decided: str = "",
                status: int = 200) -> HttpResponse:
    return render(request, "core/approvals/_row.html", {
        "item": item, "ref": ref, "error": error, "error_field": field, "comment": comment,
        "decided": decided}, status=status)


def _find(user: Any, ref: str) -> approvals.Item | None:
    try:
        kind, pk = approvals.parse_ref(ref)
    except DomainError:
        return None
    return next((i for i in approvals.waiting(user, {kind}) if i.id == pk), None)


DECIDED = {approvals.APPROVE: gettext_lazy("Approved"), approvals.REJECT: gettext_lazy("Rejected"),
           approvals.RETURN: gettext_lazy("Returned for changes")}


@login_required
@refusals_as_http
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    ref = request.POST.get("ref", "")
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    version_text = request.POST.get("version", "")
    version = int(version_text) if version_text.isdigit() else None
    back = request.POST.get("next") or reverse("customers:approvals")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("customers:approvals")
    before = _find(request.user, ref) if request.htmx else None
    try:
        approvals.decide(request.user, ref, decision, comment, version)
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect(back)
        item = _find(request.user, ref)
        # htmx swaps 4xx answers in (app.js): the message shows at the row's field.
        return _row_answer(request, item, ref, error=exc.message, field=exc.field,
                           comment=comment, status=409 if exc.status == 409 else 422)
    label = str(DECIDED.get(decision, ""))
    if not request.htmx:
        messages.success(request, label)
        return redirect(back)
    if before is not None:
        label = f"{before.title} · {label}"
    return _row_answer(request, None, ref, decided=label)


@login_required
@refusals_as_http
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    refs = request.POST.getlist("item")
    if request.POST.get("all"):
        # Every routine item of the kinds shown (the filter the page had).
        known = approvals.kinds()
        kinds = {k for k in request.POST.getlist("kind") if k in known} or None
        refs = [f"{i.ref}:{i.version or ''}" for i in approvals.waiting(request.user, kinds)
                if not i.needs_comment]
    back = request.POST.get("next") or reverse("customers:approvals")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("customers:approvals")
    if not refs:
        messages.error(request, _("Tick the items to approve first."))
        return redirect(back)
    try:
        outcomes = approvals.bulk_approve(request.user, refs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    done = sum(1 for o in outcomes if o.ok)
    if done:
        messages.success(request, ngettext("%(n)s item approved.", "%(n)s items approved.",
                                           done) % {"n": done})
    for outcome in outcomes:
        if not outcome.ok:
            messages.warning(request, f"{outcome.ref}: {outcome.message}")
    return redirect(back)
