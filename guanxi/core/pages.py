"""Small helpers shared by every app's pages: the posted data, modal or page, and where to go
after a write."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def posted(request: HttpRequest):
    """The submitted data on POST (even when empty, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def page_template(request: HttpRequest) -> str:
    """Small forms open in the shared modal with htmx and as plain pages without it."""
    if request.htmx and request.htmx.target == "modal-content":
        return "core/_modal.html"
    return "base.html"


def done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful write: a full navigation, also when the form sat in a modal."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
