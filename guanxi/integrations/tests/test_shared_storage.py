"""Every stored file goes through Django's storage API, so the same behaviour holds in the
local folder and in an S3-compatible bucket (a local moto server): an import is uploaded,
previewed, run and its rejected rows read back; documents are streamed, or handed out as a
short-lived signed URL, only to those who may see them; objects are never public; refused
uploads and orphans leave nothing behind."""

from __future__ import annotations

import datetime as dt
import io
import secrets
import urllib.request
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import DomainError
from guanxi.core.tests.api_client import as_
from guanxi.integrations.services import imports
from guanxi.integrations.tests.imports_fixtures import rejected_rows, write_csv
from guanxi.orders.documents import store_upload
from guanxi.orders.models import Document
from guanxi.orders.tests import deals_world
from guanxi.orders.tests.deals_world import PDF, upload

world, media = deals_world.world, deals_world.media

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(params=["local", "s3"])
def storage(request, settings, media):
    """The default storage: the local folder ``media``, or a fresh bucket on the S3 server."""
    if request.param == "local":
        return SimpleNamespace(kind="local", keys=lambda: _local_keys(media))
    server = request.getfixturevalue("s3_server")
    bucket, prefix = f"guanxi-{secrets.token_hex(6)}", "crm/"  # a folder of a shared bucket
    server.use(settings, bucket, prefix)
    client = server.client()

    def keys() -> list[str]:
        listed = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert all(k.startswith(prefix) for k in listed)
        return sorted(k.removeprefix(prefix) for k in listed)

    return SimpleNamespace(kind="s3", keys=keys, client=client, bucket=bucket, prefix=prefix)


def _local_keys(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _private(storage, key: str) -> bool:
    grants = storage.client.get_object_acl(Bucket=storage.bucket,
                                           Key=storage.prefix + key)["Grants"]
    return all(g["Grantee"].get("URI") != ALL_USERS for g in grants)


def test_an_import_is_stored_previewed_and_run_through_the_storage(org, storage,
                                                                   tmp_path_factory):
    path = write_csv(tmp_path_factory.mktemp("in") / "客户.csv", [
        ["客户名称", "电话"], ["上海明珠机电", "13800000001"], ["", "13800000002"]])
    with path.open("rb") as f:
        job = imports.create_job(org.rep, "customers", iter(lambda: f.read(7), b""), path.name,
                                 enqueue=False)
    key = f"imports/{job.file_name}"
    assert storage.keys() == [key]
    if storage.kind == "s3":
        assert _private(storage, key)
    with default_storage.open(key) as stored:
        assert stored.read() == path.read_bytes()  # every chunk, in order

    job = imports.read(job.pk)  # as the worker does: from the storage, not a local path
    assert job.total == 2 and job.headers == ["客户名称", "电话"]
    preview = as_(org.rep).get(f"imports/{job.pk}/preview").json()
    assert [row["outcome"] for row in preview] == ["imported", "rejected"]
    imports.confirm(org.rep, job, job.version, enqueue=False)
    job = imports.run(job.pk)
    assert (job.imported, job.rejected) == (1, 1)
    assert rejected_rows(job)[1][:2] == ["", "13800000002"]


def test_a_refused_upload_and_an_orphan_leave_nothing(org, storage, settings):
    settings.GUANXI_UPLOAD_MAX_MB = 1
    chunks = iter([b"\xe5\xae\xa2\xe6\x88\xb7\n"] + [b"a" * 65536] * 20)
    with pytest.raises(DomainError) as refused:
        imports.create_job(org.rep, "customers", chunks, "big.csv", enqueue=False)
    assert refused.value.code == "too_large"
    assert storage.keys() == []

    orphan = default_storage.save("imports/" + "0" * 32 + ".csv", io.BytesIO(b"a\n"))
    assert storage.keys() == [orphan]
    assert imports.sweep_files() == 0  # young: it may be an upload still being stored
    assert imports.sweep_files(timezone.now() + dt.timedelta(days=2)) == 1
    assert storage.keys() == []


def test_documents_go_only_to_those_who_see_them(world, storage, client, settings):
    doc = store_upload(world.org.rep, upload("投标文件.pdf", PDF), tender=world.tender)
    assert storage.keys() == [doc.file.name]
    if storage.kind == "s3":
        assert _private(storage, doc.file.name)
    url = reverse("orders:document", args=[doc.pk])
    client.force_login(world.org.rep)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(world.org.other_rep)
    assert client.get(url).status_code == 404

    settings.GUANXI_S3_SIGNED_DOWNLOADS = True
    assert client.get(url).status_code == 404  # no URL for who may not see it
    client.force_login(world.org.rep)
    response = client.get(url)
    if storage.kind == "local":
        assert response.status_code == 200  # nothing to sign: streamed
        return
    assert response.status_code == 302
    signed = response["Location"]
    query = parse_qs(urlsplit(signed).query)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    with urllib.request.urlopen(signed, timeout=10) as answer:  # noqa: S310 (loopback)
        assert answer.read() == PDF
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment")
    doc.delete()
    assert Document.objects.count() == 0
