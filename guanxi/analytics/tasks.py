"""Background and nightly analytics runs."""

from guanxi.analytics.models import AnalysisRun, AnalyticsSettings
from guanxi.analytics.services import runs
from guanxi.core.tasks import background, crontab, periodic


@background()
def run_analysis_task(run_id: int) -> None:
    runs.run_analysis(run_id)


@periodic(crontab(minute="*"))
def fail_interrupted_runs() -> int:
    """Within a minute or two, a run whose process died stops showing as running."""
    return runs.reap_interrupted()


@periodic(crontab(minute="40", hour="2"))
def nightly_analysis() -> int | None:
    """Every night, unless switched off or a run is already under way."""
    runs.reap_interrupted()
    if not AnalyticsSettings.current().nightly or AnalysisRun.objects.filter(
            status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]).exists():
        return None
    return runs.run_now(None).pk
