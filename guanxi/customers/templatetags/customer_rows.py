"""The customer list's table rows, built in Python: the template engine spent most of the
page's time resolving the same dozen variables on every row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from guanxi.core.templatetags.guanxi_ui import format_phone, short_date
from guanxi.customers.templatetags.customer_ui import completeness_bar, status_pills

register = template.Library()

# An id no customer has, reversed once and replaced per row: reverse() per row is slow.
_PK_MARK = 987654321


@register.simple_tag
def customer_rows(rows: Iterable[Any]) -> SafeString:
    """One ``<tr>`` per customer, every value escaped, matching the list's columns."""
    prefix, suffix = reverse("customers:detail", args=[_PK_MARK]).split(str(_PK_MARK))
    region = settings.GUANXI_DEFAULT_REGION
    pills: dict[tuple[str, bool], SafeString] = {}  # labels translated once per page
    html = []
    for a in rows:
        state = (a.approval, a.in_pool)
        if state not in pills:
            pills[state] = status_pills(a)
        number = a.phone or a.contact_mobile
        follow_up = a.last_follow_up_at
        html.append(format_html(
            # Line breaks where the template had them: the one between the name and the
            # line below it is a visible space.
            '\n<tr>\n<td class="name">\n<a href="{}{}{}" hx-boost="false">{}</a>\n'
            '<span class="sub">{}{}{}</span>\n</td>\n'
            '<td class="hide-sm nowrap">{}</td>\n'
            '<td class="hide-sm">{}</td>\n'
            '<td class="hide-sm nowrap">{}</td>\n'
            '<td class="hide-sm nowrap tabular">{}</td>\n'
            '<td class="hide-sm">{}</td>\n'
            '<td class="nowrap">{}</td>\n'
            '<td class="hide-sm date">{}</td>\n'
            '<td class="hide-sm date">{}</td>\n</tr>\n',
            prefix, a.pk, suffix, a.name,
            a.contact_name or "",
            " · " if a.contact_name and a.tag_list else "",
            format_html_join("", '<span class="tag">{}</span>', ((t.name,) for t in a.tag_list)),
            a.owner or "—",
            a.industry_label or "—",
            a.province or "—",
            (format_phone(str(number), region) if number else "") or "—",
            completeness_bar(a.completeness),
            pills[state],
            short_date(template_localtime(follow_up)) if follow_up else "—",
            short_date(template_localtime(a.updated_at)),
        ))
    return mark_safe("".join(html))
