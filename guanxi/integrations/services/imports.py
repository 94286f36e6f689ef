"""Import jobs: upload → mapping → preview → confirm → run in batches → result.

**Nothing is lost.** Every data row of the file ends as imported, updated, skipped (already in
Guanxi, under the "skip" policy) or rejected (with its reason, kept with the row as read):
``imported + updated + skipped + rejected == rows`` is checked at the end of every run.

**Resumable.** Rows are taken in file order in batches of ``batch_size``. A batch's records,
its rejected rows, one audit entry and the job's counters and ``last_batch`` are committed in
one transaction; the commit is conditional on ``last_batch`` still being the previous batch,
so two runners never both write a batch. A run stopped at any point (even ``kill -9``) resumes
after the last committed batch.

**Idempotent.** Records are found again by their natural keys (registration id, phone, e-mail,
normalised name; an external id for transactions), so importing the same file twice creates
nothing new: the second run skips (or updates) what the first created.

Duplicates inside the file are decided from the file alone — a row sharing a key with an
earlier valid row is a duplicate of that row — so a resumed run decides exactly as an
uninterrupted one (on resume the committed rows are read and cleaned again, not written).
The keys seen are kept as 64-bit hashes to hold a million-row file in memory; a collision
(odds about one in a million for ten million keys) would report a row as a duplicate, never
lose it.

**Speed.** Customers are cleaned with the customer services' own rules but written in bulk
(``imports_customers``): one audit entry per batch lists every customer it created and every
change it made, instead of one entry per record.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.core import audit, leases
from guanxi.core.access import get_visible
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.integrations.models import ImportJob, ImportRejection, MappingTemplate
from guanxi.integrations.services import imports_files as files
from guanxi.integrations.services.exports import neutralise
from guanxi.integrations.services.imports_kinds import (
    Item,
    Kind,
    RowError,
    apply_template,
    get_kind,
    kinds,
    row_values,
    suggest_mapping,
)
from guanxi.integrations.services.imports_write import publish_tokens

S = ImportJob.Status
PREVIEW_ROWS = 20
PARALLEL_FROM = 20_000  # rows from which cleaning runs in worker processes
# Rows per batch (one transaction each) of a file that big: fewer, larger writes and lookups.
BIG_BATCH = 5_000
# Test and demo hook: seconds to wait after each committed batch (to stop a run midway).
PAUSE_ENV = "GUANXI_IMPORT_BATCH_PAUSE"


class JobTaken(Exception):
    """Another runner committed this batch first."""


# --- who may see and do what -----------------------------------------------------------------

def visible_jobs(user: User) -> QuerySet[ImportJob]:
    """Administrators see every import; everyone else their own."""
    if not user.is_authenticated or not user.is_active:
        return ImportJob.objects.none()
    qs = ImportJob.objects.select_related("created_by")
    return qs if user.has_role(Role.ADMIN) else qs.filter(created_by=user)


def get_job(user: User, pk: Any) -> ImportJob:
    return get_visible(visible_jobs(user), pk=pk)


def importable_kinds(user: User) -> list[Kind]:
    return [k for k in kinds() if k.allowed(user)]


def _kind(user: User, key: str) -> Kind:
    kind = get_kind(key)
    if kind is None:
        raise FieldErrors({"kind": [_("Choose what the file holds.")]})
    if not kind.allowed(user):
        raise Forbidden(_("Your role cannot import %(kind)s.") % {"kind": str(kind.label).lower()})
    return kind


def _own(user: User, job: ImportJob) -> None:
    if job.created_by_id != user.pk:
        raise Forbidden(_("Only the person who uploaded the file can change or run this "
                          "import."))


# --- upload, mapping, preview, confirm ---------------------------------------------------------

def create_job(actor: User, kind_key: str, chunks: Iterable[bytes], original_name: str,
               policy: str = ImportJob.Policy.SKIP, template: MappingTemplate | None = None,
               *, enqueue: bool = True, any_size: bool = False) -> ImportJob:
    """Store the upload (size and type checked, nothing parsed) and queue its reading: the
    job is "reading" until the worker has detected the encoding, delimiter and header,
    counted the rows and suggested a column mapping (see ``read``). ``any_size``: a file
    the operator gives on the command line."""
    kind = _kind(actor, kind_key)
    if policy not in ImportJob.Policy.values:
        raise FieldErrors({"policy": [_("Choose skip, update or create.")]})
    stored = files.store_upload(iter(chunks), original_name, any_size=any_size)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind.key, file_name=stored.file_name, original_name=original_name[:255],
                file_format=stored.file_format, checksum=stored.checksum, size=stored.size,
                policy=policy, status=S.READING, created_by=actor,
                template=template if template is not None and template.kind == kind.key
                else None)
            audit.log(actor, "integrations.import.created", job,
                      data={"kind": kind.key, "file": job.original_name, "size": job.size,
                            "checksum": job.checksum})
    except BaseException:
        files.delete(stored.file_name)
        raise
    if enqueue:
        from guanxi.core.tasks import later
        from guanxi.integrations.tasks import read_import

        later(read_import, job.pk)
    return job


def read(job_id: int) -> ImportJob:
    """The worker's part of an upload: read the whole file once (encoding, delimiter, header,
    row count, within the limits) and suggest a mapping. A file that cannot be read fails the
    job with the reason, and is removed."""
    job = ImportJob.objects.select_related("template").get(pk=job_id)
    if job.status != S.READING:
        return job
    try:
        kind = get_kind(job.kind)
        if kind is None:
            raise DomainError(_("This kind of import no longer exists."))
        encoding, delimiter, headers, total = files.outline(job.file_name, job.file_format)
    except Exception as exc:
        message = exc.message if isinstance(exc, DomainError) else _("The file could not be "
                                                                      "read.")
        files.delete(job.file_name)
        ImportJob.objects.filter(pk=job.pk, status=S.READING).update(
            status=S.FAILED, error=message[:2000], finished_at=timezone.now(),
            version=F("version") + 1)
        job.refresh_from_db()
        if not isinstance(exc, DomainError):
            raise
        return job
    if job.template is not None:
        mapping = apply_template(kind, headers, job.template.mapping)
    else:
        mapping = suggest_mapping(kind, headers)
    batch_size = max(job.batch_size, BIG_BATCH) if total >= PARALLEL_FROM else job.batch_size
    ImportJob.objects.filter(pk=job.pk, status=S.READING).update(
        encoding=encoding, delimiter=delimiter, headers=headers, mapping=mapping, total=total,
        batch_size=batch_size, status=S.DRAFT, version=F("version") + 1,
        updated_at=timezone.now())
    job.refresh_from_db()
    audit.log(job.created_by, "integrations.import.read", job,
              data={"rows": job.total, "encoding": encoding, "headers": len(headers)})
    return job


def _read_first(job: ImportJob, field: str) -> None:
    if job.status == S.READING:
        raise Conflict(_("The file is still being read; try again in a moment."), field=field,
                       code="reading")


def clean_mapping(kind: Kind, headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    keys = {t.key for t in kind.targets}
    out: dict[str, str] = {}
    errors: list[str] = []
    for index, field in mapping.items():
        if not field:
            continue
        if not str(index).isdigit() or int(index) >= len(headers):
            errors.append(_("Column %(n)s is not in the file.") % {"n": index})
        elif field not in keys:
            errors.append(_("“%(field)s” is not a field of this import.") % {"field": field})
        elif field in out.values():
            errors.append(_("Two columns are mapped to “%(field)s”.") % {"field": field})
        else:
            out[str(index)] = field
    missing = [str(t.label) for t in kind.targets if t.required and t.key not in out.values()
               and not _alternative_mapped(kind, t.key, out)]
    if missing:
        errors.append(_("Map a column to: %(fields)s.") % {"fields": ", ".join(missing)})
    if errors:
        raise FieldErrors({"mapping": errors})
    return out


def _alternative_mapped(kind: Kind, key: str, mapping: dict[str, str]) -> bool:
    """A customer may be named by its registration id instead of its name."""
    return key == "customer" and "customer_registration_id" in mapping.values()


def set_mapping(actor: User, job: ImportJob, mapping: dict[str, str], version: int,
                policy: str | None = None) -> ImportJob:
    _own(actor, job)
    _read_first(job, "mapping")
    if job.status not in (S.DRAFT, S.PREVIEWED):
        raise Conflict(_("This import has started; its mapping can no longer change."),
                       field="mapping", code="started")
    kind = _kind(actor, job.kind)
    changes: dict[str, Any] = {"mapping": clean_mapping(kind, job.headers, mapping),
                               "status": S.DRAFT}
    if policy is not None:
        if policy not in ImportJob.Policy.values:
            raise FieldErrors({"policy": [_("Choose skip, update or create.")]})
        changes["policy"] = policy
    save_versioned(job, version, changes)
    return job


def save_template(actor: User, job: ImportJob, name: str) -> MappingTemplate:
    name = (name or "").strip()[:100]
    if not name:
        raise FieldErrors({"template_name": [_("Name the template.")]})
    mapping = {job.headers[int(i)]: f for i, f in job.mapping.items()}
    template, _created = MappingTemplate.objects.update_or_create(
        created_by=actor, kind=job.kind, name=name, defaults={"mapping": mapping})
    return template


def templates_for(user: User, kind: str | None = None) -> QuerySet[MappingTemplate]:
    qs = MappingTemplate.objects.filter(created_by=user)
    return qs.filter(kind=kind) if kind else qs


def previous_run(job: ImportJob) -> ImportJob | None:
    """An earlier finished import of the very same file, kind and mapping."""
    return (ImportJob.objects.filter(checksum=job.checksum, kind=job.kind, mapping=job.mapping,
                                     status=S.DONE).exclude(pk=job.pk).order_by("-id").first())


def preview(actor: User, job: ImportJob, limit: int = PREVIEW_ROWS) -> list[Item]:
    """The first ``limit`` rows as they would be imported now (written, then rolled back)."""
    _own(actor, job)
    _read_first(job, "status")
    if job.status not in (S.DRAFT, S.PREVIEWED):
        raise Conflict(_("This import is already queued or finished."), field="status",
                       code="started")
    kind = _kind(actor, job.kind)
    clean_mapping(kind, job.headers, job.mapping)
    items: list[Item] = []
    with transaction.atomic():
        runner = Runner(job, kind, actor)
        for batch in runner.batches(limit=limit):
            runner.write(batch)
            items += batch
        transaction.set_rollback(True)
    if job.status == S.DRAFT:
        ImportJob.objects.filter(pk=job.pk, status=S.DRAFT).update(status=S.PREVIEWED)
        job.status = S.PREVIEWED
    return items


def confirm(actor: User, job: ImportJob, version: int, *, enqueue: bool = True) -> ImportJob:
    """Queue the import; the worker runs it."""
    _own(actor, job)
    kind = _kind(actor, job.kind)
    _read_first(job, "status")
    if job.status not in (S.DRAFT, S.PREVIEWED):
        raise Conflict(_("This import is already queued or finished."), field="status",
                       code="started")
    clean_mapping(kind, job.headers, job.mapping)
    save_versioned(job, version, {"status": S.QUEUED})
    audit.log(actor, "integrations.import.confirmed", job,
              data={"mapping": job.mapping, "policy": job.policy})
    if enqueue:
        from guanxi.core.tasks import later
        from guanxi.integrations.tasks import run_import

        later(run_import, job.pk)
    return job


def resume(actor: User, job: ImportJob, *, enqueue: bool = True) -> ImportJob:
    """Continue a stopped or failed import after its last committed batch. Refused while the
    import is running: a process that still renews its lease is not stopped."""
    _own(actor, job)
    _kind(actor, job.kind)
    if job.status not in (S.QUEUED, S.RUNNING, S.FAILED):
        raise Conflict(_("Only a queued, stopped or failed import can be resumed."),
                       field="status", code="not_resumable")
    if not job.headers or not files.exists(job.file_name):
        raise Conflict(_("The uploaded file is no longer kept; upload it again."),
                       field="status", code="file_gone")
    if not ImportJob.objects.filter(leases.expired(ImportJob), pk=job.pk).exists():
        raise leases.LeaseTaken(_("This import is running in another process: wait until it "
                                  "finishes, or until that process has stopped for a minute."))
    ImportJob.objects.filter(pk=job.pk, status__in=(S.QUEUED, S.RUNNING, S.FAILED)).update(
        status=S.QUEUED, error="")
    job.refresh_from_db()
    if enqueue:
        from guanxi.core.tasks import later
        from guanxi.integrations.tasks import run_import

        later(run_import, job.pk)
    return job


MAX_TAKEOVERS = 3


def take_over_interrupted(*, enqueue: bool = True) -> list[int]:
    """Resume the imports whose process died mid-run (its lease ran out): the next worker
    carries on after the last committed batch. One that keeps dying is failed instead, with
    the reason, for a person to look at."""
    now = timezone.now()
    dead = ImportJob.objects.filter(leases.expired(ImportJob, now), status=S.RUNNING)
    resumed: list[int] = []
    for pk, takeovers in dead.values_list("pk", "takeovers"):
        still_dead = ImportJob.objects.filter(leases.expired(ImportJob, now), pk=pk,
                                              status=S.RUNNING, takeovers=takeovers)
        if takeovers >= MAX_TAKEOVERS:
            if still_dead.update(status=S.FAILED, finished_at=now, error=_(
                    "The import stopped %(n)s times while running (the process was killed or "
                    "ran out of memory). Fix the cause and resume it.") % {"n": takeovers + 1}):
                with transaction.atomic():
                    publish_tokens(pk)  # what it committed is found by search meanwhile
            continue
        if still_dead.update(status=S.QUEUED, takeovers=takeovers + 1, lease_owner="",
                             lease_until=None):
            resumed.append(pk)
    if enqueue and resumed:
        from guanxi.core.tasks import later
        from guanxi.integrations.tasks import run_import

        for pk in resumed:
            later(run_import, pk)
    return resumed


# --- running -----------------------------------------------------------------------------------

def _clean(kind: Kind, ctx: Any, mapping: dict[str, str], number: int, raw: list[str],
           ) -> Item:
    item = Item(row=number, raw=raw)
    try:
        item.data = kind.clean(ctx, row_values(mapping, raw))
    except RowError as exc:
        item.error = str(exc)
    else:
        item.keys = kind.keys(item.data)
    return item


_WORKER: dict[str, Any] = {}  # set before the pool forks; read by the workers


def _clean_chunk(rows: list[tuple[int, list[str]]]) -> list[Item]:
    w = _WORKER
    return [_clean(w["kind"], w["ctx"], w["mapping"], n, raw) for n, raw in rows]


def _chunks(rows: Iterator[tuple[int, list[str]]], size: int,
            ) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Runner:
    def __init__(self, job: ImportJob, kind: Kind, actor: User, workers: int = 1) -> None:
        self.job, self.kind, self.actor = job, kind, actor
        self.size = job.batch_size
        self.ctx = kind.context(actor)
        self.seen: dict[int, int] = {}
        self.rows = 0
        # Cleaning (normalising, pinyin and search tokens) is pure Python: big files are
        # cleaned by worker processes while this one writes.
        parallel = job.total >= PARALLEL_FROM and not connection.in_atomic_block
        self.workers = workers if parallel else 1
        if isinstance(self.ctx, dict):
            # A big import's search tokens go in at its end, sorted: see ``_publish_tokens``.
            self.ctx["tokens_later"] = job.total >= PARALLEL_FROM

    def _cleaned(self) -> Iterator[Item]:
        job = self.job
        rows = files.iter_rows(job.file_name, job.file_format, job.encoding, job.delimiter)
        next(rows, None)  # the header
        numbered = enumerate(rows, 1)
        if self.workers <= 1:
            for number, raw in numbered:
                yield _clean(self.kind, self.ctx, job.mapping, number, raw)
            return
        _WORKER.update(kind=self.kind, ctx=self.ctx, mapping=job.mapping)
        connection.close()  # no database connection is shared across fork
        with multiprocessing.get_context("fork").Pool(self.workers) as pool:
            # A bounded window of chunks in flight: the workers never run far ahead of the
            # writer, so memory stays flat however big the file is.
            pending: deque = deque()
            for chunk in _chunks(numbered, 1000):
                pending.append(pool.apply_async(_clean_chunk, (chunk,)))
                if len(pending) >= 4 * self.workers:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()

    def items(self) -> Iterator[Item]:
        """Every data row, cleaned, with its in-file duplicate noted (keys are kept as
        hashes: a million-row file holds several million keys)."""
        for item in self._cleaned():
            self.rows = item.row
            for key in item.keys:
                first = self.seen.setdefault(hash(key), item.row)
                if first != item.row and item.dup_of is None:
                    item.dup_of = (first, key[0])
            yield item

    def batches(self, start: int = 0, limit: int | None = None) -> Iterator[list[Item]]:
        """Batches after the first ``start`` ones (those rows are only read, for the in-file
        duplicate keys)."""
        skip = start * self.size
        batch: list[Item] = []
        for item in self.items():
            if item.row <= skip:
                continue
            if limit is not None and item.row > limit:
                break
            batch.append(item)
            if len(batch) == self.size:
                yield batch
                batch = []
        if batch:
            yield batch

    def write(self, batch: list[Item]) -> dict[str, Any]:
        todo = [i for i in batch if not i.error]
        summary = self.kind.write(self.ctx, self.actor, todo, self.job.policy, self.job.pk) \
            if todo else {}
        for item in batch:
            if not item.outcome:
                item.outcome = "rejected"
                item.error = item.error or _("Not imported.")
        return summary


OUTCOMES = ("imported", "updated", "skipped", "rejected")


def run(job_id: int, *, batch_pause: float | None = None) -> ImportJob:
    """Run (or resume) an import to the end, holding its lease. Safe to call again after any
    interruption; ``LeaseTaken`` while another live process runs it."""
    with leases.Lease(ImportJob, job_id) as lease:
        job = _run(job_id, lease, batch_pause)
    job.refresh_from_db()
    return job


def _run(job_id: int, lease: leases.Lease, batch_pause: float | None) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == S.DONE:
        return job
    actor = job.created_by
    kind = get_kind(job.kind)
    pause = float(os.environ.get(PAUSE_ENV, "0") or 0) if batch_pause is None else batch_pause
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.RUNNING, started_at=job.started_at or timezone.now(), error="")
    job.status = S.RUNNING
    try:
        if actor is None or kind is None or not actor.is_active or not kind.allowed(actor):
            raise DomainError(_("The person who started this import may no longer import."))
        runner = Runner(job, kind, actor, workers=min(os.cpu_count() or 1, 4))
        with _rare_collections():
            for batch in runner.batches(start=job.last_batch):
                lease.check()
                _commit(job, runner, batch)
                if job.total >= PARALLEL_FROM and job.last_batch & (job.last_batch - 1) == 0:
                    _analyze(kind)
                if pause:
                    time.sleep(pause)
        lease.check()
        _publish_tokens(job)
        _finish(job, runner.rows)
    except (JobTaken, leases.LeaseLost):
        job.refresh_from_db()
    except Exception as exc:
        _publish_tokens(job)  # the rows committed so far are found by search all the same
        ImportJob.objects.filter(pk=job.pk).update(status=S.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        job.refresh_from_db()
        if not isinstance(exc, DomainError):
            raise
    return job


@contextmanager
def _rare_collections() -> Iterator[None]:
    """Fewer passes of Python's cycle collector while rows stream through: an import makes
    millions of short-lived tuples and dicts (rows, tokens, insert values), and at the default
    threshold (700 allocations) the collector walked the batch in flight again and again,
    ~15 % of the CPU of an import. Cycles are still collected, every 100,000 allocations."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _analyze(kind: Kind) -> None:
    """Refresh PostgreSQL's statistics of the tables a big import grows, after batches 1, 2,
    4, 8 …: planned for the empty tables of the start, the duplicate look-ups of each batch
    would scan the whole table once it holds a million rows."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cur:
        for model in kind.grows:
            cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _commit(job: ImportJob, runner: Runner, batch: list[Item]) -> None:
    number = job.last_batch + 1
    with transaction.atomic():
        summary = runner.write(batch)
        counts = {o: sum(1 for i in batch if i.outcome == o) for o in OUTCOMES}
        ImportRejection.objects.bulk_create([
            ImportRejection(job=job, row=i.row, reason=i.error, values=i.raw)
            for i in batch if i.outcome == "rejected"])
        done = ImportJob.objects.filter(pk=job.pk, last_batch=job.last_batch).update(
            last_batch=number, imported=job.imported + counts["imported"],
            updated=job.updated + counts["updated"], skipped=job.skipped + counts["skipped"],
            rejected=job.rejected + counts["rejected"], updated_at=timezone.now())
        if not done:
            raise JobTaken
        audit.log(runner.actor, "integrations.import.batch", job, data={
            "batch": number, "rows": [batch[0].row, batch[-1].row], **counts, **summary})
    job.last_batch = number
    for key, value in counts.items():
        setattr(job, key, getattr(job, key) + value)


def _publish_tokens(job: ImportJob) -> None:
    """Put the search tokens a big import set aside into the search index, in one transaction
    (a run killed here publishes them when resumed)."""
    with transaction.atomic():
        moved = publish_tokens(job.pk)
    if moved:
        _analyze_tokens()


def _analyze_tokens() -> None:
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        from guanxi.customers.models import SearchToken

        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {connection.ops.quote_name(SearchToken._meta.db_table)}")


def _finish(job: ImportJob, rows: int) -> None:
    job.refresh_from_db()
    accounted = job.done_rows
    assert accounted == rows, f"{accounted} rows accounted for, {rows} read"  # noqa: S101
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(status=S.DONE, total=rows,
                                                   finished_at=timezone.now())
        job.refresh_from_db()
        audit.log(job.created_by, "integrations.import.finished", job, data={
            "rows": rows, "imported": job.imported, "updated": job.updated,
            "skipped": job.skipped, "rejected": job.rejected})


def dry_run(actor: User, job: ImportJob) -> dict[str, int]:
    """Counts a run would give, with nothing kept."""
    kind = _kind(actor, job.kind)
    counts = dict.fromkeys(OUTCOMES, 0)
    with transaction.atomic():
        runner = Runner(job, kind, actor)
        for batch in runner.batches():
            runner.write(batch)
            for item in batch:
                counts[item.outcome] += 1
        transaction.set_rollback(True)
    counts["total"] = runner.rows
    return counts


# --- the rejected rows -------------------------------------------------------------------------

def rejected_csv(job: ImportJob) -> Iterator[str]:
    """The rejected rows as CSV (UTF-8 with BOM, so Excel reads Chinese): the original
    columns, then the row number and the reason. Cells are written back as uploaded except
    that a spreadsheet formula gets a leading quote (as in list exports): whoever opens the
    file, an administrator say, never runs what someone else uploaded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([neutralise(h) for h in [*job.headers, _("Row"), _("Reason")]])
    width = len(job.headers)
    for rejection in job.rejections.order_by("row").iterator(chunk_size=2000):
        values = list(rejection.values)[:width]
        values += [""] * (width - len(values))
        writer.writerow([neutralise(v) for v in [*values, rejection.row, rejection.reason]])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def rejected_file_name(job: ImportJob) -> str:
    return f"import-{job.pk}-rejected.csv"


# --- housekeeping ------------------------------------------------------------------------------

KEEP_UNUSED = dt.timedelta(days=1)


def sweep_files(now: dt.datetime | None = None) -> int:
    """Remove the uploaded files nobody will use: those of imports that failed or were left
    unfinished a day ago (their jobs then say so), and files in the import folder that no
    import names. Returns how many files went."""
    now = now or timezone.now()
    cutoff = now - KEEP_UNUSED
    removed = 0
    stale = ImportJob.objects.filter(
        Q(status=S.FAILED, finished_at__lt=cutoff)
        | Q(status__in=(S.READING, S.DRAFT, S.PREVIEWED), updated_at__lt=cutoff),
    ).exclude(file_name="")
    for job in stale.only("pk", "file_name", "status"):
        if files.exists(job.file_name):
            files.delete(job.file_name)
            removed += 1
        update: dict[str, Any] = {"file_name": ""}
        if job.status != S.FAILED:
            update |= {"status": S.FAILED, "finished_at": now,
                       "error": _("Left unfinished for a day: the uploaded file was removed.")}
        ImportJob.objects.filter(pk=job.pk, status=job.status).update(**update)
    removed += _sweep_orphans(cutoff)
    return removed


def _sweep_orphans(cutoff: dt.datetime) -> int:
    try:
        _dirs, names = default_storage.listdir(files.FOLDER)
    except FileNotFoundError:
        return 0
    uploads = [n for n in names if files.UPLOAD_NAME.match(n)]
    known = set(ImportJob.objects.filter(file_name__in=uploads).values_list("file_name",
                                                                             flat=True))
    removed = 0
    for name in uploads:
        # A file younger than the cutoff may belong to an upload still being stored.
        if name not in known and \
                default_storage.get_modified_time(files.storage_name(name)) < cutoff:
            files.delete(name)
            removed += 1
    return removed
