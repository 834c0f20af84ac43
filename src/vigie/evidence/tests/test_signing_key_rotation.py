"""Rotation of the signing key (custody tree heads, witnessed checkpoints) through the
command line: what the retired key signed before its retirement still verifies, and an
insider who kept the retired key cannot sign new tree heads or checkpoints with it
(docs/adr/0044)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vigie.cli import cli
from vigie.core import signing, witness
from vigie.core.audit import record_access
from vigie.evidence import keys, sth
from vigie.evidence.cli import evidence
from vigie.evidence.models import LogState, SignedTreeHead
from vigie.evidence.tests.factories import add
from vigie.evidence.tests.test_bag_integrity import _rewrite_manifests
from vigie.testing import World


@pytest.fixture(autouse=True)
def audit_key(settings: Any, tmp_path: Path) -> None:
    key = tmp_path / "secure" / "audit.key"
    key.parent.mkdir()
    key.write_text("cd" * 32)
    settings.VIGIE_AUDIT_KEY_FILE = str(key)


def run(*args: str) -> Any:
    if args[0] == "evidence":
        return CliRunner().invoke(evidence, list(args[1:]))
    return CliRunner().invoke(cli, list(args))


def _items(world: World, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        add(world, f"file {i}".encode() * 100, name=f"f{i}.txt")
    record_access(world.users["investigator"], "view", "item", start, ["name"], "own-org")


def _rotated(world: World, tmp_path: Path) -> tuple[Ed25519PrivateKey, Path]:
    """Items and checkpoints under the first key, a rotation, more under the second; the
    first key as an insider kept it."""
    _items(world, 3)
    auditor = tmp_path / "auditor"
    assert run("audit", "checkpoint", "--to", str(auditor)).exit_code == 0
    stolen = keys.signing_key()
    r = run("audit", "rotate-signing-key")
    assert r.exit_code == 0, r.output
    assert f"{signing.fingerprint(stolen.public_key())} retired" in r.output
    time.sleep(0.01)
    _items(world, 2, start=3)
    assert run("audit", "checkpoint", "--to", str(auditor)).exit_code == 0
    return stolen, auditor


def test_items_signed_before_the_rotation_still_verify(world: World, tmp_path: Path) -> None:
    stolen, auditor = _rotated(world, tmp_path)
    old, new = signing.fingerprint(stolen.public_key()), keys.log_id()
    assert old != new
    assert {old, new} <= set(SignedTreeHead.objects.values_list("log_id", flat=True))
    lines = [json.loads(x) for x in (auditor / "checkpoints.jsonl").read_text().splitlines()]
    assert {line["key_id"] for line in lines} == {old, new}
    r = run("evidence", "verify", "--all", "--witness", str(auditor))
    assert r.exit_code == 0, r.output
    r = run("audit", "verify", "--witness", str(auditor))
    assert r.exit_code == 0, r.output


def test_a_tree_head_signed_with_the_retired_key_after_its_retirement_is_detected(
    world: World, tmp_path: Path
) -> None:
    stolen, _auditor = _rotated(world, tmp_path)
    state = LogState.objects.get(pk=1)
    newest = SignedTreeHead.objects.order_by("-tree_size").first()
    assert newest is not None and newest.tree_size == state.size
    lid = sth.key_id(stolen.public_key())
    now = int(time.time() * 1000)
    msg = sth.message(newest.tree_size, newest.root_hash, now, lid)
    SignedTreeHead.objects.create(
        tree_size=newest.tree_size,
        root_hash=newest.root_hash,
        timestamp_ms=now,
        log_id=lid,
        signature=stolen.sign(msg).hex(),
    )
    r = run("evidence", "verify", "--all")
    assert r.exit_code == 1, r.output
    assert "after its retirement" in r.output


def test_a_checkpoint_signed_with_the_retired_key_after_its_retirement_is_detected(
    world: World, tmp_path: Path
) -> None:
    stolen, auditor = _rotated(world, tmp_path)
    good = witness.last_of(witness.read(str(auditor)), "access")
    assert good is not None
    forged = witness.Checkpoint(
        log="access", size=good.size, head=good.head, timestamp=int(time.time() * 1000)
    )
    forged.key_id = signing.fingerprint(stolen.public_key())
    forged.public_key = signing.public_pem(stolen.public_key())
    forged.signature = stolen.sign(forged.message()).hex()
    with (auditor / "checkpoints.jsonl").open("a") as fh:
        fh.write(json.dumps(forged.__dict__) + "\n")
    r = run("audit", "verify", "--witness", str(auditor))
    assert r.exit_code == 1, r.output
    assert "after its retirement" in r.output


def test_a_retirement_record_not_endorsed_by_the_chain_is_not_trusted(
    world: World, tmp_path: Path, vault_dir: Path
) -> None:
    """An insider writes a retirement record for a key of their own: it is not signed by the
    active key, so what that key signs is still a swapped key."""
    _items(world, 2)
    mine = Ed25519PrivateKey.generate()
    record = signing.RetiredKey(
        key_id=signing.fingerprint(mine.public_key()),
        public_key=signing.public_pem(mine.public_key()),
        successor=keys.log_id(),
        retired_at=int(time.time() * 1000) + 10**9,
        sizes={"custody": 10**6, "access": 10**6},
    )
    record = signing.RetiredKey(
        **{
            **record.__dict__,
            "endorsement": mine.sign(record.message()).hex(),
            "signature": mine.sign(record.message()).hex(),
        }
    )
    signing.retired_path().write_text(json.dumps(record.__dict__) + "\n")
    assert signing.retired_keys() == {}
    pem = mine.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pem.decode() == record.public_key


def _export(world: World, tmp_path: Path, name: str) -> Path:
    out = tmp_path / name
    r = run(
        "evidence", "export", "--case", "C-9", "-o", str(out), "--as-system", "--org", "own-org"
    )
    assert r.exit_code == 0, r.output
    return out


def _public_key(tmp_path: Path) -> Path:
    pub = tmp_path / "vault-now.pem"
    pub.write_text(CliRunner().invoke(evidence, ["public-key"]).stdout)
    return pub


def test_verify_bag_accepts_a_bag_signed_before_its_key_was_retired(
    world: World, tmp_path: Path
) -> None:
    for i in range(2):
        add(world, f"bag file {i}".encode() * 40, name=f"b{i}.txt", case="C-9")
    bag = _export(world, tmp_path, "before")
    old = keys.log_id()
    assert run("audit", "rotate-signing-key").exit_code == 0
    pub = _public_key(tmp_path)
    # the vault's current key with the retired-keys file (found beside the vault's key)
    r = run("evidence", "verify-bag", str(bag), "--public-key", str(pub))
    assert r.exit_code == 0, r.output
    assert f"key {old}, retired after the bag was made" in r.output
    # an auditor's copy of the retired-keys file, passed explicitly
    copy = tmp_path / "retired.jsonl"
    copy.write_text(signing.retired_path().read_text())
    r = run(
        "evidence", "verify-bag", str(bag), "--public-key", str(pub), "--retired-keys", str(copy)
    )
    assert r.exit_code == 0, r.output
    # without the retired-keys file the old signature is not the vault's key
    signing.retired_path().unlink()
    r = run("evidence", "verify-bag", str(bag), "--public-key", str(pub))
    assert r.exit_code != 0 and "not by the key" in r.output


def _resign(bag: Path, key: Ed25519PrivateKey) -> None:
    """Sign the bag's tree head and contents with ``key`` and recompute every manifest, as
    an insider holding that key would."""
    from vigie.evidence.bag import contents_message

    custody = bag / "data" / "custody"
    head = json.loads((custody / "tree-head.json").read_text())
    lid = sth.key_id(key.public_key())
    head["log_id"] = lid
    head["timestamp"] = int(time.time() * 1000)
    msg = sth.message(int(head["tree_size"]), str(head["root_hash"]), head["timestamp"], lid)
    head["signature"] = key.sign(msg).hex()
    head.pop("tsa_token", None)
    (custody / "tree-head.json").write_text(json.dumps(head))
    body = json.loads((custody / "contents.json").read_text())
    body["key_id"] = lid
    body["signature"] = key.sign(contents_message(body)).hex()
    (custody / "contents.json").write_text(json.dumps(body))
    for alg in ("sha256", "sha512"):
        manifest = bag / f"manifest-{alg}.txt"
        names = [n.split(maxsplit=1)[1] for n in manifest.read_text().splitlines()]
        manifest.write_text(
            "".join(f"{hashlib.new(alg, (bag / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
        )
    _rewrite_manifests(bag)


def test_verify_bag_refuses_a_bag_signed_with_a_retired_key_after_its_retirement(
    world: World, tmp_path: Path
) -> None:
    add(world, b"first" * 40, name="first.txt", case="C-9")
    stolen = keys.signing_key()
    assert run("audit", "rotate-signing-key").exit_code == 0
    pub = _public_key(tmp_path)
    time.sleep(0.01)
    add(world, b"later" * 40, name="later.txt", case="C-9")
    bag = _export(world, tmp_path, "after")
    r = run("evidence", "verify-bag", str(bag), "--public-key", str(pub))
    assert r.exit_code == 0, r.output  # the bag as the vault made it
    _resign(bag, stolen)
    auditor_copy = tmp_path / "retired.jsonl"
    auditor_copy.write_text(signing.retired_path().read_text())
    r = run(
        "evidence",
        "verify-bag",
        str(bag),
        "--public-key",
        str(pub),
        "--retired-keys",
        str(auditor_copy),
    )
    assert r.exit_code != 0, r.output
    assert "after the vault retired it" in r.output
