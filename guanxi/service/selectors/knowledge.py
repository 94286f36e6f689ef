"""Reads of the knowledge base: internal articles for those who may read them, published ones
for everyone signed in; search by title, keywords or their pinyin."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.normalize import fold
from guanxi.service import permissions as perms
from guanxi.service.models import Article, ArticleCategory


def visible_articles(user: User) -> QuerySet[Article]:
    qs = Article.objects.select_related("category", "author")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.has_role(*perms.KNOWLEDGE_READERS):
        return qs
    return qs.filter(visibility=Article.Visibility.PUBLISHED)


def published_articles() -> QuerySet[Article]:
    """What a customer (the portal) may read."""
    return Article.objects.filter(visibility=Article.Visibility.PUBLISHED).select_related(
        "category")


def get_article(user: User, pk: Any) -> Article:
    return get_visible(visible_articles(user), pk=pk)


def search_articles(user: User, q: str = "", *, category: int | None = None,
                    language: str = "", visibility: str = "") -> QuerySet[Article]:
    """Every word of ``q`` in the title, keywords, their pinyin (full or initials) or the
    answer."""
    qs = visible_articles(user)
    for word in fold(q).split():
        qs = qs.filter(Q(search_text__contains=word) | Q(body__icontains=word))
    if category:
        qs = qs.filter(category_id=category)
    if language:
        qs = qs.filter(language=language)
    if visibility:
        qs = qs.filter(visibility=visibility)
    return qs


def categories() -> QuerySet[ArticleCategory]:
    return ArticleCategory.objects.all()
