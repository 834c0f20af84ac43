from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.analytics.engine import Engine
from vigie.analytics.store import Store
from vigie.devtools import analytics_rows


@pytest.fixture(scope="module")
def sample_rows() -> list[dict[str, Any]]:
    return analytics_rows.victim_rows(3000, seed=7)


@pytest.fixture(scope="module")
def sample_engine(sample_rows: list[dict[str, Any]], tmp_path_factory: Any) -> Engine:
    store = Store(Path(tmp_path_factory.mktemp("snapshot")))
    store.replace_all(
        {
            "victims": analytics_rows.victims_table(sample_rows),
            "perpetrators": analytics_rows.perpetrators_table(
                analytics_rows.perpetrator_rows(400, seed=7)
            ),
        },
        "2026-01-01T00:00:00Z",
    )
    return Engine(store)
