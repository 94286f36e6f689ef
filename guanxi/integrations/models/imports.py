"""Import jobs, the rows they rejected and reusable column mappings.

A job reads its file in batches; each batch's records, its rejected rows and the job's
counters and ``last_batch`` are committed in one transaction, so a job stopped at any moment
resumes after its last committed batch without losing or repeating a row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Leased, Versioned

__all__ = ["ImportJob", "ImportRejection", "ImportToken", "MappingTemplate"]


class ImportJob(Versioned, Leased):
    class Status(models.TextChoices):
        READING = "reading", _("Reading the file")
        DRAFT = "draft", _("Draft")
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Policy(models.TextChoices):
        SKIP = "skip", _("Skip duplicates")
        UPDATE = "update", _("Update the existing record")
        CREATE = "create", _("Create anyway")

    kind = models.CharField(_("kind"), max_length=20)
    file_name = models.CharField(max_length=100, editable=False)  # generated, under VAR_DIR
    original_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(max_length=4, default="csv")  # csv or xlsx
    checksum = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(_("mapping"), default=dict)  # {column index as str: field}
    policy = models.CharField(_("duplicates"), max_length=10, choices=Policy.choices,
                              default=Policy.SKIP)
    # The saved mapping to apply once the file is read.
    template = models.ForeignKey("MappingTemplate", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    batch_size = models.PositiveIntegerField(default=500)
    total = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    # Rows matching a record already in Guanxi, left alone under the "skip" policy.
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    last_batch = models.PositiveIntegerField(default=0)  # batches committed so far
    error = models.TextField(_("error"), blank=True)
    # Times a worker took the job over after its process died; a job that keeps dying stops.
    takeovers = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"

    @property
    def done_rows(self) -> int:
        return self.imported + self.updated + self.skipped + self.rejected

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.done_rows / self.total)) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_busy(self) -> bool:
        """The worker is reading the file or importing it: pages poll."""
        return self.status in (self.Status.READING, self.Status.QUEUED, self.Status.RUNNING)


class ImportRejection(models.Model):
    """One input row that was not imported, with the row as read and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField(_("row"))  # 1 = first data row after the header
    reason = models.TextField(_("reason"))
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["job", "row"]
        constraints = [models.UniqueConstraint(fields=["job", "row"],
                                               name="import_rejection_row")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row}"


class MappingTemplate(models.Model):
    """A saved column mapping: header text → field, reused for files with the same layout."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20)
    mapping = models.JSONField(_("mapping"), default=dict)  # {header text: field}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["created_by", "kind", "name"],
                                               name="mapping_template_name")]
        verbose_name = _("mapping template")
        verbose_name_plural = _("mapping templates")

    def __str__(self) -> str:
        return self.name


class ImportToken(models.Model):
    """A search token of a customer a big import wrote, kept here (no index to maintain) until
    the import's rows are all in; then every token of the job moves to the search index in one
    sorted insert (see ``imports_write.publish_tokens``). Committed with its batch, so a
    resumed import loses none."""

    job_id = models.PositiveIntegerField()
    token = models.CharField(max_length=32)
    field = models.PositiveSmallIntegerField()
    pos = models.PositiveSmallIntegerField(default=0)
    account_id = models.PositiveBigIntegerField()
    contact_id = models.PositiveBigIntegerField(null=True)

    def __str__(self) -> str:
        return self.token
