"""The small-file ingest path: per-batch durability (syncfs), plain SQL rows, stage threads.

Each test compares against the single-file path (``services.ingest``, ORM) or an independent
implementation, so a difference in the rows, the log or the object format fails."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.devtools.evidence_files import jpeg_with_exif, pdf_with_title
from vigie.evidence import batch, services, store
from vigie.evidence.models import CustodyEntry, Item, ItemLink, TechnicalMetadata
from vigie.evidence.verify import unreferenced_objects, verify_all
from vigie.testing import World


def test_object_key_is_stable() -> None:
    """Objects already stored stay readable: the key derivation (HKDF-SHA256, RFC 5869, info
    ``vigie-evidence-object-v1``) gives the key it always gave (a known answer computed with
    the former two-HMAC derivation's output, which a test had checked equal to HKDF)."""
    key = store._file_key(bytes(range(32)), bytes(range(16)))
    assert key.encrypt(bytes(12), b"vigie", None).hex() == (
        "9484a42025f056c596e794c2f23a72f481205d73ce"
    )


@pytest.mark.parametrize("per_batch", [True, False], ids=["syncfs", "fsync-per-file"])
def test_put_many_durable_both_ways(
    tmp_path: Path, per_batch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objects end up whole under their names, temporary files gone, the same either way
    (``syncfs`` where Linux has it; file-by-file fsync elsewhere)."""
    if not per_batch:
        monkeypatch.setattr(store, "_SYNCFS", None)
    elif store._SYNCFS is None:  # pragma: no cover - not Linux
        pytest.fail("syncfs(2) is expected on Linux")
    vault = store.ObjectStore(tmp_path / "vault")
    datas = [os.urandom(n) for n in (0, 1, 4096, 300_000)] + [b"same", b"same"]
    staged = [vault.stage(io.BytesIO(d), sync=False) for d in datas]
    stored = vault.put_many(staged)
    assert [s.created for s in stored] == [True] * 5 + [False]
    assert not list((tmp_path / "vault" / "tmp").iterdir())
    for s, d in zip(stored, datas, strict=True):
        assert b"".join(vault.open(s.sha256)) == d
        assert oct(vault.path_of(s.sha256).stat().st_mode & 0o777) == "0o400"
    # a folder removed behind the store's back is made again
    import shutil

    shutil.rmtree(tmp_path / "vault" / "objects")
    again = vault.put_many([vault.stage(io.BytesIO(b"after"), sync=False)])
    assert b"".join(vault.open(again[0].sha256)) == b"after"


def test_keep_plain_only_for_small_sources(tmp_path: Path) -> None:
    vault = store.ObjectStore(tmp_path / "vault")
    small = vault.stage(io.BytesIO(b"abc" * 100), keep_plain=1000)
    large = vault.stage(io.BytesIO(b"abc" * 1000), keep_plain=1000)
    assert small.plain == b"abc" * 100 and large.plain is None
    assert large.stored.head == (b"abc" * 1000)[: store.HEAD_BYTES]


def _files(tmp_path: Path, contents: dict[str, bytes]) -> list[Path]:
    out = []
    for name, data in contents.items():
        path = tmp_path / name
        path.write_bytes(data)
        out.append(path)
    return out


def test_batch_rows_equal_the_single_file_path(world: World, tmp_path: Path) -> None:
    """Same bytes and record through the batch (plain SQL) and the single-file path (ORM):
    the same item fields (encrypted ones decrypt to the same), blob, metadata, links and
    custody details; ``verify`` recomputes every leaf and record digest."""
    when = dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.UTC)
    record = {
        "description": "Photo du registre",
        "collected_at": when,
        "collected_by": "Enquêtrice A",
        "place": "Camp Nord",
        "consent": "écrit",
    }
    contents = {"a.jpg": jpeg_with_exif("Batch cam"), "b.pdf": pdf_with_title("Rapport")}
    contents["c.txt"] = "texte brut, UTF-8 é".encode()
    paths = _files(tmp_path, contents)
    outs = list(
        batch.ingest_many(
            Actor(world.users["investigator"], world.own.pk),
            world.own,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=services.Collection(case_ref="EQ-1", external_case=True, **record),
        )
    )
    singles = [
        services.ingest(
            Actor(world.users["investigator"], world.own.pk),
            world.own,
            io.BytesIO(data),
            name=name,
            collection=services.Collection(case_ref="EQ-1", external_case=True, **record),
        )
        for name, data in contents.items()
    ]
    for out, single in zip(outs, singles, strict=True):
        a, b = out.item, single.item
        assert a is not None and not out.error
        assert str(a.uuid) == out.uuid and a.blob.sha256 == out.sha256
        # the single-file ingest found the batch's blob: a duplicate of the batch item
        assert single.duplicate_of is not None and single.duplicate_of.pk == a.pk
        for f in ("case_ref", "original_name", "description", "collected_at", "collected_by",
                  "place", "consent", "organisation_id", "added_by_id", "derivation",
                  "sealed"):  # fmt: skip
            assert getattr(a, f) == getattr(b, f), f
        assert a.blob_id == b.blob_id and a.duplicate_of_id is None
        kinds = lambda i: sorted(i.links.values_list("kind", "reference"))  # noqa: E731
        assert kinds(a) == kinds(b) == [("case", "EQ-1")]
        da = {e.event: e.detail for e in a.custody.all()}
        db = {e.event: e.detail for e in b.custody.all()}
        assert da["collected"] == db["collected"]
        assert {**da["received"], "duplicate_of": str(a.uuid)} == db["received"]
    metas = {m.blob.sha256: m for m in TechnicalMetadata.objects.select_related("blob")}
    assert "Batch cam" in str(metas[outs[0].sha256].data)
    assert metas[outs[1].sha256].extractor == "pypdf"
    assert metas[outs[2].sha256].extractor == "none"
    report = verify_all()
    assert report.ok, report.problems


def test_large_image_metadata_read_back_from_the_store(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An image larger than what is kept in memory gets its metadata from the stored object."""
    monkeypatch.setattr(batch, "PLAIN_IN_MEMORY", 100)
    paths = _files(tmp_path, {"big.jpg": jpeg_with_exif("Far cam", size=(200, 200))})
    outs = list(
        batch.ingest_many(
            Actor.system("test", world.own.pk),
            world.own,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=services.Collection(case_ref="L", external_case=True),
        )
    )
    meta = TechnicalMetadata.objects.get(blob__sha256=outs[0].sha256)
    assert "Far cam" in str(meta.data)


def test_duplicates_within_and_across_batches(world: World, tmp_path: Path) -> None:
    same = os.urandom(5000)
    paths = _files(tmp_path, {"a": same, "b": os.urandom(10), "c": same, "d": same})
    outs = list(
        batch.ingest_many(
            Actor.system("test", world.own.pk),
            world.own,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=services.Collection(case_ref="D", external_case=True),
            batch_size=3,
        )
    )
    first = outs[0]
    assert [o.duplicate_of_uuid for o in outs] == ["", "", first.uuid, first.uuid]
    assert Item.objects.get(uuid=outs[3].uuid).duplicate_of_id == first.item_id
    received = CustodyEntry.objects.get(item_id=outs[2].item_id, event="received")
    assert received.detail["duplicate_of"] == first.uuid
    assert ItemLink.objects.filter(kind="case", reference="D").count() == 4
    assert verify_all().ok


def test_stopping_early_leaves_no_staged_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that stops reading outcomes (or fails) after the first batch: the files
    staged ahead for the next batch are removed; the first batch stays whole. (A batch
    closed by its byte limit has later files already in the stage threads.)"""
    monkeypatch.setattr(batch, "BATCH_BYTES", 3000)
    paths = _files(tmp_path, {f"f{i}": os.urandom(2000 + i) for i in range(9)})
    run = batch.ingest_many(
        Actor.system("test", world.own.pk),
        world.own,
        [(p.name, batch.file_opener(p)) for p in paths],
        collection=services.Collection(case_ref="S", external_case=True),
        batch_size=100,
    )
    first: Any = next(run)
    run.close()
    assert first.item is not None
    assert Item.objects.count() == 2 and CustodyEntry.objects.count() == 4
    tmp = Path(store.ObjectStore().tmp)
    assert not tmp.exists() or not list(tmp.iterdir())
    assert not list(unreferenced_objects())
    assert verify_all().ok


def test_each_batch_is_one_change_log_entry(world: World, tmp_path: Path, web: Any) -> None:
    """Bulk inserts send no signals: each batch records one "create" entry in the change log
    naming its items, in the batch's transaction, seen by the organisation's auditors."""
    from auditlog.models import LogEntry

    from vigie.core.selectors import visible_changes

    paths = _files(tmp_path, {f"g{i}.txt": f"file {i}".encode() for i in range(5)})
    before = LogEntry.objects.count()
    outs = list(
        batch.ingest_many(
            Actor(world.users["investigator"], world.own.pk),
            world.own,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=services.Collection(case_ref="AUD-1", external_case=True),
            batch_size=3,
        )
    )
    entries = list(LogEntry.objects.order_by("pk")[before:])
    assert len(entries) == 2  # one per batch
    named = [i["uuid"] for e in entries for i in e.additional_data["batch"]["items"]]
    assert named == [o.uuid for o in outs]
    first = entries[0]
    assert first.action == LogEntry.Action.CREATE and first.content_type.model == "item"
    assert first.actor == world.users["investigator"]
    assert first.additional_data["organisation"] == world.own.code
    assert first.additional_data["batch"]["custody_entries"] == [1, 6]
    assert "AUD-1" in first.object_repr and outs[0].uuid in first.changes_str
    auditor = world.users["auditor"]
    assert set(visible_changes(auditor).filter(pk__in=[e.pk for e in entries])) == set(entries)
    page = web(auditor).get("/audit/?log=changes").content.decode()
    assert "3 evidence item(s) added in one batch to case AUD-1" in page
