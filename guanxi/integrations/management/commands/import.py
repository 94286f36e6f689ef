"""``guanxi import KIND FILE``: import a CSV or XLSX file from the command line, with the same
rules, counts and rejected-rows file as the import pages; ``--resume JOB`` continues a stopped
run after its last committed batch."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.accounts.models import User
from guanxi.accounts.selectors import administrators
from guanxi.core.errors import DomainError
from guanxi.integrations.models import ImportJob
from guanxi.integrations.services import imports


class Command(BaseCommand):
    help = "Import customers, contacts or transactions from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", help="customers, contacts or transactions")
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--mapping", help="a saved mapping template's name, or a JSON "
                            'object {"column header": "field"}')
        parser.add_argument("--dry-run", action="store_true",
                            help="validate every row and print the counts; keep nothing")
        parser.add_argument("--update-existing", action="store_true",
                            help="update records already in Guanxi instead of skipping them")
        parser.add_argument("--create-anyway", action="store_true",
                            help="create likely duplicates too (never a second registration id)")
        parser.add_argument("--user", help="import as this user (default: the first "
                            "administrator); records belong to them")
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument("--resume", type=int, metavar="JOB_ID",
                            help="continue this stopped or failed import")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, kind: str | None, file: str | None, mapping: str | None,
               dry_run: bool, update_existing: bool, create_anyway: bool, user: str | None,
               batch_size: int, resume: int | None, json: bool, **options) -> None:
        try:
            if resume is not None:
                job = ImportJob.objects.filter(pk=resume).first()
                if job is None:
                    raise CommandError(f"No import job {resume}.")
                actor = self._user(user) if user else job.created_by
                imports.resume(actor, job, enqueue=False)
                self._report(imports.run(job.pk), json)
                return
            if not kind or not file:
                raise CommandError("Give the kind and the file: guanxi import customers "
                                   "customers.csv")
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"No such file: {file}")
            actor = self._user(user)
            policy = "update" if update_existing else "create" if create_anyway else "skip"
            job = self._upload(actor, kind, path, policy, mapping)
            if batch_size != job.batch_size:
                job.batch_size = max(1, batch_size)
                job.save(update_fields=["batch_size"])
            if dry_run:
                counts = imports.dry_run(actor, job)
                imports.files.delete(job.file_name)
                job.delete()
                self._print({"dry_run": True, **counts}, json)
                return
            imports.confirm(actor, job, job.version, enqueue=False)
            self._report(imports.run(job.pk), json)
        except DomainError as exc:
            raise CommandError(_message(exc)) from exc

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        user = administrators().first()
        if user is None:
            raise CommandError("No administrator to import as; name one with --user.")
        return user

    def _upload(self, actor: User, kind: str, path: Path, policy: str,
                mapping: str | None) -> ImportJob:
        template = None
        if mapping and not mapping.lstrip().startswith("{"):
            template = imports.templates_for(actor, kind).filter(name=mapping).first()
            if template is None:
                raise CommandError(f"No mapping template {mapping!r} for {kind}.")
        with path.open("rb") as f:
            job = imports.create_job(actor, kind, iter(lambda: f.read(1 << 20), b""), path.name,
                                     policy=policy, template=template, enqueue=False,
                                     any_size=True)
        job = imports.read(job.pk)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error)
        if mapping and template is None:
            try:
                by_header = json.loads(mapping)
            except ValueError as exc:
                raise CommandError(f"--mapping is not JSON: {exc}") from exc
            columns = {h: str(i) for i, h in enumerate(job.headers)}
            unknown = [h for h in by_header if h not in columns]
            if unknown:
                raise CommandError(f"Not columns of the file: {', '.join(unknown)}")
            imports.set_mapping(actor, job, {columns[h]: f for h, f in by_header.items()},
                                job.version)
        else:
            imports.clean_mapping(imports.get_kind(kind), job.headers, job.mapping)
        return job

    def _report(self, job: ImportJob, as_json: bool) -> None:
        result = {"job": job.pk, "status": job.status, "rows": job.total,
                  "imported": job.imported, "updated": job.updated, "skipped": job.skipped,
                  "rejected": job.rejected}
        if job.rejected:
            result["rejected_file"] = self._rejected_file(job)
        if job.status != ImportJob.Status.DONE:
            result["error"] = job.error
        self._print(result, as_json)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"Import {job.pk} stopped: {job.error}. Fix the cause and run "
                               f"guanxi import --resume {job.pk}")

    def _rejected_file(self, job: ImportJob) -> str:
        name = f"{imports.files.FOLDER}/{imports.rejected_file_name(job)}"
        default_storage.delete(name)
        content = "".join(imports.rejected_csv(job)).encode()
        name = default_storage.save(name, ContentFile(content))
        try:
            return default_storage.path(name)
        except NotImplementedError:  # a remote storage: its name there
            return name

    def _print(self, result: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for key, value in result.items():
            self.stdout.write(f"{key:>14}: {value}")


def _message(exc: DomainError) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in errors.items())
    return exc.message
