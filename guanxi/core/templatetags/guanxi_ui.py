"""Template helpers shared by every page: form controls, money, percentages, phones, dates,
and ISO values for date, time and number inputs."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from guanxi.core import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, name: str, *records: Any) -> bool:
    """``{% can "customers.request_terms" account as ok %}``: the registered rule ``name``
    for the signed-in user, so templates ask the rule instead of writing it again."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return permissions.allowed(name, user, *records)


@register.simple_tag(takes_context=True)
def sidebar(context: template.Context) -> list:
    """``{% sidebar as groups %}``: the signed-in user's areas and links, the current page's
    marked active (``guanxi.core.navigation``)."""
    from guanxi.core import navigation

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    match = getattr(request, "resolver_match", None)
    current = (f"{match.namespace}:{match.url_name}" if match and match.namespace
               else (match.url_name or "") if match else "")
    return navigation.menu(user, current)

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
    """An amount grouped for the reader's language, rounded half up: 1,234,567.00."""
    return grouped(value, places)


@register.filter
def in_currency(value: Any, currency: str = "") -> str:
    """An amount with its currency: 1,234,567.00 CNY. Without a code, the site's currency:
    totals are sums of stored amounts, and no exchange-rate table exists to convert them."""
    shown = grouped(value, 2)
    if shown == "—":
        return shown
    return f"{shown} {currency or settings.GUANXI_CURRENCY}"


@register.filter
def number(value: Any, places: int = 0) -> str:
    """A count or quantity grouped for the reader's language: 29,294,561."""
    return grouped(value, places)


def grouped(value: Any, places: int = 2) -> str:
    """``value`` rounded half up to ``places`` decimals, thousands grouped in the reader's
    language, whatever ``USE_THOUSAND_SEPARATOR`` says (it stays off so inputs stay plain)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
        places = int(places)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


@register.filter
def iso(value: Any) -> str:
    """A value for <input type="date|datetime-local|time|number">: browsers accept only the
    ISO / plain form there (2027-03-31, 2027-03-31T14:05, 14:05, 1234.50) and empty the input
    for anything localised (2027/03/31, 1,234.50). Text (a posted value) is kept as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@register.filter
def percent(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, -2)}%"


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


@register.filter
def web_link(value: Any) -> str:
    """The address for a link if it is a web one (http, https), else empty: a stored value
    such as ``javascript:…`` is shown as text, never made a link that runs."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


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


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Any) -> SafeString:
    """Render a registered panel (``guanxi.core.panels``) with the page's context plus what its
    loader returned, as ``{% include %}`` would."""
    tpl = context.template.engine.get_template(panel.template)
    with context.push(**panel.context):
        return tpl.render(context)
