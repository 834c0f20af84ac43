from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def vault_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test has its own object store and keys (the database is rolled back per test)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)
