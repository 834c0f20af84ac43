"""Attacker's probe (issue 15 item 3, ADR 0050, 0059): a hostile XLSForm — one 64 MiB
string in a small file, the billion laughs, a zip bomb — is refused with a clear error (400
or 413 naming the file), in bounded memory, before openpyxl or pyxform open it."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from vigie.collection import services
from vigie.core.actor import Actor
from vigie.core.errors import VigieError
from vigie.core.tests import hostile
from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(hostile.HOSTILE_XLSX))
def test_a_hostile_xlsform_is_refused_in_bounded_memory(
    kind: str, world: World, tmp_path: Path
) -> None:
    data = hostile.HOSTILE_XLSX[kind](tmp_path / f"{kind}.xlsx").read_bytes()
    actor = Actor(user=world.users["case_manager"])
    tracemalloc.start()
    try:
        with pytest.raises(VigieError) as refused:
            services.publish_form(actor, data, f"{kind}.xlsx", [world.own])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.status in (400, 413)
    assert refused.value.detail.get("file") == f"{kind}.xlsx", refused.value.detail
    assert peak < 32 * 1024**2, f"{peak / 1024**2:.0f} MiB"


def test_an_xlsform_upload_of_a_zip_bomb_is_a_problem_not_a_crash(
    world: World, api: Any, tmp_path: Path
) -> None:
    path = hostile.zip_bomb(tmp_path / "bomb.xlsx", 600)
    with path.open("rb") as fh:
        got = api(world.users["case_manager"]).post(
            "/api/collection/forms/",
            {"xlsform": fh, "organisations": [world.own.code]},
            format="multipart",
        )
    assert got.status_code in (400, 413), got.content[:300]
    assert got["Content-Type"].startswith("application/problem+json")
