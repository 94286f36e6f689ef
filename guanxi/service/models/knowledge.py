"""The knowledge base: answers for agents (internal) and, once published, for the portal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BilingualLabel, Versioned

User = settings.AUTH_USER_MODEL


class ArticleCategory(BilingualLabel):
    class Meta:
        ordering = ["name_en"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return self.label


class Article(Versioned):
    class Language(models.TextChoices):
        ZH = "zh-hans", _("Chinese")
        EN = "en", _("English")

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal (agents only)")
        PUBLISHED = "published", _("Published (customers too)")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("answer"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices,
                                default=Language.ZH)
    category = models.ForeignKey(ArticleCategory, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="articles",
                                 verbose_name=_("category"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.INTERNAL)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # Folded title and keywords with their pinyin (full and initials): "bianyaqi", "byq".
    search_text = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["visibility", "language"], name="svc_article_vis")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title
