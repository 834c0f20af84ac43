from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def vault_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test has its own object store and keys (the database is rolled back per test).

    Messages are asserted in English; test_i18n checks the French and Arabic ones.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)
