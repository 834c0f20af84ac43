"""Attacker's probe (issue 15 item 3, ADR 0050, 0059): a FollowTheMoney file with one
endless line (64 MiB), or nested 100,000 deep, is refused with a clear error naming the file
and line, in bounded memory; never a crash."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from vigie.core.actor import Actor
from vigie.core.errors import VigieError
from vigie.network import services
from vigie.testing import World

pytestmark = pytest.mark.django_db
MiB = 1024**2


def _import(world: World, path: Path) -> tuple[VigieError, int]:
    actor = Actor(user=world.users["investigator"], organisation_id=world.own.pk)
    tracemalloc.start()
    try:
        with pytest.raises(VigieError) as refused, path.open(encoding="utf-8") as lines:
            services.import_ftm(actor, lines, path.name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return refused.value, peak


def test_an_endless_line_is_refused_before_it_is_read_whole(world: World, tmp_path: Path) -> None:
    path = tmp_path / "endless.ftm.json"
    with path.open("w") as fh:
        fh.write('{"id": "x", "schema": "Person", "properties": {"name": ["')
        for _ in range(64):
            fh.write("A" * MiB)
        fh.write('"]}}\n')
    refused, peak = _import(world, path)
    assert refused.status == 413 and refused.detail.get("file") == path.name
    assert refused.detail.get("line") == 1
    assert peak < 24 * MiB, f"{peak / MiB:.0f} MiB"


def test_deep_nesting_is_refused_clearly(world: World, tmp_path: Path) -> None:
    path = tmp_path / "deep.ftm.json"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    refused, _peak = _import(world, path)
    assert refused.status == 400 and refused.code == "invalid_ftm"
