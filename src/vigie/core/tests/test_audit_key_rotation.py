"""Rotation of the audit key (the access log's MAC key) through the command line: entries
name their key, older keys stay to verify their entries, and an insider who kept a retired
key cannot append entries with it (docs/adr/0044)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.utils import timezone

from vigie.cli import cli
from vigie.core.audit import key_id, record_access
from vigie.core.models import AccessLogEntry, AccessLogHead, access_mac
from vigie.testing import World


@pytest.fixture(autouse=True)
def key_file(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    key = tmp_path / "secure" / "audit.key"
    key.parent.mkdir()
    key.write_text("ab" * 32)
    settings.VIGIE_AUDIT_KEY_FILE = str(key)
    settings.VIGIE_AUDIT_KEY = ""
    return key


def audit(*args: str) -> Any:
    return CliRunner().invoke(cli, ["audit", *args])


def _fill(world: World, n: int) -> None:
    for i in range(n):
        record_access(world.users["field_officer"], "view", "victim", i, ["name"], "own-org")


def _append_forged(key: bytes, kid: str) -> None:
    """An insider appends an entry MAC'd with ``key`` and moves the head, as the code would."""
    head = AccessLogHead.objects.get(pk=1)
    entry = AccessLogEntry(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor_username="u-field_officer",
        organisation_code="own-org",
        action="view",
        object_type="victim",
        object_id="99",
        fields=["name"],
        prev_hash=head.last_hash,
        key_id=kid,
    )
    entry.entry_hash = access_mac(key, entry.prev_hash, entry.payload())
    entry.save()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_accessloghead SET last_seq = %s, last_hash = %s",
            [entry.seq, entry.entry_hash],
        )


def test_rotation_keeps_old_entries_verifiable_and_names_keys(world: World, key_file: Path) -> None:
    _fill(world, 3)
    old = key_id(bytes.fromhex("ab" * 32))
    assert set(AccessLogEntry.objects.values_list("key_id", flat=True)) == {old}
    r = audit("rotate-key")
    assert r.exit_code == 0, r.output
    assert f"{old} retired" in r.output
    lines = key_file.read_text().split()
    assert len(lines) == 2 and lines[0] == "ab" * 32
    new = key_id(bytes.fromhex(lines[1]))
    _fill(world, 2)
    rotation = AccessLogEntry.objects.get(action="audit.rotate_key")
    assert rotation.key_id == new and rotation.detail == {"from": old, "to": new}
    assert list(
        AccessLogEntry.objects.filter(seq__gt=rotation.seq).values_list("key_id", flat=True)
    ) == [new, new]
    r = audit("verify")
    assert r.exit_code == 0, r.output
    assert "6 entries" in r.output
    assert audit("rotate-key").exit_code == 0  # and again: three keys, all kept
    assert audit("verify").exit_code == 0


def test_an_entry_made_with_a_retired_key_is_detected(world: World, key_file: Path) -> None:
    _fill(world, 3)
    stolen = bytes.fromhex(key_file.read_text().split()[0])  # an insider kept the old key
    assert audit("rotate-key").exit_code == 0
    _fill(world, 1)
    _append_forged(stolen, key_id(stolen))
    r = audit("verify")
    assert r.exit_code == 1, r.output
    assert "retired before it" in r.output and "entry 6" in r.output


def test_an_entry_naming_the_new_key_but_made_with_the_old_one_is_detected(
    world: World, key_file: Path
) -> None:
    _fill(world, 2)
    stolen = bytes.fromhex(key_file.read_text().split()[0])
    assert audit("rotate-key").exit_code == 0
    new = key_id(bytes.fromhex(key_file.read_text().split()[-1]))
    _append_forged(stolen, new)
    r = audit("verify")
    assert r.exit_code == 1 and "entry 4: edited" in r.output, r.output


def test_rotation_is_refused_over_a_broken_chain(world: World) -> None:
    _fill(world, 3)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_accesslogentry WHERE seq = 2")
    r = audit("rotate-key")
    assert r.exit_code == 5, r.output  # a conflict (errors.exit_status)
    assert "does not verify" in r.output


def test_keys_from_the_environment_are_rotated_by_editing_it(world: World, settings: Any) -> None:
    settings.VIGIE_AUDIT_KEY = "cd" * 32
    _fill(world, 1)
    r = audit("rotate-key")
    assert r.exit_code != 0 and "VIGIE_AUDIT_KEY" in r.output
    settings.VIGIE_AUDIT_KEY = "cd" * 32 + "," + "ef" * 32  # appended by the operator
    record_access(
        None,
        "audit.rotate_key",
        "audit_key",
        "x",
        detail={"from": key_id(bytes.fromhex("cd" * 32)), "to": key_id(bytes.fromhex("ef" * 32))},
    )
    _fill(world, 1)
    assert audit("verify").exit_code == 0
