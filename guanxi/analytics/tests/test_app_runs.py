"""Analysis runs over a hand-made transaction table: what gets stored, history, progress,
failures, and the command line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from guanxi.analytics.models import AnalysisRun, CustomerMetrics, Transaction
from guanxi.analytics.services import runs
from guanxi.analytics.tests.app_fixtures import UNTIL

pytestmark = pytest.mark.django_db


def _by_name(run):
    return {m.account.name[:2]: m for m in CustomerMetrics.objects.filter(run=run)
            .select_related("account")}


def test_run_stores_hand_computed_rfm_segments_and_abc(analysed):
    run = analysed.run
    assert run.status == AnalysisRun.Status.DONE and run.is_current
    got = {key: CustomerMetrics.objects.get(run=run, account=account)
           for key, account in analysed.accounts.items()}
    assert {k: m.rfm_code for k, m in got.items()} == {
        "c1": "555", "c2": "443", "c3": "334", "c4": "222", "c5": "111"}
    assert {k: m.segment for k, m in got.items()} == {
        "c1": "champions", "c2": "loyal", "c3": "need_attention", "c4": "hibernating",
        "c5": "lost"}
    assert {k: m.abc_revenue for k, m in got.items()} == {
        "c1": "A", "c2": "A", "c3": "B", "c4": "C", "c5": "C"}
    c1 = got["c1"]
    assert (c1.purchases, c1.frequency, c1.recency_days) == (5, 4, 2)
    assert c1.revenue == Decimal("700.00") and c1.cost == Decimal("490.00")
    assert c1.profit == Decimal("210.00") and c1.monetary == Decimal("140.00")
    assert c1.first_purchase == UNTIL - dt.timedelta(days=300)
    assert c1.last_purchase == UNTIL - dt.timedelta(days=2)
    # Money compounds: what c1 brought in the past is worth more than its plain profit.
    assert c1.historical_value > c1.profit
    # The lapsed single buyer is less likely alive than the champion who bought last week.
    assert got["c1"].p_alive >= got["c4"].p_alive
    assert all(m.clv >= 0 and 0 <= m.churn_risk <= 1 for m in got.values())
    assert abs(got["c4"].churn_risk - (1 - got["c4"].p_alive)) < 1e-9
    assert run.customers == 5 and run.transactions == 15
    assert run.revenue == Decimal("1000.00") and run.profit == Decimal("300.00")
    assert run.equity == sum(m.clv for m in got.values())
    assert run.top20_share == pytest.approx(0.7)
    assert run.repeat_rate == pytest.approx(4 / 5)
    assert {"r", "alpha", "a", "b", "log_likelihood"} <= set(run.fitted["purchase"])
    assert {"p", "q", "gamma"} <= set(run.fitted["spend"])
    assert "pearson" in run.spend_check
    assert run.parameters["until"] == "2026-06-30" and run.parameters["model"] == "bgnbd"


def test_unknown_cost_is_estimated_from_the_default_margin(shop):
    Transaction.objects.filter(account=shop.c5).update(cost=None)
    run = runs.run_now(None, UNTIL)
    c5 = CustomerMetrics.objects.get(run=run, account=shop.c5)
    assert c5.cost == Decimal("7.50") and c5.profit == Decimal("2.50")  # default margin 25%


def test_history_is_kept_and_the_latest_run_is_current(analysed):
    first = analysed.run
    Transaction.objects.create(account=analysed.c5, date=UNTIL, amount=Decimal("900"),
                               cost=Decimal("600"), source="demo")
    second = runs.run_now(None, UNTIL)
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    old = CustomerMetrics.objects.get(run=first, account=analysed.c5)
    new = CustomerMetrics.objects.get(run=second, account=analysed.c5)
    assert (old.purchases, new.purchases) == (1, 2)
    assert old.segment == "lost" and new.recency_days == 0
    assert CustomerMetrics.objects.filter(run=first).count() == 5
    assert CustomerMetrics.objects.filter(run=second).count() == 5


def test_old_runs_beyond_the_kept_number_are_deleted(shop):
    from guanxi.analytics.models import AnalyticsSettings

    AnalyticsSettings.objects.update_or_create(pk=1, defaults={"keep_runs": 2})
    made = [runs.run_now(None, UNTIL) for _ in range(3)]
    assert list(AnalysisRun.objects.order_by("id").values_list("pk", flat=True)) == [
        made[1].pk, made[2].pk]
    assert not CustomerMetrics.objects.filter(run_id=made[0].pk).exists()


def test_progress_is_recorded_stage_by_stage(shop):
    seen = []
    run = runs.run_now(None, UNTIL, say=lambda p, s: seen.append((p, s)))
    percents = [p for p, _s in seen]
    assert percents == sorted(percents) and percents[0] < 50
    assert {s for _p, s in seen} >= {"read", "summary", "fit", "write"}
    assert (run.progress, run.stage) == (100, "done")
    assert run.started_at <= run.finished_at


def test_a_failing_run_records_its_error(org):
    with pytest.raises(ValueError):
        runs.run_now(None, UNTIL)  # no transactions at all
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.FAILED and not run.is_current
    assert "no transactions" in run.error.lower()
    assert run.finished_at is not None


def test_a_second_run_is_refused_while_one_is_under_way(shop):
    from guanxi.core.errors import Conflict, Forbidden

    runs.create_run(shop.org.admin, UNTIL)
    with pytest.raises(Conflict):
        runs.create_run(shop.org.executive, UNTIL)
    with pytest.raises(Forbidden):
        runs.create_run(shop.org.manager, UNTIL)


def test_a_run_whose_process_stopped_renewing_its_lease_no_longer_blocks(shop):
    from guanxi.core.errors import Conflict

    stuck = runs.create_run(shop.org.admin, UNTIL)
    alive = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    AnalysisRun.objects.filter(pk=stuck.pk).update(
        status=AnalysisRun.Status.RUNNING, lease_owner="elsewhere", lease_until=alive)
    with pytest.raises(Conflict):  # its worker is alive: still under way
        runs.create_run(shop.org.admin, UNTIL)
    AnalysisRun.objects.filter(pk=stuck.pk).update(lease_until=alive - dt.timedelta(minutes=1))
    fresh = runs.create_run(shop.org.admin, UNTIL)
    stuck.refresh_from_db()
    assert stuck.status == AnalysisRun.Status.FAILED and "Interrupted" in stuck.error
    assert stuck.finished_at is not None and not stuck.lease_owner
    assert fresh.status == AnalysisRun.Status.QUEUED


def test_a_run_never_picked_up_for_hours_no_longer_blocks(shop):
    stuck = runs.create_run(shop.org.admin, UNTIL)
    AnalysisRun.objects.filter(pk=stuck.pk).update(
        created_at=stuck.created_at - dt.timedelta(hours=7))
    fresh = runs.create_run(shop.org.admin, UNTIL)
    stuck.refresh_from_db()
    assert stuck.status == AnalysisRun.Status.FAILED and "no worker" in stuck.error
    assert fresh.status == AnalysisRun.Status.QUEUED


def test_a_run_handed_over_twice_is_computed_once(shop):
    run = runs.create_run(shop.org.admin, UNTIL)
    assert runs.run_analysis(run.pk).status == AnalysisRun.Status.DONE
    finished = AnalysisRun.objects.get(pk=run.pk).finished_at
    again = runs.run_analysis(run.pk)  # a duplicate task: nothing recomputed
    assert again.status == AnalysisRun.Status.DONE and again.finished_at == finished
    assert CustomerMetrics.objects.filter(run=run).count() == 5
    assert not again.lease_owner and again.lease_until is None


def test_start_run_queues_the_background_task(shop, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.start_run(shop.org.admin, UNTIL)
    finally:
        HUEY.immediate = False
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE and run.customers == 5


def test_command_runs_the_analysis_with_progress_on_stderr(shop):
    out, err = StringIO(), StringIO()
    call_command("analytics", "run", "--until", "2026-06-30", stdout=out, stderr=err)
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.DONE
    assert f"Run #{run.pk}: 5 customers, 15 transactions" in out.getvalue()
    assert "100%" in err.getvalue()


def test_nightly_task_runs_unless_switched_off(shop):
    from guanxi.analytics.models import AnalyticsSettings
    from guanxi.analytics.tasks import nightly_analysis

    AnalyticsSettings.objects.update_or_create(pk=1, defaults={"nightly": False})
    nightly_analysis.call_local()
    assert not AnalysisRun.objects.exists()
    AnalyticsSettings.objects.filter(pk=1).update(nightly=True)
    nightly_analysis.call_local()
    assert AnalysisRun.objects.get().status == AnalysisRun.Status.DONE


def test_the_runs_page_names_models_and_labels_figures(analysed, client):
    from django.urls import reverse

    client.force_login(analysed.org.admin)
    page = client.get(reverse("analytics:runs")).content.decode()
    assert "BG/NBD model" in page and "log-likelihood" in page
    assert "bgnbd ·" not in page and "· LL " not in page
