"""Background work of the data-in-and-out app."""

from guanxi.core.tasks import background


@background()
def run_import(job_id: int) -> None:
    """Run or resume an import job (see ``services.imports.run``)."""
    from guanxi.integrations.services.imports import run

    run(job_id)
