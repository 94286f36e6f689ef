"""Pages of the knowledge base: search (title, keywords, pinyin, answer text), an article,
writing and editing one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.views import refusals_as_http
from guanxi.service import permissions as perms
from guanxi.service.models import Article
from guanxi.service.selectors import knowledge as sel
from guanxi.service.services import knowledge as svc


@login_required
@refusals_as_http
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    rows = sel.search_articles(request.user, q,
                               category=int(category) if category.isdigit() else None)[:100]
    return render(request, "service/knowledge/list.html", {
        "rows": rows, "q": q, "categories": sel.categories(), "category": category,
        "can_write": perms.can_write_article(request.user)})


@login_required
@refusals_as_http
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = sel.get_article(request.user, pk)
    return render(request, "service/knowledge/detail.html", {
        "article": article, "can_edit": perms.can_write_article(request.user, article)})


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    language = forms.ChoiceField(label=gettext_lazy("Language"),
                                 choices=Article.Language.choices)
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), required=False,
                                      queryset=sel.categories())
    keywords = forms.CharField(label=gettext_lazy("Keywords"), required=False,
                               max_length=200)
    visibility = forms.ChoiceField(label=gettext_lazy("Visibility"),
                                   choices=Article.Visibility.choices)
    body = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea(
        attrs={"rows": 10}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def values(self) -> svc.ArticleInput:
        data: dict[str, Any] = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return svc.ArticleInput(**data)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = sel.get_article(request.user, pk) if pk else None
    if not perms.can_write_article(request.user, article):
        raise PermissionDenied(_("You may not change this article."))
    initial = {}
    if article is not None:
        initial = {"title": article.title, "language": article.language,
                   "category": article.category_id, "keywords": article.keywords,
                   "visibility": article.visibility, "body": article.body,
                   "version": article.version}
    form = ArticleForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if article is None:
                article = svc.create_article(request.user, form.values())
            else:
                svc.update_article(request.user, article, form.values(),
                                   form.cleaned_data.get("version"))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return done(request, reverse("service:article", args=[article.pk]))
    return render(request, "service/form.html", {
        "base": page_template(request), "form": form, "action": request.path,
        "cancel": reverse("service:articles"),
        "title": _("Edit article") if article else _("Write an article"), "submit": _("Save")})
