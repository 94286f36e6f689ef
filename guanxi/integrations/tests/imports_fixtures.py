"""Shared by the import and export tests: real files written to a temporary directory and a
helper that takes one through upload → mapping → confirm → run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from guanxi.integrations.services import imports


@pytest.fixture
def var_dir(settings, tmp_path):
    """Uploads go to a temporary directory."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = settings.VAR_DIR / "media"  # as a subprocess with this VAR_DIR
    return settings.VAR_DIR


def stored_uploads(settings) -> list[str]:
    """The import files kept in the storage."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def upload(user, kind: str, path: Path, policy: str = "skip"):
    """Upload, then read as the worker does."""
    with path.open("rb") as f:
        job = imports.create_job(user, kind, iter(lambda: f.read(65536), b""), path.name,
                                 policy=policy, enqueue=False)
    return imports.read(job.pk)


def import_file(user, kind: str, path: Path, policy: str = "skip", mapping=None,
                batch_size: int | None = None):
    """Upload, (map), confirm and run to the end; returns the finished job."""
    job = upload(user, kind, path, policy)
    if mapping is not None:
        imports.set_mapping(user, job, mapping, job.version)
    if batch_size:
        job.batch_size = batch_size
        job.save(update_fields=["batch_size"])
    imports.confirm(user, job, job.version, enqueue=False)
    return imports.run(job.pk)


def rejected_rows(job) -> list[list[str]]:
    text = "".join(imports.rejected_csv(job))
    assert text.startswith("\ufeff")
    return list(csv.reader(text[1:].splitlines()))
