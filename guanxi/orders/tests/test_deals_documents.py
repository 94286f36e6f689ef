"""Documents of tenders and contracts: what is accepted (size, extension and content agree),
how names are cleaned, who downloads and deletes, and that the stored file goes with the
record."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from guanxi.core.errors import DomainError, Forbidden
from guanxi.orders.documents import clean_name, delete_document, store_upload
from guanxi.orders.models import Document
from guanxi.orders.tests import deals_world
from guanxi.orders.tests.deals_world import EXE, PDF, PNG, docx, upload

world, media = deals_world.world, deals_world.media


@pytest.mark.parametrize("name, content, code", [
    ("setup.exe", EXE, "bad_extension"),
    ("报价.pdf", EXE, "content_mismatch"),          # an .exe renamed .pdf
    ("说明.docx", PDF, "content_mismatch"),
    ("说明.docx", b"PK\x03\x04not really a zip", "content_mismatch"),
    ("图.png", PDF, "content_mismatch"),
    ("notes.txt", b"abc\x00def", "content_mismatch"),
    ("script.html", b"<script>alert(1)</script>", "bad_extension"),
    ("noextension", PDF, "bad_extension"),
    ("empty.pdf", b"", "empty"),
])
def test_refused_uploads_store_nothing(world, name, content, code):
    with pytest.raises(DomainError) as exc:
        store_upload(world.org.rep, upload(name, content), tender=world.tender)
    assert exc.value.field == "file" and exc.value.code == code
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in Path(world.media).rglob("*"))


def test_too_big_is_refused(world, settings):
    settings.GUANXI_DOCUMENT_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(DomainError) as exc:
        store_upload(world.org.rep, upload("大文件.pdf", big), tender=world.tender)
    assert exc.value.code == "too_large"
    assert not Document.objects.exists()


@pytest.mark.parametrize("name, content, content_type", [
    ("投标文件.pdf", PDF, "application/pdf"),
    ("技术方案.docx", docx(), "application/vnd.openxmlformats-officedocument."
                              "wordprocessingml.document"),
    ("现场照片.PNG", PNG, "image/png"),
    ("说明.txt", "中文说明".encode("gb18030"), "text/plain; charset=utf-8"),
])
def test_accepted_kinds_are_stored_under_a_random_key_with_their_hash(world, name, content,
                                                                     content_type):
    import hashlib

    doc = store_upload(world.org.rep, upload(name, content, "text/html"), tender=world.tender,
                       kind="投标文件")
    assert doc.name == name and doc.size == len(content)
    assert doc.content_type == content_type  # ours, not the browser's
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.file.name == f"documents/{doc.storage_key}" and name not in doc.file.name
    assert Path(doc.file.path).read_bytes() == content
    assert Path(doc.file.path).is_relative_to(world.media)


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\王\\投标.pdf", "投标.pdf"),
    ("bad\x00name\u202e.pdf", "badname.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_names_lose_path_parts_and_control_characters(raw, clean):
    assert clean_name(raw) == clean


def test_path_traversal_name_is_stored_inside_media(world):
    doc = store_upload(world.org.rep, upload("../../../outside.pdf", PDF),
                       contract=world.contract)
    assert doc.name == "outside.pdf"
    assert Path(doc.file.path).resolve().is_relative_to(Path(world.media).resolve())


def test_who_may_attach(world):
    for persona in ("finance", "executive", "teammate"):
        with pytest.raises(Forbidden):
            store_upload(getattr(world.org, persona), upload("a.pdf", PDF),
                         tender=world.tender)


def test_download_is_an_attachment_for_those_who_see_the_tender(world, client):
    doc = store_upload(world.org.rep, upload("投标文件.pdf", PDF), tender=world.tender)
    url = reverse("orders:document", args=[doc.pk])
    client.force_login(world.org.rep)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(world.org.other_rep)
    assert client.get(url).status_code == 404
    client.force_login(world.org.finance)
    assert client.get(url).status_code == 200


def test_delete_removes_the_file(world, django_capture_on_commit_callbacks):
    doc = store_upload(world.org.rep, upload("投标文件.pdf", PDF), tender=world.tender)
    path = Path(doc.file.path)
    with pytest.raises(Forbidden):
        delete_document(world.org.finance, doc)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        delete_document(world.org.rep, doc)
    assert not Document.objects.exists() and not path.exists()
