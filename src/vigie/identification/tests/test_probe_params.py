"""Attacker's probe (issue 15 item 3, ADR 0059): an id larger than a 64-bit integer in a
request body is a 400 problem, not a 500 (SQLite raises OverflowError on such a value)."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_marking_notices_read_with_a_huge_id_is_a_bad_request(world: World, api: Any) -> None:
    got = api(world.users["case_manager"]).post(
        "/api/referrals/notifications/", {"ids": [10**23]}, format="json"
    )
    assert got.status_code == 400, got.content[:200]
    assert got["Content-Type"].startswith("application/problem+json")
