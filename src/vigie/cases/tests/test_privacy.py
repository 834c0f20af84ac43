"""Issue 15, the case side: a cursor out of range is a 400; unknown imported fields are
identity (encrypted, never shown without victim.identity.view); row problems of identity
fields never quote the value; exports neutralise formulas."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.testing import World


@pytest.mark.parametrize(
    "cursor", ["99999999999999999999999_1", "1_99999999999999999999999", "-999999999999999999_1"]
)
def test_a_cursor_out_of_range_is_a_400(api: Any, world: World, cursor: str) -> None:
    res = api(world.users["analyst"]).get(f"/api/cases/?after={cursor}")
    assert res.status_code == 400, res.content
    assert res.json()["code"] == "invalid" and "after" in res.json()["title"]
