"""Template helpers of the customer pages: approval and pool pills, completeness, timeline
icons, and the approvals badge of the navigation."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def completeness_bar(score: Any) -> SafeString:
    """A thin bar with the completeness percentage, coloured by how complete it is."""
    try:
        value = int(score or 0)
    except (TypeError, ValueError):
        value = 0
    return _completeness_html(value)


@lru_cache(maxsize=256)
def _completeness_html(value: int) -> SafeString:
    # A list page shows the bar on every row; scores are 0–100, so each is built once.
    tone = "low" if value < 50 else "mid" if value < 80 else "high"
    return format_html(
        '<span class="completeness completeness-{}" title="{}%"><span class="bar">'
        '<span style="width:{}%"></span></span><span class="num">{}%</span></span>',
        tone, value, value, value,
    )


@register.simple_tag
def status_pills(account: Any) -> SafeString:
    """The approval and pool state of a customer as pills (list rows and the 360° header)."""
    pills = []
    if account.approval == "pending":
        pills.append(format_html('<span class="pill pill-pending">{}</span>',
                                 _("Pending approval")))
    elif account.approval == "rejected":
        pills.append(format_html('<span class="pill pill-rejected">{}</span>', _("Rejected")))
    if account.in_pool:
        pills.append(format_html(' <span class="pill pill-pool"><i class="bi bi-water"></i> {}'
                                 '</span>', _("Public pool")))
    if account.approval == "approved" and not account.in_pool:
        pills.append(format_html('<span class="pill pill-approved">{}</span>', _("Active")))
    if getattr(account, "standing", "") == "lead":
        pills.append(format_html(' <span class="pill pill-accent">{}</span>', _("Lead customer")))
    return mark_safe("".join(pills))


@register.filter
def timeline_icon(kind: str) -> str:
    """The Bootstrap icon the app that registered the timeline entry kind gave it."""
    from guanxi.customers.timeline import icon

    return icon(kind)
