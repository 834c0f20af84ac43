from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection

from vigie.cli import cli
from vigie.core.audit import record_access, verify_chain
from vigie.core.models import AccessLogEntry
from vigie.testing import World


def _fill(world: World, n: int = 6) -> None:
    for i in range(n):
        record_access(world.users["field_officer"], "view", "victim", i, ["name"], "own-org")


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def test_intact_chain_verifies(world: World) -> None:
    _fill(world)
    count, problems = verify_chain()
    assert count == 6 and problems == []
    result = CliRunner().invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 6 entries" in result.output


def test_entries_are_append_only_through_the_orm(world: World) -> None:
    _fill(world, 1)
    entry = AccessLogEntry.objects.get()
    entry.action = "nothing"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_edited_entry_is_detected(world: World) -> None:
    _fill(world)
    _sql("UPDATE core_accesslogentry SET actor_username = %s WHERE seq = 3", ["someone-else"])
    _count, problems = verify_chain()
    assert [(p.seq, p.kind) for p in problems] == [(3, "edited")]
    result = CliRunner().invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 3: edited" in result.output


def test_deleted_entry_is_detected(world: World) -> None:
    _fill(world)
    _sql("DELETE FROM core_accesslogentry WHERE seq = 4", [])
    _count, problems = verify_chain()
    kinds = {(p.seq, p.kind) for p in problems}
    assert (4, "missing") in kinds and (5, "reordered") in kinds


def test_removed_tail_is_detected(world: World) -> None:
    _fill(world)
    _sql("DELETE FROM core_accesslogentry WHERE seq >= 5", [])
    _count, problems = verify_chain()
    assert [(p.seq, p.kind) for p in problems] == [(5, "truncated")]


def test_reordered_entries_are_detected(world: World) -> None:
    _fill(world)
    # Swap the contents of entries 2 and 3, keeping each row's own hash consistent.
    a, b = AccessLogEntry.objects.get(seq=2), AccessLogEntry.objects.get(seq=3)
    _sql("UPDATE core_accesslogentry SET seq = -2 WHERE seq = 2", [])
    _sql("UPDATE core_accesslogentry SET seq = 2 WHERE seq = 3", [])
    _sql("UPDATE core_accesslogentry SET seq = 3 WHERE seq = -2", [])
    assert a.entry_hash != b.entry_hash
    _count, problems = verify_chain()
    assert {p.kind for p in problems} >= {"reordered", "edited"}


def test_entries_carry_request_context(world: World, web: Any) -> None:
    client = web(world.users["auditor"])
    client.get("/", HTTP_X_REQUEST_ID="req-123")
    from vigie.core import context

    token = context.set_context(context.RequestContext("req-456", "203.0.113.9"))
    try:
        entry = record_access(world.users["auditor"], "export", "case", "", [], "own-org")
    finally:
        context.reset_context(token)
    assert entry.request_id == "req-456" and entry.ip == "203.0.113.9"
