"""A database id in a URL never overflows the database: 20 digits is a 404, not a 500."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/network/nodes/72880699441391389900800/",
        "/api/screening/versions/99999999999999999999/",
        "/api/tokens/123456789012345678901/",
    ],
)
def test_an_id_too_long_for_the_database_is_not_found(world: World, api: Any, url: str) -> None:
    assert api(world.users["system_admin"]).get(url).status_code == 404
    assert api(world.users["investigator"]).get(url).status_code == 404
