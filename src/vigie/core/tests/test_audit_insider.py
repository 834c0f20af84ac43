"""An insider with the database (and, in a demo, the data directory) against the access log.

Rewriting the chain with recomputed hashes is caught by the keyed chain when the key is
elsewhere, and by the witness when the key was at hand too; cutting the tail is caught by
the witness even when the head row is set back with it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection

from vigie.cli import cli
from vigie.core.audit import record_access
from vigie.core.models import AccessLogEntry
from vigie.testing import World


@pytest.fixture(autouse=True)
def own_keys(settings: Any, tmp_path: Path) -> Path:
    """A data directory and an audit key file of this test's own (the key outside it)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    key = tmp_path / "secure" / "audit.key"
    key.parent.mkdir()
    key.write_text("ab" * 32)
    settings.VIGIE_AUDIT_KEY_FILE = str(key)
    settings.VIGIE_AUDIT_KEY = ""
    return key


def _fill(world: World, n: int = 6) -> None:
    for i in range(n):
        record_access(world.users["field_officer"], "view", "victim", i, ["name"], "own-org")


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def _rechain(mac: Any) -> None:
    """Recompute every entry's hash and the head as an insider would, with ``mac``."""
    prev = "0" * 64
    last = 0
    for e in AccessLogEntry.objects.order_by("seq"):
        canonical = json.dumps(e.payload(), sort_keys=True, separators=(",", ":"))
        digest = mac(f"{prev}\n{canonical}".encode())
        _sql(
            "UPDATE core_accesslogentry SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [prev, digest, e.seq],
        )
        prev, last = digest, e.seq
    _sql("UPDATE core_accessloghead SET last_seq = %s, last_hash = %s", [last, prev])


def _delete_and_renumber(seq: int) -> None:
    _sql("DELETE FROM core_accesslogentry WHERE seq = %s", [seq])
    _sql("UPDATE core_accesslogentry SET seq = seq - 1 WHERE seq > %s", [seq])


def audit(*args: str) -> Any:
    return CliRunner().invoke(cli, ["audit", *args])


def test_deleted_entry_with_rechained_sha256_is_detected_by_the_key(world: World) -> None:
    _fill(world)
    _delete_and_renumber(3)
    _rechain(lambda data: hashlib.sha256(data).hexdigest())
    result = audit("verify")
    assert result.exit_code == 1, result.output
    assert "every entry was rewritten without it" in result.output


def test_part_of_the_chain_rechained_without_the_key_names_each_entry(world: World) -> None:
    _fill(world)
    _sql("UPDATE core_accesslogentry SET actor_username = %s WHERE seq = 4", ["someone-else"])
    prev = AccessLogEntry.objects.get(seq=3).entry_hash
    for e in AccessLogEntry.objects.filter(seq__gte=4).order_by("seq"):
        canonical = json.dumps(e.payload(), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()
        _sql(
            "UPDATE core_accesslogentry SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [prev, digest, e.seq],
        )
        prev = digest
    _sql("UPDATE core_accessloghead SET last_hash = %s", [prev])
    result = audit("verify")
    assert result.exit_code == 1
    assert [x.split(":")[0:2] for x in result.output.splitlines()[:-1]] == [
        ["entry 4", " edited"],
        ["entry 5", " edited"],
        ["entry 6", " edited"],
    ]


def test_rechained_with_the_key_is_detected_by_the_witness(
    world: World, tmp_path: Path, own_keys: Path
) -> None:
    import hmac

    _fill(world)
    witness = tmp_path / "auditor"
    result = audit("checkpoint", "--to", str(witness))
    assert result.exit_code == 0, result.output
    assert (witness / "checkpoints.jsonl").exists()
    key = bytes.fromhex(own_keys.read_text())
    _sql("UPDATE core_accesslogentry SET actor_username = %s WHERE seq = 3", ["someone-else"])
    _rechain(lambda data: hmac.new(key, data, hashlib.sha256).hexdigest())
    assert audit("verify").exit_code == 0  # the key was stolen: the chain alone cannot tell
    result = audit("verify", "--witness", str(witness))
    assert result.exit_code == 1, result.output
    assert "witness" in result.output and "entry 6" in result.output


def test_truncated_log_is_detected_against_the_witness(world: World, tmp_path: Path) -> None:
    _fill(world)
    witness = tmp_path / "auditor"
    assert audit("checkpoint", "--to", str(witness)).exit_code == 0
    last = AccessLogEntry.objects.get(seq=4)
    _sql("DELETE FROM core_accesslogentry WHERE seq > 4", [])
    _sql("UPDATE core_accessloghead SET last_seq = 4, last_hash = %s", [last.entry_hash])
    assert audit("verify").exit_code == 0  # consistent inside the database
    result = audit("verify", "--witness", str(witness))
    assert result.exit_code == 1, result.output
    assert "truncated" in result.output and "6 entries" in result.output


def test_growing_log_stays_consistent_with_the_witness(world: World, tmp_path: Path) -> None:
    _fill(world, 3)
    witness = tmp_path / "auditor"
    assert audit("checkpoint", "--to", str(witness)).exit_code == 0
    _fill(world, 2)
    assert audit("checkpoint", "--to", str(witness)).exit_code == 0
    lines = (witness / "checkpoints.jsonl").read_text().splitlines()
    assert len([json.loads(x) for x in lines if json.loads(x)["log"] == "access"]) == 2
    _fill(world, 1)
    result = audit("verify", "--witness", str(witness))
    assert result.exit_code == 0, result.output
    assert "witnessed" in result.output


def test_edited_witness_line_is_detected(world: World, tmp_path: Path) -> None:
    _fill(world, 3)
    witness = tmp_path / "auditor"
    assert audit("checkpoint", "--to", str(witness)).exit_code == 0
    path = witness / "checkpoints.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    for line in lines:
        if line["log"] == "access":
            line["size"] = 2
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = audit("verify", "--witness", str(witness))
    assert result.exit_code == 1
    assert "signature" in result.output


def test_missing_audit_key_file_is_an_error_not_a_new_key(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.VIGIE_AUDIT_KEY_FILE = str(tmp_path / "nowhere" / "audit.key")
    with pytest.raises(Exception, match="audit key"):
        record_access(world.users["field_officer"], "view", "victim", 1, ["name"], "own-org")


def _migration() -> Any:
    import importlib

    return importlib.import_module("vigie.core.migrations.0004_tamper_keyed_access_chain")


def test_upgrade_rechains_an_intact_unkeyed_log_under_the_key(world: World) -> None:
    from django.apps import apps

    _fill(world, 4)
    _rechain(lambda data: hashlib.sha256(data).hexdigest())  # as the previous version wrote
    assert audit("verify").exit_code == 1
    _migration().rechain(apps, None)
    result = audit("verify")
    assert result.exit_code == 0, result.output
    assert "4 entries" in result.output


def test_upgrade_refuses_a_broken_unkeyed_log(world: World) -> None:
    from django.apps import apps

    _fill(world, 4)
    _rechain(lambda data: hashlib.sha256(data).hexdigest())
    _sql("UPDATE core_accesslogentry SET actor_username = %s WHERE seq = 2", ["someone-else"])
    with pytest.raises(RuntimeError, match="entry 2"):
        _migration().rechain(apps, None)


def test_unreadable_witness_is_an_error_naming_it(world: World, tmp_path: Path) -> None:
    _fill(world, 2)
    witness = tmp_path / "auditor"
    assert audit("checkpoint", "--to", str(witness)).exit_code == 0
    with (witness / "checkpoints.jsonl").open("a") as out:
        out.write("[1, 2]\n")
    result = audit("verify", "--witness", str(witness))
    assert result.exit_code == 1
    assert "cannot read the witness (checkpoint 2)" in result.output
    result = audit("verify", "--witness", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "no witness file there" in result.output


def test_wrong_audit_key_is_one_problem_not_one_per_entry(
    world: World, settings: Any, tmp_path: Path
) -> None:
    _fill(world, 5)
    other = tmp_path / "other.key"
    other.write_text("01" * 32)
    settings.VIGIE_AUDIT_KEY_FILE = str(other)
    result = audit("verify")
    assert result.exit_code == 1
    assert "entry 1: key: none of the 5 entries verifies under this audit key" in result.output
    assert "edited" not in result.output


def test_a_log_whose_head_disagrees_is_not_witnessed(world: World, tmp_path: Path) -> None:
    _fill(world, 3)
    _sql("DELETE FROM core_accesslogentry WHERE seq = 3", [])
    witness = tmp_path / "auditor"
    result = audit("checkpoint", "--to", str(witness))
    assert result.exit_code == 1
    assert "access log not witnessed: the access log's last entry does not match" in result.output
    lines = (witness / "checkpoints.jsonl").read_text().splitlines()
    assert all(json.loads(x)["log"] != "access" for x in lines)
