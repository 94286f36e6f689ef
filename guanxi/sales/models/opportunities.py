"""Opportunities on configurable pipelines, the people selling each one as a team, and a row
per stage change (the funnel, conversion and cycle-length figures are computed from those)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BilingualLabel, Versioned
from guanxi.customers.models import Source
from guanxi.sales.models.leads import Timeframe

User = settings.AUTH_USER_MODEL


class Pipeline(BilingualLabel, Versioned):
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.label


class Stage(BilingualLabel, Versioned):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, validators=[MaxValueValidator(100)])
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.OPEN)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "key"], name="unique_stage_key")
        ]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.label

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN


class LossReason(models.TextChoices):
    PRICE = "price", _("Price too high")
    COMPETITOR = "competitor", _("Lost to a competitor")
    NO_BUDGET = "no_budget", _("No budget")
    NO_DECISION = "no_decision", _("No decision / postponed")
    PRODUCT_FIT = "product_fit", _("Product does not fit")
    DELIVERY = "delivery", _("Delivery time")
    RELATIONSHIP = "relationship", _("Relationship")
    TENDER = "tender", _("Tender not won")
    OTHER = "other", _("Other")


class OpportunityQuerySet(models.QuerySet):
    def visible_to(self, user) -> OpportunityQuerySet:
        """Opportunities ``user`` may see (the rule lives in
        ``selectors.opportunities.opportunity_scope``)."""
        from guanxi.sales.selectors.opportunities import opportunity_scope

        qs = self.filter(is_active=True)
        scope = opportunity_scope(user)
        return qs if scope is None else qs.filter(scope)


class Opportunity(Versioned):
    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE,
                                related_name="opportunities", verbose_name=_("customer"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="opportunities",
                                verbose_name=_("contact"))
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT,
                                 related_name="opportunities", verbose_name=_("pipeline"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities",
                              verbose_name=_("stage"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, validators=[MaxValueValidator(100)],
        help_text=_("Set from the stage; the owner may adjust it."))
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.MANUAL)
    timeframe = models.CharField(_("purchase timeframe"), max_length=10,
                                 choices=Timeframe.choices, blank=True)
    lead = models.ForeignKey("sales.Lead", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="opportunities", verbose_name=_("lead"))
    competitors = models.CharField(_("competitors"), max_length=300, blank=True)
    description = models.TextField(_("notes"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)

    # Team selling: each of these sees the opportunity in their own work list.
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_opportunities", verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="opportunities", verbose_name=_("team"))
    finder = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="found_opportunities",
                               verbose_name=_("opportunity finder"))
    delivery_owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="delivered_opportunities",
                                       verbose_name=_("delivery owner"))
    collection_owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="collected_opportunities",
                                         verbose_name=_("collection owner"))

    loss_reason = models.CharField(_("loss reason"), max_length=20,
                                   choices=LossReason.choices, blank=True)
    loss_note = models.CharField(_("loss details"), max_length=300, blank=True)
    stage_changed_at = models.DateTimeField(_("in stage since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The kanban board and forecast read open opportunities per stage and per owner.
            models.Index(fields=["stage", "-updated_at", "-id"], name="opp_stage",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["owner", "stage", "-updated_at"], name="opp_owner_stage",
                         condition=models.Q(is_active=True)),
            models.Index(fields=["team", "stage", "-updated_at"], name="opp_team_stage",
                         condition=models.Q(is_active=True)),
            # Board totals (count and amount per stage) for those who see every opportunity:
            # read from this index alone, not from the table.
            models.Index(fields=["pipeline", "stage", "closed_at", "amount"],
                         name="opp_board_totals", condition=models.Q(is_active=True)),
            models.Index(fields=["expected_close"], name="opp_close"),
            models.Index(fields=["account", "-updated_at"], name="opp_account"),
        ]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / Decimal(100)).quantize(Decimal("0.01"))


class OpportunityMember(models.Model):
    """A supporting member of the selling team (engineer, specialist, colleague)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="opportunity_roles")
    role = models.CharField(_("role"), max_length=60, blank=True,
                            help_text=_("What they do on this deal, e.g. technical support."))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="unique_opp_member")
        ]
        verbose_name = _("supporting member")
        verbose_name_plural = _("supporting members")

    def __str__(self) -> str:
        return f"{self.user} · {self.opportunity}"


class StageChange(models.Model):
    """One move of an opportunity between stages (``from_stage`` empty when it was created)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(db_index=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["opportunity", "at"], name="stagechange_opp"),
                   models.Index(fields=["to_stage", "at"], name="stagechange_to")]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"
