"""Template tags of the installed base: what the case page shows of it (the asset, its
service records on the case, linked articles, the satisfaction answer)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.service import permissions as perms
from guanxi.service.models import ArticleLink, ServiceRecord, Survey

register = template.Library()


@register.simple_tag
def case_installed_base(case: Any, user: Any) -> dict[str, Any]:
    records = list(ServiceRecord.objects.filter(case=case).select_related(
        "station", "technician", "asset").prefetch_related("parts"))
    links = list(ArticleLink.objects.filter(case=case).select_related("article"))
    survey = Survey.objects.filter(case=case).first()
    return {
        "asset": case.asset if case.asset_id else None, "records": records,
        "articles": [link.article for link in links
                     if perms.can_read_article(user, link.article)],
        "survey": survey if perms.can_read_satisfaction(user) else None,
        "can_work": perms.can_work_case(user, case),
        "can_add_record": case.asset_id is not None and perms.can_add_record(user, case.asset),
    }
