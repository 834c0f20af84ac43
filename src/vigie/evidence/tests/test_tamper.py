"""Each kind of tampering is reported precisely by verification."""

from __future__ import annotations

import itertools
import os

from vigie.evidence import log, store
from vigie.evidence.models import CustodyEntry, Item, LogState, SignedTreeHead
from vigie.evidence.tests.factories import add
from vigie.evidence.verify import verify_all
from vigie.testing import World


def _three(world: World) -> list:
    return [add(world, f"file {i}".encode() * 100, name=f"f{i}.txt").item for i in range(3)]


def test_intact(world: World) -> None:
    _three(world)
    report = verify_all()
    assert report.ok and report.objects == 3 and report.entries == 6 and report.tree_heads == 3


def test_flipped_byte_in_object(world: World) -> None:
    items = _three(world)
    path = store.default_store().path_of(items[1].blob.sha256)
    os.chmod(path, 0o600)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    report = verify_all()
    assert [(p.kind, p.where) for p in report.problems] == [("object", f"item {items[1].uuid}")]
    assert "chunk 0" in report.problems[0].message and "fails authentication" in str(
        report.problems[0]
    )


def test_missing_and_truncated_object(world: World) -> None:
    items = _three(world)
    path = store.default_store().path_of(items[0].blob.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(path.read_bytes()[:-5])
    store.default_store().path_of(items[2].blob.sha256).unlink()
    msgs = {p.where: p.message for p in verify_all().problems}
    assert "fails authentication" in msgs[f"item {items[0].uuid}"]
    assert "missing" in msgs[f"item {items[2].uuid}"]


def test_edited_entry(world: World) -> None:
    _three(world)
    CustodyEntry.objects.filter(seq=3).update(actor_name="someone-else")
    problems = verify_all().problems
    assert ("edited", "entry 3") in [(p.kind, p.where) for p in problems]
    assert all(p.where != "entry 2" for p in problems)


def test_edited_entry_with_recomputed_hash_breaks_signed_root(world: World) -> None:
    _three(world)
    e = CustodyEntry.objects.get(seq=4)
    e.detail = {**e.detail, "size": 1}
    e.leaf_hash = e.compute_leaf_hash()
    e.save()
    problems = verify_all().problems
    assert [p.kind for p in problems] == ["root", "root"]  # heads of size 4 and 6
    assert "size 4" in problems[0].where
    root_problem = next(p for p in problems if p.kind == "root")
    assert "between 3 and 4" in root_problem.message


def test_deleted_entry(world: World) -> None:
    _three(world)
    CustodyEntry.objects.filter(seq=2).delete()
    problems = verify_all().problems
    assert ("missing", "entry 2") in [(p.kind, p.where) for p in problems]
    assert any(p.kind == "root" for p in problems)


def test_deleted_newest_entries(world: World) -> None:
    _three(world)
    CustodyEntry.objects.filter(seq__gte=5).delete()
    problems = verify_all().problems
    assert any(
        p.kind == "truncated" and "records 6 entries but the log ends at 4" in p.message
        for p in problems
    )


def test_reordered_entries(world: World) -> None:
    _three(world)
    a, b = CustodyEntry.objects.get(seq=3), CustodyEntry.objects.get(seq=4)
    CustodyEntry.objects.filter(pk=a.pk).update(seq=-1)
    CustodyEntry.objects.filter(pk=b.pk).update(seq=3)
    CustodyEntry.objects.filter(pk=a.pk).update(seq=4)
    problems = verify_all().problems
    kinds = {(p.kind, p.where) for p in problems}
    assert ("edited", "entry 3") in kinds and ("edited", "entry 4") in kinds


def test_reordered_with_recomputed_hashes(world: World) -> None:
    _three(world)
    a, b = CustodyEntry.objects.get(seq=5), CustodyEntry.objects.get(seq=6)
    a.at, b.at = b.at, a.at  # swap contents but keep times increasing: dates betray it
    for e, seq in ((a, -1), (b, 5), (a, 6)):
        e.seq = seq
        e.leaf_hash = e.compute_leaf_hash()
        e.save()
    problems = verify_all().problems
    assert any(p.kind == "root" and "size 6" in p.where for p in problems)


def test_forged_signature(world: World) -> None:
    _three(world)
    sth = SignedTreeHead.objects.get(tree_size=4)
    sig = bytearray(bytes.fromhex(sth.signature))
    sig[0] ^= 1
    SignedTreeHead.objects.filter(pk=sth.pk).update(signature=sig.hex())
    forged_root = SignedTreeHead.objects.get(tree_size=6)
    SignedTreeHead.objects.filter(pk=forged_root.pk).update(root_hash="00" * 32)
    problems = verify_all().problems
    assert [(p.kind, p.where) for p in problems] == [
        ("signature", f"tree head {sth.pk} (size 4)"),
        ("signature", f"tree head {forged_root.pk} (size 6)"),
    ]


def test_signature_by_another_key(world: World, vault_dir) -> None:
    _three(world)
    (vault_dir / "evidence" / "signing-key.pem").unlink()  # a new key appears
    problems = verify_all().problems
    assert len(problems) == 3 and {p.kind for p in problems} == {"signature"}


def test_log_state_and_consistency(world: World) -> None:
    _three(world)
    tree = log.load_tree()
    heads = list(SignedTreeHead.objects.order_by("tree_size"))
    from vigie.evidence import merkle

    for old, new in itertools.pairwise(heads):
        proof = tree.consistency_proof(old.tree_size, new.tree_size)
        assert merkle.verify_consistency(
            old.tree_size,
            new.tree_size,
            proof,
            bytes.fromhex(old.root_hash),
            bytes.fromhex(new.root_hash),
        )
    assert LogState.objects.get().size == 6


def test_edited_collection_record(world: World) -> None:
    """The record (who, where, when, consent) is bound into the "collected" entry by digest."""
    got = add(world, b"statement", name="s.txt", place="Sinjar (synthetic)")
    assert verify_all().ok
    Item.objects.filter(pk=got.item.pk).update(place="Elsewhere")
    report = verify_all()
    assert [p.kind for p in report.problems] == ["record"]
    assert str(got.item.uuid) in str(report.problems[0])
    assert "custody entry 1" in str(report.problems[0])
    assert [p.kind for p in verify_all(Item.objects.get(pk=got.item.pk)).problems] == ["record"]
