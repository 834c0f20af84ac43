from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.devtools import transactions

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def analyst(world: Any) -> Actor:
    return Actor(user=world.users["financial_analyst"], organisation_id=world.own.pk)


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A small file: background activity and 3 planted schemes of each typology."""
    path = tmp_path / "tx.csv"
    labels = transactions.write(path, rows=4000, accounts=1500, networks=3, seed=7)
    return path, labels
