"""Batched ingest (many files per transaction) and links to perpetrators and incidents."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import IntegrityError

from vigie.cases.models import Case, Incident, Perpetrator
from vigie.core.actor import Actor
from vigie.devtools.evidence_files import jpeg_with_exif
from vigie.evidence import batch, merkle, services
from vigie.evidence.cli import evidence
from vigie.evidence.models import (
    Blob,
    CustodyEntry,
    Item,
    ItemLink,
    LogState,
    SignedTreeHead,
    TechnicalMetadata,
)
from vigie.evidence.store import ObjectStore
from vigie.evidence.tests.factories import add
from vigie.evidence.tests.test_cli import _vigie
from vigie.evidence.verify import unreferenced_objects, verify_all
from vigie.testing import World


def _files(tmp_path: Path, contents: list[bytes]) -> list[Path]:
    out = []
    for i, data in enumerate(contents):
        path = tmp_path / f"f{i:02d}.bin"
        path.write_bytes(data)
        out.append(path)
    return out


def _ingest(world: World, paths: list[Path], size: int, **kw: Any) -> list[batch.Outcome]:
    return list(
        batch.ingest_many(
            Actor.system("test", world.own.pk),
            world.own,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=services.Collection(case_ref="B-1", external_case=True, **kw),
            batch_size=size,
        )
    )


def test_batches_store_log_and_sign_like_one_by_one(world: World, tmp_path: Path) -> None:
    earlier = add(world, b"already in the vault", name="old.txt")
    contents = [os.urandom(3000 + i) for i in range(5)]
    contents += [b"already in the vault", contents[0], jpeg_with_exif("Batch cam")]
    heads_before = SignedTreeHead.objects.count()
    outs = _ingest(world, _files(tmp_path, contents), size=3)
    assert [o.error for o in outs] == [""] * 8
    items = [o.item for o in outs]
    assert all(i is not None for i in items)
    assert [i.original_name for i in items if i] == [f"f{n:02d}.bin" for n in range(8)]
    for item, data in zip(items, contents, strict=True):
        assert item is not None and item.blob.sha256 == hashlib.sha256(data).hexdigest()
        assert list(item.custody.values_list("event", flat=True)) == ["collected", "received"]
        assert ItemLink.objects.filter(item=item, kind="case", reference="B-1").exists()
    # duplicates: of an earlier item, and of an item of the same run (another batch)
    assert outs[5].duplicate_of == earlier.item and outs[6].duplicate_of == items[0]
    assert Blob.objects.count() == 7 and TechnicalMetadata.objects.count() == 7
    meta = TechnicalMetadata.objects.get(blob=items[7].blob if items[7] else None)
    assert "Batch cam" in str(meta.data)
    # entries are consecutive and the stored state is the tree of the stored leaves
    seqs = list(CustodyEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    leaves = [bytes.fromhex(h) for h in CustodyEntry.objects.values_list("leaf_hash", flat=True)]
    state = LogState.objects.get()
    assert state.size == len(leaves) == 2 + 16
    assert merkle.Frontier.from_json(state.frontier).root() == merkle.Tree(leaves).root()
    # one signed tree head per batch (3 batches), and the last covers everything
    assert SignedTreeHead.objects.count() == heads_before + 3
    assert SignedTreeHead.objects.first().tree_size == state.size  # type: ignore[union-attr]
    report = verify_all()
    assert report.ok, report.problems


def test_unreadable_file_is_reported_and_others_go_on(world: World, tmp_path: Path) -> None:
    paths = _files(tmp_path, [b"one", b"two"])
    paths.insert(1, tmp_path / "missing.bin")
    outs = _ingest(world, paths, size=10)
    assert outs[1].error.startswith("cannot read") and outs[1].item is None
    assert outs[0].item is not None and outs[2].item is not None
    assert Item.objects.count() == 2


def test_failed_batch_transaction_leaves_no_item_and_no_entry(world: World, tmp_path: Path) -> None:
    """A database refusal in the middle of a batch: nothing of that batch stays."""
    paths = _files(tmp_path, [b"first batch a", b"first batch b", b"second", b"x" * 200])
    # The same link twice breaks the database's uniqueness constraint on links, after the
    # items of the batch were inserted: the database itself refuses the transaction.
    collection = services.Collection(case_ref="B-2", external_case=True)
    collection.links = [("dossier", "D-1"), ("dossier", "D-1")]
    with pytest.raises(IntegrityError):
        list(
            batch.ingest_many(
                Actor.system("test", world.own.pk),
                world.own,
                [(p.name, batch.file_opener(p)) for p in paths],
                collection=collection,
                batch_size=2,
            )
        )
    assert not Item.objects.exists() and not CustodyEntry.objects.exists()
    assert not ItemLink.objects.exists() and not Blob.objects.exists()
    assert LogState.objects.filter(size__gt=0).count() == 0
    assert len(list(unreferenced_objects())) == 2  # stored, referenced by nothing, reusable
    assert verify_all().ok


def test_cli_many_paths_uses_batches(world: World, tmp_path: Path) -> None:
    paths = _files(tmp_path, [os.urandom(100) for _ in range(7)])
    r = CliRunner().invoke(
        evidence,
        [
            "add",
            *map(str, paths),
            *("--case", "CLI-B", "--external-case", "--batch-size", "3"),
            *("--as-system", "--org", "own-org"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.output.count("sha256:") == 7
    assert Item.objects.filter(case_ref="CLI-B").count() == 7
    assert SignedTreeHead.objects.count() == 3


def _vault_with_operator(data_dir: Path) -> None:
    for args in (
        ["migrate"],
        [
            "createadmin",
            "--username",
            "op",
            "--organisation",
            "org1",
            "--password",
            "a-long-password-1",
        ],
    ):
        assert _vigie(data_dir, *args, stdout=subprocess.DEVNULL).wait(timeout=120) == 0


def _verify_output(data_dir: Path) -> str:
    check = _vigie(
        data_dir, "evidence", "verify", "--all", stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = check.communicate(timeout=120)[0].decode()
    assert check.returncode == 0, out
    return str(out)


@pytest.mark.slow
def test_killed_mid_batch_keeps_committed_batches_whole(tmp_path: Path) -> None:
    """SIGKILL while the third file of a run with --batch-size 2 is being read, once the
    first batch is reported (so committed and signed): the first batch (2 items, 4 entries,
    signed) stays; of the third file only a temporary file exists, under no object name."""
    data_dir = tmp_path / "vigie"
    _vault_with_operator(data_dir)
    paths = _files(tmp_path, [b"first of batch one", b"second of batch one"])
    fifo = tmp_path / "third.bin"
    os.mkfifo(fifo)
    proc = _vigie(
        data_dir,
        "evidence",
        "add",
        "--as-system",
        *map(str, paths),
        str(fifo),
        "--case",
        "C-B",
        "--external-case",
        "--batch-size",
        "2",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reported: list[bytes] = []

    def feed() -> None:
        with fifo.open("wb") as writer:
            # The pipe holds 64 KiB: once 1 MiB is written the third file is being staged.
            writer.write(os.urandom(1024 * 1024))
            assert proc.stdout is not None
            reported.extend(proc.stdout.readline() for _ in range(2))  # batch one is over
            proc.send_signal(signal.SIGKILL)  # the pipe is still open: mid-file
            proc.wait(timeout=30)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    feeder.join(timeout=180)
    if feeder.is_alive():
        proc.kill()
        pytest.fail(f"vigie evidence add did not read its input: {proc.communicate()[1]!r}")
    assert proc.returncode == -signal.SIGKILL
    assert [line.split()[-1] for line in reported] == [b"f00.bin", b"f01.bin"]
    assert len(list((data_dir / "evidence" / "tmp").iterdir())) == 1
    out = _verify_output(data_dir)
    assert "Intact: 2 object(s), 4 custody entries, 1 signed tree head(s)." in out
    assert "not referenced" not in out  # the third file has no object under a final name


@pytest.fixture
def case_records(world: World) -> tuple[Case, Perpetrator, Incident]:
    case = Case.objects.create(organisation=world.own, reference="C-LINK", source_type="mrm")
    perp = Perpetrator.objects.create(case=case, organisation=world.own, kind="group")
    incident = Incident.objects.create(case=case, organisation=world.own)
    return case, perp, incident


def test_links_to_perpetrators_and_incidents(
    world: World, tmp_path: Path, case_records: tuple[Case, Perpetrator, Incident]
) -> None:
    case, perp, incident = case_records
    paths = _files(tmp_path, [b"photo of the camp", b"ledger"])
    r = CliRunner().invoke(
        evidence,
        [
            "add",
            *map(str, paths),
            "--case",
            "C-LINK",
            "--as-system",
            "--org",
            "own-org",
            "--perpetrator",
            str(perp.pk),
            "--incident",
            str(incident.uuid),
        ],
    )
    assert r.exit_code == 0, r.output
    for item in Item.objects.filter(case_ref="C-LINK"):
        assert item.links.get(kind="perpetrator").perpetrator == perp
        assert item.links.get(kind="incident").incident == incident
        assert item.links.get(kind="case").case == case
    # the single-file service links the same way
    got = add(world, b"single", name="s.txt", case="C-LINK", external_case=False)
    assert not got.item.links.filter(kind="perpetrator").exists()


def test_links_refused_outside_the_case(
    world: World, tmp_path: Path, case_records: tuple[Case, Perpetrator, Incident]
) -> None:
    _case, perp, _incident = case_records
    other = Case.objects.create(organisation=world.own, reference="C-ELSE", source_type="mrm")
    stranger = Perpetrator.objects.create(case=other, organisation=world.own, kind="person")
    paths = _files(tmp_path, [b"x"])
    for flag, value, words in (
        ("--perpetrator", str(stranger.pk), f"perpetrator {stranger.pk}: no such record"),
        ("--incident", "99999", "incident 99999: no such record in case C-LINK"),
    ):
        r = CliRunner().invoke(
            evidence,
            [
                "add",
                str(paths[0]),
                "--case",
                "C-LINK",
                "--as-system",
                "--org",
                "own-org",
                flag,
                value,
            ],
        )
        assert r.exit_code != 0 and words in r.output, r.output
    r = CliRunner().invoke(
        evidence,
        [
            *("add", str(paths[0]), "--case", "EXT", "--external-case"),
            *("--perpetrator", str(perp.pk), "--as-system", "--org", "own-org"),
        ],
    )
    assert r.exit_code != 0 and "only a case record" in r.output
    assert not Item.objects.exists()


def test_sweep_removes_only_old_temporary_objects(tmp_path: Path) -> None:
    """What a killed run left (a day old) goes; a running ingest's files and others stay."""
    import time

    vault = ObjectStore(tmp_path / "vault")
    vault.tmp.mkdir(parents=True)
    old, fresh, other = (vault.tmp / n for n in ("ingest-old", "ingest-new", "keep.txt"))
    for p in (old, fresh, other):
        p.write_bytes(b"x")
    day_ago = time.time() - 25 * 3600
    for p in (old, other):
        os.utime(p, (day_ago, day_ago))
    assert vault.sweep_temporary() == 1
    assert sorted(p.name for p in vault.tmp.iterdir()) == ["ingest-new", "keep.txt"]


def test_store_put_many_is_durable_and_dedupes(tmp_path: Path) -> None:
    import io

    store = ObjectStore(tmp_path / "vault")
    staged = [store.stage(io.BytesIO(d), sync=False) for d in (b"a", b"b", b"a")]
    stored = store.put_many(staged)
    assert [s.created for s in stored] == [True, True, False]
    assert not list((tmp_path / "vault" / "tmp").iterdir())
    assert b"".join(store.open(stored[0].sha256)) == b"a"


def test_api_links_and_item_page(
    world: World, api: Any, web: Any, case_records: tuple[Case, Perpetrator, Incident]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _case, perp, incident = case_records
    client = api(world.users["investigator"])
    body = {
        "file": SimpleUploadedFile("p.txt", b"api bytes"),
        "case_ref": "C-LINK",
        "perpetrators": [str(perp.uuid)],
        "incidents": [str(incident.pk)],
    }
    r = client.post("/api/evidence/items/", body, format="multipart")
    assert r.status_code == 201, r.json()
    kinds = {(link["kind"], link["id"]) for link in r.json()["links"]}
    assert ("perpetrator", perp.pk) in kinds and ("incident", incident.pk) in kinds
    body = {"file": SimpleUploadedFile("q.txt", b"x"), "case_ref": "C-LINK", "incidents": ["77"]}
    r = client.post("/api/evidence/items/", body, format="multipart")
    assert r.status_code == 400 and "incident 77" in str(r.json())
    item = next(i for i in Item.objects.all() if i.original_name == "p.txt")  # encrypted
    page = web(world.users["investigator"]).get(f"/evidence/{item.uuid}/").content.decode()
    assert page.count('data-testid="record-link"') == 2
    assert f"/cases/{_case.uuid}/" in page
