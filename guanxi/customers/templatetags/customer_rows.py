"""The customer list's table rows, built in Python: the template engine spent most of the
page's time resolving the same dozen variables on every row. The cells follow the columns
the user (or the saved view) chose, in their order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from guanxi.core.templatetags.guanxi_ui import format_phone, short_date
from guanxi.customers import permissions as perms
from guanxi.customers.templatetags.customer_ui import completeness_bar, status_pills

register = template.Library()

# An id no customer has, reversed once and replaced per row: reverse() per row is slow.
_PK_MARK = 987654321
_DEFAULT = ("name", "owner", "industry", "province", "phone", "completeness", "status",
            "follow_up", "updated")
_INLINE = ("phone", "email")


def _url(name: str, *args: Any) -> tuple[str, str]:
    prefix, suffix = reverse(name, args=[*args, _PK_MARK]).split(str(_PK_MARK))
    return prefix, suffix


@register.simple_tag(takes_context=True)
def customer_rows(context: template.Context, rows: Iterable[Any],
                  columns: Iterable[Any] | None = None, selectable: bool = False) -> SafeString:
    """One ``<tr>`` per customer, every value escaped, matching the list's columns."""
    keys = [c.key for c in columns] if columns else list(_DEFAULT)
    detail = _url("customers:detail")
    inline = _url("core:list_inline", "customers")
    region = settings.GUANXI_DEFAULT_REGION
    user = context.get("request").user if context.get("request") else None
    pills: dict[tuple[str, bool], SafeString] = {}  # labels translated once per page
    edit_label = _("Edit")
    select_label = _("Select")
    preview_label = _("Preview")

    def name(a: Any) -> SafeString:
        return format_html(
            # Line breaks where the template had them: the one between the name and the
            # line below it is a visible space.
            '\n<td class="name">\n<a href="{}{}{}" hx-boost="false">{}</a>\n'
            '<span class="sub">{}{}{}</span>\n'
            '<button type="button" class="btn btn-sm btn-link inline-edit" data-preview-open '
            'aria-label="{}"><i class="bi bi-layout-sidebar-reverse"></i></button></td>',
            detail[0], a.pk, detail[1], a.name, a.contact_name or "",
            " · " if a.contact_name and a.tag_list else "",
            format_html_join("", '<span class="tag">{}</span>', ((t.name,) for t in a.tag_list)),
            preview_label)

    def status(a: Any) -> SafeString:
        state = (a.approval, a.in_pool)
        if state not in pills:
            pills[state] = status_pills(a)
        return format_html('<td class="nowrap">{}</td>', pills[state])

    def phone(a: Any) -> str:
        number = a.phone or a.contact_mobile
        return (format_phone(str(number), region) if number else "") or "—"

    def follow_up(a: Any) -> str:
        return short_date(template_localtime(a.last_follow_up_at)) if a.last_follow_up_at \
            else "—"

    plain: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "owner": ("hide-sm nowrap", lambda a: a.owner or "—"),
        "industry": ("hide-sm", lambda a: a.industry_label or "—"),
        "province": ("hide-sm nowrap", lambda a: a.province or "—"),
        "phone": ("hide-sm nowrap tabular", phone),
        "completeness": ("hide-sm", lambda a: completeness_bar(a.completeness)),
        "follow_up": ("hide-sm date", follow_up),
        "updated": ("hide-sm date", lambda a: short_date(template_localtime(a.updated_at))),
        "email": ("hide-sm", lambda a: a.email or "—"),
        "standing": ("hide-sm", lambda a: a.get_standing_display()),
        "source": ("hide-sm", lambda a: a.get_source_display()),
    }
    html = []
    for a in rows:
        editable = selectable and user is not None and perms.can_edit_account(user, a)
        cells = []
        if selectable:
            cells.append(format_html(
                '<td class="select"><input type="checkbox" class="form-check-input" name="ids" '
                'value="{}" form="bulk" aria-label="{} {}"></td>', a.pk, select_label, a.name))
        for key in keys:
            if key == "name":
                cells.append(name(a))
            elif key == "status":
                cells.append(status(a))
            elif key in plain:
                cls, value = plain[key]
                if editable and key in _INLINE:
                    cells.append(format_html(
                        '<td class="{}" data-inline="{}" data-value="{}" data-label="{}">{}'
                        '<button type="button" class="btn btn-sm btn-link inline-edit" '
                        'data-inline-edit aria-label="{}"><i class="bi bi-pencil"></i></button>'
                        '</td>', cls, key, getattr(a, key), key, value(a), edit_label))
                else:
                    cells.append(format_html('<td class="{}">{}</td>', cls, value(a)))
        html.append(format_html(
            '\n<tr data-pk="{}" data-version="{}"{}>{}</tr>\n', a.pk, a.version,
            format_html(' data-inline-url="{}{}{}"', inline[0], a.pk, inline[1])
            if editable else "",
            mark_safe("".join(cells))))  # noqa: S308 - every cell built by format_html
    return mark_safe("".join(html))  # noqa: S308
