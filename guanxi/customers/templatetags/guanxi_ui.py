"""Template helpers shared by every page: form controls, money, the navigation badge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.forms import BoundField
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

# Bootstrap classes per widget type (BoundField.widget_type).
_CONTROL_CLASS = {
    "checkbox": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
    "nullbooleanselect": "form-select",
    "checkboxselectmultiple": "",
    "radioselect": "",
    "hidden": "",
}


@register.simple_tag
def control(field: BoundField, **attrs: Any) -> SafeString:
    """Render a field's widget with the right Bootstrap class, marked invalid on errors."""
    css = _CONTROL_CLASS.get(field.widget_type, "form-control")
    existing = field.field.widget.attrs.get("class", "")
    classes = " ".join(c for c in (css, existing, attrs.pop("class", "")) if c)
    if field.errors:
        classes += " is-invalid"
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs.setdefault("aria-describedby", f"{field.auto_id}_helptext")
    if classes:
        attrs["class"] = classes
    return field.as_widget(attrs=attrs)


@register.filter
def initial(user: Any) -> str:
    """The first character of a user's name, for the avatar circle."""
    text = str(user).strip()
    return text[:1].upper() if text else "?"


@register.filter
def money(value: Any, places: int = 2) -> str:
    """A Decimal amount with grouping, localised: 1,234,567.00."""
    if value is None or value == "":
        return "—"
    try:
        Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return intcomma(floatformat(value, places))


@register.filter
def percent(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, -2)}%"


@register.simple_tag
def approvals_waiting(user: Any) -> int:
    """How many approvals wait for ``user``: new customers (managers) and terms changes
    (managers, then finance). Users who decide nothing cost no query."""
    from guanxi.accounts.models import Role
    from guanxi.customers import selectors

    if not getattr(user, "is_authenticated", False) \
            or not user.has_role(Role.MANAGER, Role.FINANCE, Role.ADMIN):
        return 0
    return (selectors.pending_approvals(user).count()
            + selectors.terms_requests_waiting_for(user).count())


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied (None/"" removes a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


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


@register.filter
def phone(value: Any) -> str:
    """An E.164 number as people read it: national form at home, international abroad."""
    from django.conf import settings

    if not value:
        return ""
    return format_phone(str(value), settings.GUANXI_DEFAULT_REGION)


@lru_cache(maxsize=4096)
def format_phone(value: str, home_region: str) -> str:
    """``phone`` without the template: parsing is the slow part of a list page's rows, and the
    same numbers come back page after page."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    home = phonenumbers.region_code_for_number(number) == home_region
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if home \
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


@register.filter(expects_localtime=True)
def short_date(value: Any) -> str:
    """``value|date:"SHORT_DATE_FORMAT"`` for list rows: a page shows few distinct days, so
    each day is formatted once per language instead of once per cell."""
    if not value:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    return _short_date(day, get_language())


@lru_cache(maxsize=1024)
def _short_date(day: dt.date, language: str | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


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
    """A Bootstrap icon name for a timeline entry kind."""
    icons = {
        "customers.created": "plus-circle", "customers.note": "chat-left-text",
        "customers.updated": "pencil", "customers.approval": "check2-circle",
        "customers.terms_requested": "percent", "customers.terms": "percent",
        "customers.assigned": "person-check", "customers.shared": "share",
        "customers.contact_added": "person-plus", "customers.contact_updated": "person",
        "customers.contact_removed": "person-dash", "customers.address_added": "geo-alt",
        "customers.address_updated": "geo-alt", "customers.relationship": "diagram-3",
        "customers.pool": "water", "customers.claimed": "hand-index",
        "customers.released": "box-arrow-up", "customers.merged": "union",
        "sales.call": "telephone", "sales.visit": "geo", "sales.meeting": "people",
        "sales.email": "envelope", "sales.note": "chat-left-text", "sales.campaign": "flag",
        "sales.support_request": "life-preserver", "sales.task": "check2-square",
        "sales.opportunity": "briefcase", "sales.stage": "signpost-split",
        "orders.quote": "file-earmark-text", "orders.tender": "megaphone",
        "orders.contract": "file-earmark-check", "orders.order": "cart-check",
        "orders.shipment": "truck", "orders.invoice": "receipt", "orders.payment": "cash-coin",
        "orders.reminder": "bell", "orders.expense": "wallet2", "orders.review": "check2-all",
    }
    if kind.startswith("sales.lead"):
        return "person-lines-fill"
    if kind.startswith("orders."):
        area = kind.split("_")[0]  # "orders.quote_sent" → "orders.quote"
        return icons.get(area, "file-earmark")
    return icons.get(kind, "dot")
