"""Knowledge-base articles: written by service agents in Chinese or English, internal until
published (the portal shows published ones). Each keeps a search text with the pinyin of its
title and keywords, so "bianyaqi" and "byq" find 变压器."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.audit import diff
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import save_versioned
from guanxi.core.normalize import fold, has_han, pinyin_full, pinyin_initials
from guanxi.service import permissions as perms
from guanxi.service.models import Article, ArticleCategory


@dataclass(frozen=True)
class ArticleInput(Input):
    title: str | None = UNSET
    body: str | None = UNSET
    language: str | None = UNSET
    category: Any = UNSET
    visibility: str | None = UNSET
    keywords: str | None = UNSET


def search_text(title: str, keywords: str) -> str:
    """What article search matches: folded title and keywords, and for Chinese ones the full
    pinyin and the initials of each."""
    parts = [fold(title), fold(keywords)]
    for text in (title, *keywords.replace("，", ",").split(",")):
        if has_han(text):
            parts += [pinyin_full(text), pinyin_initials(text)]
    return " ".join(p for p in parts if p)


def _clean(values: dict[str, Any], creating: bool) -> dict[str, Any]:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors: dict[str, list[str]] = {}
    for key in ("title", "body"):
        if (creating or key in out) and not out.get(key):
            errors[key] = [_("This field is required.")]
    if "language" in out and out["language"] not in Article.Language.values:
        errors["language"] = [_("Choose one of the offered values.")]
    if "visibility" in out and out["visibility"] not in Article.Visibility.values:
        errors["visibility"] = [_("Choose one of the offered values.")]
    if errors:
        raise FieldErrors(errors)
    return out


def create_article(actor: User, values: ArticleInput) -> Article:
    if not perms.can_write_article(actor):
        raise Forbidden(_("You may not write knowledge-base articles."))
    cleaned = _clean(values.given(), True)
    with transaction.atomic():
        article = Article(author=actor, **cleaned)
        article.search_text = search_text(article.title, article.keywords)
        article.save()
        audit.log(actor, "service.article.created", article,
                  changes=diff({}, {k: v for k, v in cleaned.items() if k != "body"}))
    return article


def update_article(actor: User, article: Article, values: ArticleInput,
                   version: int | None) -> Article:
    if not perms.can_write_article(actor, article):
        raise Forbidden(_("Only its author or an administrator changes a published "
                          "article."))
    cleaned = _clean(values.given(), False)
    before = {k: getattr(article, k) for k in cleaned}
    title = cleaned.get("title", article.title)
    keywords = cleaned.get("keywords", article.keywords)
    with transaction.atomic():
        save_versioned(article, version, {**cleaned, "search_text": search_text(title,
                                                                                keywords)})
        audit.log(actor, "service.article.updated", article,
                  changes=diff(before, {k: v for k, v in cleaned.items() if k != "body"}))
    return article


def create_category(actor: User, name_en: str, name_zh: str = "") -> ArticleCategory:
    if not perms.can_write_article(actor):
        raise Forbidden(_("You may not write knowledge-base articles."))
    if not (name_en or "").strip():
        raise FieldErrors({"name_en": [_("This field is required.")]})
    return ArticleCategory.objects.create(name_en=name_en.strip(), name_zh=name_zh.strip())
