"""Ingest: hashes of the bytes as received, type from the bytes, metadata apart, dedup,
derived items, immutability on disk, clear storage errors."""

from __future__ import annotations

import errno
import hashlib
import io
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.core.actor import Actor
from vigie.core.errors import Forbidden
from vigie.evidence import metadata, services, store
from vigie.evidence.models import Blob, CustodyEntry, Item, SignedTreeHead
from vigie.evidence.tests.factories import add, jpeg_with_exif, pdf_with_title
from vigie.evidence.verify import verify_all
from vigie.testing import World


def test_ingest_hashes_type_metadata(world: World) -> None:
    data = jpeg_with_exif("Camera X1")
    got = add(world, data, name="statement.pdf", description="Photo of a ledger")
    item = got.item
    assert item.blob.sha256 == hashlib.sha256(data).hexdigest()
    assert item.blob.sha512 == hashlib.sha512(data).hexdigest()
    assert item.blob.size == len(data)
    assert item.blob.mime_type == "image/jpeg"  # the bytes, not the misleading name
    assert "bytes are" in got.warning
    meta = item.blob.metadata
    assert meta.extractor == "pillow" and meta.data["exif"]["Model"] == "Camera X1"
    # The stored object is encrypted: the plaintext is not on disk.
    raw = store.default_store().path_of(item.blob.sha256).read_bytes()
    assert data[100:200] not in raw and raw.startswith(store.MAGIC)
    assert b"".join(store.default_store().open(item.blob.sha256)) == data
    events = list(item.custody.values_list("event", flat=True))
    assert events == ["collected", "received"]
    assert SignedTreeHead.objects.first().tree_size == 2
    assert verify_all().ok


def test_pdf_properties(world: World) -> None:
    item = add(world, pdf_with_title("Witness list"), name="w.pdf").item
    assert item.blob.mime_type == "application/pdf"
    assert item.blob.metadata.data["properties"]["Title"] == "Witness list"
    assert item.blob.metadata.data["pages"] == 1


def test_duplicates_linked_not_stored_twice(world: World) -> None:
    data = b"same bytes " * 1000
    first = add(world, data, name="a.txt").item
    second = add(world, data, name="b.txt", case="CASE-2")
    assert second.duplicate_of == first and not second.created_object
    assert second.item.blob_id == first.blob_id
    assert Blob.objects.count() == 1
    received = second.item.custody.get(event="received")
    assert received.detail["duplicate_of"] == str(first.uuid)
    assert len(list(store.default_store().stored_names())) == 1


def test_derived_item_points_to_source(world: World) -> None:
    src = add(world, jpeg_with_exif()).item
    derived = services.ingest(
        Actor(world.users["investigator"], world.own.pk),
        world.own,
        io.BytesIO(b"redacted bytes"),
        name="redacted.txt",
        collection=services.Collection(case_ref="CASE-1", external_case=True),
        derived_from=src,
        derivation="redacted",
    ).item
    assert derived.source == src and derived.derivation == "redacted"
    entry = src.custody.get(event="derived")
    assert entry.detail == {"derived_item": str(derived.uuid), "derivation": "redacted"}


def test_large_multi_chunk_roundtrip(world: World) -> None:
    data = os.urandom(store.CHUNK * 2) + b"tail"
    item = add(world, data, name="video.bin").item
    assert b"".join(store.default_store().open(item.blob.sha256)) == data
    assert item.blob.sha256 == hashlib.sha256(data).hexdigest()


def test_empty_file_and_hostile_names(world: World) -> None:
    item = add(world, b"", name="../../etc/passwd").item
    assert item.original_name == "passwd" and item.blob.size == 0
    item = add(world, b"x", name="..\\..\\a\x00b.txt").item
    assert item.original_name == "ab.txt"


def test_hostile_files_are_recorded_not_raised(world: World) -> None:
    broken_pdf = (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer<</Root 1 0 R"
    )
    item = add(world, broken_pdf, name="broken.pdf").item
    assert item.blob.mime_type == "application/pdf"
    assert item.blob.metadata.problems  # said what went wrong
    bomb_header = jpeg_with_exif(size=(10, 10))
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")  # 144 Mpx: over the pixel limit
    item = add(world, buf.getvalue(), name="bomb.png").item
    assert "DecompressionBomb" in item.blob.metadata.problems
    assert add(world, bomb_header, name="ok.jpg").item.blob.metadata.data["width"] == 10


def test_case_required_and_permission(world: World) -> None:
    with pytest.raises(services.EvidenceError, match="case reference is required"):
        add(world, b"x", case=" ")
    with pytest.raises(Forbidden):
        add(world, b"x", user=world.users["analyst"])
    with pytest.raises(Forbidden):
        add(world, b"x", org=world.other)
    assert Item.objects.count() == 0 and CustodyEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "words"), [(errno.ENOSPC, "disk holding"), (errno.EACCES, "permission denied")]
)
def test_storage_errors_are_clear_and_leave_nothing(
    world: World, monkeypatch: Any, code: int, words: str
) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(store.os, "fsync", failing_fsync)
    with pytest.raises(store.StoreError, match=words) as exc:
        add(world, b"data" * 1000)
    assert "nothing was kept" in str(exc.value)
    monkeypatch.undo()
    assert Item.objects.count() == 0 and CustodyEntry.objects.count() == 0
    assert list(store.default_store().tmp.iterdir()) == []
    assert list(store.default_store().stored_names()) == []


def test_zip_bomb_is_stored_not_expanded(world: World) -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * (64 * 1024 * 1024))  # 64 MiB in about 64 KiB
    item = add(world, buf.getvalue(), name="phone-export.zip").item
    assert item.blob.size == len(buf.getvalue()) < 200_000
    assert item.blob.mime_type == "application/zip"
    assert item.blob.metadata.extractor == "none"


def test_polyglot_is_typed_by_its_leading_bytes(world: World) -> None:
    polyglot = pdf_with_title("cover") + b"\n" + jpeg_with_exif()
    item = add(world, polyglot, name="scan.jpg").item
    assert item.blob.mime_type == "application/pdf"
    assert item.blob.metadata.extractor == "pypdf"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048), st.text(max_size=300))
def test_type_detection_and_names_never_fail(head: bytes, name: str) -> None:
    ftype = metadata.detect(head, name)
    assert ftype.mime_type
    clean = services.safe_name(name)
    assert clean and len(clean) <= 255 and "/" not in clean and "\\" not in clean
    assert not any(ord(c) < 32 for c in clean) and not clean.startswith(".")


def test_detection_on_real_and_hostile_files() -> None:
    """Types found through puremagic's public API (the same on its 1.x and 2.x)."""
    import zipfile

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    samples = [
        (jpeg_with_exif("Camera X1"), "a.jpg", "image/jpeg"),
        (png.getvalue(), "a.png", "image/png"),
        (pdf_with_title("t"), "a.pdf", "application/pdf"),
        (pdf_with_title("cover") + b"\n" + jpeg_with_exif(), "a.pdf", "application/pdf"),
        (b"plain words\n" * 300, "a.txt", "text/plain"),
    ]
    for data, name, mime in samples:
        for head in (data, data[:8192]):
            assert metadata.detect(head, name).mime_type == mime, (name, head[:16])
    assert metadata.detect(docx.getvalue(), "a.docx").extension in (".docx", ".zip")
    mp4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\0" * 100
    assert metadata.detect(mp4, "clip.mp4").mime_type.startswith("video/")
    for hostile in (os.urandom(4096), b"x", b"\0" * 64):
        assert metadata.detect(hostile, "x.bin").mime_type
