"""Background work of the data-in-and-out app."""

from contextlib import suppress

from guanxi.core.leases import LeaseTaken
from guanxi.core.tasks import background, crontab, periodic


@background()
def run_import(job_id: int) -> None:
    """Run or resume an import job (see ``services.imports.run``)."""
    from guanxi.integrations.services.imports import run

    with suppress(LeaseTaken):  # handed over twice: the other worker runs it
        run(job_id)


@periodic(crontab(minute="*"))
def take_over_interrupted_imports() -> list[int]:
    """Resume, within a minute or two, the imports whose process died mid-run."""
    from guanxi.integrations.services.imports import take_over_interrupted

    return take_over_interrupted()


@background()
def read_import(job_id: int) -> None:
    """Read an uploaded import file (see ``services.imports.read``)."""
    from guanxi.integrations.services.imports import read

    read(job_id)


@periodic(crontab(hour="3", minute="40"))
def sweep_import_files() -> None:
    """Nightly: remove the files of failed and abandoned imports and orphan uploads."""
    from guanxi.integrations.services.imports import sweep_files

    sweep_files()
