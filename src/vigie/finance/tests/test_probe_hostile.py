"""Attacker's probe (issue 15 item 3, ADR 0050, 0059): a hostile XLSX of transactions — one
64 MiB string in a 70 KB file, the billion laughs, a zip bomb — is refused with a clear
error naming the file, before openpyxl builds it, in bounded memory; never a crash."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.core.errors import VigieError
from vigie.core.tests import hostile
from vigie.finance import importer, mapping

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(hostile.HOSTILE_XLSX))
def test_a_hostile_workbook_is_refused_in_bounded_memory(
    kind: str, world: Any, analyst: Actor, tmp_path: Path
) -> None:
    path = hostile.HOSTILE_XLSX[kind](tmp_path / f"{kind}.xlsx")
    tracemalloc.start()
    try:
        with pytest.raises(VigieError) as refused:
            importer.import_file(analyst, world.own, path, mapping.load(None))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.detail.get("file") == path.name, refused.value.detail
    assert peak < 32 * 1024**2, f"{peak / 1024**2:.0f} MiB"
