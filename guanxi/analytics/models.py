"""Customer analytics data: the transactions the models learn from, one row per analysis run,
the metrics each run computed for each customer (history kept per run), and the parameters.

"Latest" metrics are the rows of the run flagged ``is_current``: a run writes all its rows
first and then moves the flag in one short transaction, so readers never see half a run and
no million-row UPDATE is needed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Leased, Versioned
from guanxi.customers.models import Account


class Transaction(models.Model):
    """One purchase (or payment received) of a customer: what the value models learn from."""

    class Source(models.TextChoices):
        ORDER = "order", _("Order")
        PAYMENT = "payment", _("Payment")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Demo")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="transactions",
                                db_index=False, verbose_name=_("customer"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("cost of goods"), max_digits=14, decimal_places=2, null=True,
                               blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # The id in the system it came from: importing the same file twice adds nothing.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        indexes = [
            # A customer's purchases in date order (360° page, revenue trend of one customer).
            models.Index(fields=["account", "date"], name="txn_account_date"),
            # Monthly revenue trend and "until" cut-offs read by date.
            models.Index(fields=["date"], name="txn_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="txn_external_unique",
                                    condition=~models.Q(external_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date} {self.amount}"


class AnalysisRun(Leased):
    """One computation of every customer's metrics, with what it was given and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    is_current = models.BooleanField(default=False, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    until = models.DateField(_("data until"), null=True, blank=True)

    # What it was given: horizon, margin, discount rate, model, segment map, …
    parameters = models.JSONField(_("parameters"), default=dict)
    # Fitted model parameters, log-likelihoods, and the spend/frequency independence check.
    fitted = models.JSONField(_("fitted models"), default=dict)
    spend_check = models.JSONField(_("spend/frequency check"), default=dict)
    # Figures of the whole customer base; the KPIs also as columns for trends over runs.
    summary = models.JSONField(_("summary"), default=dict)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    transactions = models.PositiveBigIntegerField(_("transactions"), default=0)
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2,
                                  default=Decimal("0"))
    profit = models.DecimalField(_("profit"), max_digits=18, decimal_places=2,
                                 default=Decimal("0"))
    equity = models.DecimalField(_("customer equity"), max_digits=18, decimal_places=2,
                                 default=Decimal("0"))
    # xgettext:no-python-format
    top20_share = models.FloatField(_("top 20% revenue share"), null=True, blank=True)
    retention_rate = models.FloatField(_("retention rate"), null=True, blank=True)
    repeat_rate = models.FloatField(_("repeat-purchase rate"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True),
                                    name="run_one_current"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class CustomerMetrics(models.Model):
    """What one run computed for one customer. Money in the account's currency."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="metrics",
                            db_index=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="metrics",
                                db_index=False, verbose_name=_("customer"))
    # RFM: days since the last purchase, repeat purchases, average spend per purchase.
    recency_days = models.PositiveIntegerField(_("days since last purchase"))
    frequency = models.PositiveIntegerField(_("repeat purchases"))
    purchases = models.PositiveIntegerField(_("purchases"))
    monetary = models.DecimalField(_("average purchase"), max_digits=14, decimal_places=2)
    first_purchase = models.DateField(_("first purchase"))
    last_purchase = models.DateField(_("last purchase"))
    r_score = models.PositiveSmallIntegerField("R")
    f_score = models.PositiveSmallIntegerField("F")
    m_score = models.PositiveSmallIntegerField("M")
    rfm_code = models.CharField(_("RFM code"), max_length=3)
    segment = models.CharField(_("segment"), max_length=24)
    abc_revenue = models.CharField(_("ABC class by revenue"), max_length=1)
    abc_profit = models.CharField(_("ABC class by profit"), max_length=1)
    # Profitability to date: revenue − cost of goods − expenses where known.
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2)
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2)
    profit = models.DecimalField(_("profit"), max_digits=16, decimal_places=2)
    historical_value = models.DecimalField(_("historical value"), max_digits=16,
                                           decimal_places=2)
    # Predictive lifetime value: purchases × spend × margin, discounted.
    expected_purchases = models.FloatField(_("expected purchases"))
    p_alive = models.FloatField(_("probability active"))
    expected_spend = models.DecimalField(_("expected spend"), max_digits=14, decimal_places=2)
    clv = models.DecimalField(_("lifetime value"), max_digits=16, decimal_places=2)
    churn_risk = models.FloatField(_("churn risk"))
    cluster = models.PositiveSmallIntegerField(_("cluster"))
    cluster_label = models.CharField(_("cluster"), max_length=100)
    value_type = models.CharField(_("value type"), max_length=20)
    lifecycle = models.CharField(_("lifecycle stage"), max_length=12)

    class Meta:
        verbose_name = _("customer metrics")
        verbose_name_plural = _("customer metrics")
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="metrics_run_account"),
        ]
        indexes = [
            # Filters and rankings read one run: by segment, and by lifetime value.
            models.Index(fields=["run", "segment"], name="metrics_run_segment"),
            models.Index(fields=["run", "-clv", "account"], name="metrics_run_clv"),
            models.Index(fields=["account"], name="metrics_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ run {self.run_id}"


class AnalyticsSettings(Versioned):
    """The parameters of the analysis; one row, edited by administrators."""

    class Model(models.TextChoices):
        BGNBD = "bgnbd", _("BG/NBD")
        PARETONBD = "paretonbd", _("Pareto/NBD")

    model = models.CharField(_("purchase model"), max_length=10, choices=Model.choices,
                             default=Model.BGNBD)
    horizon_months = models.PositiveSmallIntegerField(
        _("lifetime value horizon (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)])
    discount_rate = models.DecimalField(
        _("annual discount rate"), max_digits=5, decimal_places=4, default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    margin = models.DecimalField(
        _("default margin"), max_digits=5, decimal_places=4, default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Used for customers whose cost of goods is not recorded."))
    clusters = models.PositiveSmallIntegerField(
        _("clusters"), default=4, validators=[MinValueValidator(2), MaxValueValidator(12)])
    active_days = models.PositiveIntegerField(
        _("retention window (days)"), default=365, validators=[MinValueValidator(7)],
        help_text=_("A customer who bought within this many days counts as retained."))
    segment_map = models.JSONField(
        _("segment map"), default=dict, blank=True,
        help_text=_("RFM code patterns to segment names; empty uses the standard map."))
    keep_runs = models.PositiveSmallIntegerField(
        _("runs to keep"), default=30, validators=[MinValueValidator(2)],
        help_text=_("Older runs are deleted with their metrics after each run."))
    nightly = models.BooleanField(_("run every night"), default=True)

    class Meta:
        verbose_name = _("analytics settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> AnalyticsSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ProductRule(models.Model):
    """A cross-sell rule of one run: of the customers who bought ``antecedent``, the share
    ``confidence`` also bought ``consequent`` (``lift`` times more often than customers at
    large). Mined from the sales orders' lines in the analysis run."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="rules",
                            db_index=False)
    antecedent = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+",
                                   db_index=False, verbose_name=_("bought"))
    consequent = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+",
                                   db_index=False, verbose_name=_("also bought"))
    customers = models.PositiveIntegerField(_("customers who bought both"))
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))

    class Meta:
        verbose_name = _("cross-sell rule")
        verbose_name_plural = _("cross-sell rules")
        indexes = [models.Index(fields=["run", "antecedent", "-confidence"],
                                name="rule_run_antecedent")]

    def __str__(self) -> str:
        return f"{self.antecedent_id} → {self.consequent_id} ({self.confidence:.0%})"


class Recommendation(models.Model):
    """A product one customer has not bought but customers like them did, from one run:
    ``because`` they bought that product, ``confidence`` of whose buyers bought this one."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="recommendations",
                            db_index=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+",
                                db_index=False, verbose_name=_("customer"))
    product = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+",
                                db_index=False, verbose_name=_("product"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    because = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+",
                                db_index=False, verbose_name=_("because they bought"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["run", "account", "rank"], name="rec_run_account"),
        ]
        indexes = [
            # "Customers to offer product X" (the customer-list filter) reads one run by product.
            models.Index(fields=["run", "product"], name="rec_run_product"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.product_id} #{self.rank}"
