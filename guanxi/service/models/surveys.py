"""Satisfaction surveys: one per resolved case, answered once through a signed link that needs
no login (CSAT 1–5, NPS 0–10, a comment); and the knowledge-base articles agents link to
cases."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    case = models.OneToOneField("service.Case", on_delete=models.CASCADE,
                                related_name="survey", verbose_name=_("case"))
    # Snapshots of the case when it was resolved, so trends per product, team and agent read
    # one table.
    account = models.ForeignKey("customers.Account", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("customer"))
    product = models.ForeignKey("orders.Product", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("product"))
    team = models.ForeignKey("service.ServiceTeam", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("team"))
    agent = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("agent"))
    email = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    nps = models.PositiveSmallIntegerField(
        _("likelihood to recommend (0–10)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True)
    follow_up = models.ForeignKey("sales.Task", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+",
                                  verbose_name=_("follow-up task"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["answered_at"], name="svc_survey_answered",
                                condition=Q(answered_at__isnull=False))]
        constraints = [
            models.CheckConstraint(condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                                   name="svc_survey_csat_range"),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10),
                                   name="svc_survey_nps_range"),
        ]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.csat}/{self.nps}"

    @property
    def is_detractor(self) -> bool:
        return (self.nps is not None and self.nps <= 6) or (
            self.csat is not None and self.csat <= 2)


class ArticleLink(models.Model):
    """An agent answered a case with a knowledge-base article."""

    case = models.ForeignKey("service.Case", on_delete=models.CASCADE,
                             related_name="article_links")
    article = models.ForeignKey("service.Article", on_delete=models.CASCADE,
                                related_name="case_links")
    linked_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-linked_at"]
        constraints = [models.UniqueConstraint(fields=["case", "article"],
                                               name="svc_article_link_once")]
        verbose_name = _("article link")
        verbose_name_plural = _("article links")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.article_id}"
