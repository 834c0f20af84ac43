"""An insider with the database and the data directory against the custody log, caught by
the witness an auditor keeps outside both (truncation, full rewrite, swapped signing key)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vigie.cli import cli
from vigie.core.audit import record_access
from vigie.evidence import keys, merkle, sth
from vigie.evidence.cli import evidence
from vigie.evidence.models import CustodyEntry, Item, LogState, SignedTreeHead
from vigie.evidence.tests.factories import add
from vigie.testing import World


@pytest.fixture(autouse=True)
def audit_key(settings: Any, tmp_path: Path) -> None:
    key = tmp_path / "secure" / "audit.key"
    key.parent.mkdir()
    key.write_text("cd" * 32)
    settings.VIGIE_AUDIT_KEY_FILE = str(key)


def _three(world: World) -> list[Item]:
    return [add(world, f"file {i}".encode() * 100, name=f"f{i}.txt").item for i in range(3)]


def run(*args: str) -> Any:
    if args[0] == "evidence":
        return CliRunner().invoke(evidence, list(args[1:]))
    return CliRunner().invoke(cli, list(args))


def _reset_state() -> None:
    """Make the head row agree with whatever entries remain, as an insider would."""
    frontier = merkle.Frontier()
    size = 0
    for e in CustodyEntry.objects.order_by("seq"):
        frontier.append(bytes.fromhex(e.leaf_hash))
        size = e.seq
    LogState.objects.filter(pk=1).update(size=size, frontier=frontier.to_json())


def _resign_all(key: Ed25519PrivateKey) -> None:
    """Sign every stored tree head again (over the current leaves) with ``key``."""
    tree = merkle.Tree(
        [
            bytes.fromhex(h)
            for h in CustodyEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)
        ]
    )
    lid = sth.key_id(key.public_key())
    for head in SignedTreeHead.objects.all():
        root = tree.root(head.tree_size).hex()
        msg = sth.message(head.tree_size, root, head.timestamp_ms, lid)
        SignedTreeHead.objects.filter(pk=head.pk).update(
            root_hash=root, log_id=lid, signature=key.sign(msg).hex()
        )


def test_truncated_custody_log_is_detected_by_the_witness(
    world: World, tmp_path: Path, settings: Any
) -> None:
    items = _three(world)
    witness = tmp_path / "auditor"
    r = run("audit", "checkpoint", "--to", str(witness))
    assert r.exit_code == 0, r.output
    logs = [json.loads(x)["log"] for x in (witness / "checkpoints.jsonl").read_text().splitlines()]
    assert "custody" in logs
    # Remove the newest item with its entries and newest tree head; set the size back.
    newest = items[-1]
    CustodyEntry.objects.filter(item=newest).delete()
    Item.objects.filter(pk=newest.pk).delete()
    SignedTreeHead.objects.filter(tree_size=6).delete()
    _reset_state()
    assert run("evidence", "verify", "--all").exit_code == 0  # consistent inside the vault
    r = run("evidence", "verify", "--all", "--witness", str(witness))
    assert r.exit_code == 1, r.output
    assert "truncated" in r.output and "6 entries" in r.output
    settings.VIGIE_WITNESS = [str(witness)]  # the configured witness is checked by default
    r = run("evidence", "verify", "--all")
    assert r.exit_code == 1 and "truncated" in r.output
    r = run("audit", "verify")
    assert r.exit_code == 0 and f"Witness {witness}: it holds no access-log checkpoint" in r.output


def test_full_rewrite_is_detected_by_the_consistency_proof(world: World, tmp_path: Path) -> None:
    _three(world)
    witness = tmp_path / "auditor"
    assert run("audit", "checkpoint", "--to", str(witness)).exit_code == 0
    e = CustodyEntry.objects.get(seq=2)
    e.detail = {**e.detail, "size": 1}
    CustodyEntry.objects.filter(pk=e.pk).update(detail=e.detail, leaf_hash=e.compute_leaf_hash())
    _reset_state()
    _resign_all(keys.signing_key())  # the key was in the data directory
    assert run("evidence", "verify", "--all").exit_code == 0
    r = run("evidence", "verify", "--all", "--witness", str(witness))
    assert r.exit_code == 1, r.output
    assert "consistency proof" in r.output


def test_swapped_signing_key_is_detected(world: World, tmp_path: Path, vault_dir: Path) -> None:
    _three(world)
    record_access(world.users["investigator"], "view", "item", 1, ["name"], "own-org")
    witness = tmp_path / "auditor"
    assert run("audit", "checkpoint", "--to", str(witness)).exit_code == 0
    new = Ed25519PrivateKey.generate()
    pem = new.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = vault_dir / "evidence" / "signing-key.pem"
    path.chmod(0o600)
    path.write_bytes(pem)
    time.sleep(0.01)
    _resign_all(new)
    assert run("evidence", "verify", "--all").exit_code == 0
    r = run("evidence", "verify", "--all", "--witness", str(witness))
    assert r.exit_code == 1, r.output
    assert "signing key" in r.output
    r = run("audit", "verify", "--witness", str(witness))
    assert r.exit_code == 1, r.output
    assert "signing key" in r.output


def test_checkpoints_carry_consistency_proofs_checked_offline(world: World, tmp_path: Path) -> None:
    _three(world)
    witness = tmp_path / "auditor"
    assert run("audit", "checkpoint", "--to", str(witness)).exit_code == 0
    add(world, b"later file", name="later.txt")
    assert run("audit", "checkpoint", "--to", str(witness)).exit_code == 0
    lines = [json.loads(x) for x in (witness / "checkpoints.jsonl").read_text().splitlines()]
    custody = [x for x in lines if x["log"] == "custody"]
    assert [c["size"] for c in custody] == [6, 8]
    assert custody[1]["previous_size"] == 6 and custody[1]["proof"]
    r = run("evidence", "verify", "--all", "--witness", str(witness))
    assert r.exit_code == 0, r.output
    # A witness line whose proof does not lead from the previous one is reported.
    custody[1]["proof"][0] = "00" * 32
    (witness / "checkpoints.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in lines if x["log"] != "custody")
        + "".join(json.dumps(x) + "\n" for x in custody)
    )
    r = run("evidence", "verify", "--all", "--witness", str(witness))
    assert r.exit_code == 1 and "consistency proof" in r.output


@pytest.fixture
def s3_witness(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto S3 server on 127.0.0.1 with an object-lock bucket the auditor owns."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for k, v in {
        "VIGIE_WITNESS_S3_ENDPOINT": endpoint,
        "VIGIE_WITNESS_S3_REGION": "us-east-1",
        "VIGIE_WITNESS_S3_ACCESS_KEY": "test",
        "VIGIE_WITNESS_S3_SECRET_KEY": "test",
    }.items():
        monkeypatch.setenv(k, v)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket="auditor", ObjectLockEnabledForBucket=True)
    try:
        yield client
    finally:
        server.stop()


def test_s3_witness_with_object_lock(
    world: World, s3_witness: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VIGIE_WITNESS_S3_LOCK_DAYS = 30
    _three(world)
    r = run("audit", "checkpoint", "--to", "s3://auditor/vigie")
    assert r.exit_code == 0, r.output
    names = [o["Key"] for o in s3_witness.list_objects_v2(Bucket="auditor")["Contents"]]
    assert len(names) == 1 and "custody" in names[0]
    head = s3_witness.head_object(Bucket="auditor", Key=names[0])
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"]
    assert run("evidence", "verify", "--all", "--witness", "s3://auditor/vigie").exit_code == 0
    add(world, b"later file", name="later.txt")
    assert run("audit", "checkpoint", "--to", "s3://auditor/vigie").exit_code == 0
    names = [o["Key"] for o in s3_witness.list_objects_v2(Bucket="auditor")["Contents"]]
    second = json.loads(s3_witness.get_object(Bucket="auditor", Key=max(names))["Body"].read())
    assert second["size"] == 8 and second["previous_size"] == 6 and second["proof"]
    assert run("evidence", "verify", "--all", "--witness", "s3://auditor/vigie").exit_code == 0
    CustodyEntry.objects.filter(seq__gt=6).delete()
    SignedTreeHead.objects.filter(tree_size__gt=6).delete()
    _reset_state()
    r = run("evidence", "verify", "--all", "--witness", "s3://auditor/vigie")
    assert r.exit_code == 1 and "truncated" in r.output


def test_the_worker_checkpoints_every_hour(world: World, settings: Any, tmp_path: Path) -> None:
    from vigie.core.tasks import hourly_checkpoint

    _three(world)
    settings.VIGIE_WITNESS = [str(tmp_path / "auditor")]
    hourly_checkpoint.call_local()
    hourly_checkpoint.call_local()
    lines = [
        json.loads(x) for x in (tmp_path / "auditor" / "checkpoints.jsonl").read_text().splitlines()
    ]
    assert [(x["log"], x["size"]) for x in lines] == [("custody", 6), ("custody", 6)]
    assert lines[1]["previous_size"] == 6 and lines[1]["proof"] == []


def test_checkpoints_are_timestamped_when_an_authority_is_configured(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from vigie.evidence.tests.tsa_server import running_tsa

    _three(world)
    witness = tmp_path / "auditor"
    with running_tsa() as (url, server):
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_URL", url)
        ca = tmp_path / "ca.pem"
        ca.write_bytes(server.ca_pem)
        monkeypatch.setenv("VIGIE_EVIDENCE_TSA_CA", str(ca))
        assert run("audit", "checkpoint", "--to", str(witness)).exit_code == 0
    path = witness / "checkpoints.jsonl"
    line = json.loads(path.read_text())
    assert line["tsa_token"]
    assert run("evidence", "verify", "--all", "--witness", str(witness)).exit_code == 0
    other = json.loads(path.read_text())
    other["tsa_token"] = json.loads(path.read_text())["tsa_token"][:-8] + "AAAAAAA="
    path.write_text(json.dumps(other) + "\n")
    r = run("evidence", "verify", "--all", "--witness", str(witness))
    assert r.exit_code == 1 and "RFC 3161 timestamp" in r.output, r.output


@pytest.mark.slow
def test_insider_with_sqlite_and_the_data_dir_is_caught_by_the_witness(tmp_path: Path) -> None:
    """The finding end to end, in real processes: an insider deletes the newest item with
    its entries and newest tree head straight in the SQLite file and sets the log back;
    `verify --all` is satisfied, the witness an auditor kept is not."""
    import os
    import sqlite3
    import subprocess
    import sys

    data_dir, witness = tmp_path / "vigie", tmp_path / "auditor"
    secure = tmp_path / "keys-elsewhere"
    secure.mkdir()
    (secure / "audit.key").write_text("ab" * 32)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VIGIE_WITNESS")}
    env.update(
        VIGIE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="vigie.settings.dev",
        VIGIE_AUDIT_KEY_FILE=str(secure / "audit.key"),
    )

    def vigie(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from vigie.cli import main; main()", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    files = []
    for i in range(3):
        files.append(tmp_path / f"f{i}.txt")
        files[-1].write_bytes(f"statement {i}".encode() * 100)
    assert vigie("migrate").returncode == 0
    pw = "a-long-password-1"
    r = vigie("createadmin", "--username", "op", "--organisation", "o1", "--password", pw)
    assert r.returncode == 0, r.stderr
    for path in files:  # one run per file: one signed tree head each
        r = vigie(
            "evidence",
            "add",
            str(path),
            "--case",
            "C-1",
            "--external-case",
            "--as-system",
            "--org",
            "o1",
        )
        assert r.returncode == 0, r.stderr
    r = vigie("audit", "checkpoint", "--to", str(witness))
    assert r.returncode == 0, r.stderr

    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    with db:
        (newest,) = db.execute("SELECT item_id FROM evidence_custodyentry WHERE seq = 6").fetchone()
        db.execute("DELETE FROM evidence_custodyentry WHERE item_id = ?", [newest])
        db.execute("DELETE FROM evidence_item WHERE id = ?", [newest])
        db.execute("DELETE FROM evidence_signedtreehead WHERE tree_size > 4")
        leaves = [
            h for (h,) in db.execute("SELECT leaf_hash FROM evidence_custodyentry ORDER BY seq")
        ]
        frontier = merkle.Frontier()
        for h in leaves:
            frontier.append(bytes.fromhex(h))
        db.execute(
            "UPDATE evidence_logstate SET size = ?, frontier = ?",
            [len(leaves), json.dumps(frontier.to_json())],
        )
    db.close()
    r = vigie("evidence", "verify", "--all")
    assert r.returncode == 0, r.stdout + r.stderr  # the vault alone cannot tell
    r = vigie("evidence", "verify", "--all", "--witness", str(witness))
    assert r.returncode == 1
    assert "truncated: the witness saw 6 entries" in r.stderr and "the log has 4" in r.stderr
