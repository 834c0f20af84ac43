"""Fixtures of the suppliers tests: the synthetic DOL fixture, synthetic debarment lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.screening import services as screening
from vigie.suppliers import dol

SAMPLE_DOL = Path(__file__).resolve().parents[1] / "data" / "dol-sample"
HEADER = "Firm Name,Type,Country,Address,Ineligibility Period From,Ineligibility Period To,Grounds"
FIRM = "Synthetic Kiln Works Ltd,firm,Myanmar,1 Fictional Road,2024-01-01,2030-01-01,Fraud"


@pytest.fixture(autouse=True)
def dol_sample(settings: Any, tmp_path: Path) -> Iterator[Path]:
    from django.core.cache import cache

    cache.clear()  # the dashboard's cached figures are keyed by organisation ids tests reuse
    settings.VIGIE_SUPPLIERS_DOL_DIR = str(SAMPLE_DOL)
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    dol._cached.cache_clear()
    yield SAMPLE_DOL


@pytest.fixture
def load_debarment(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> Callable[[list[str]], Any]:
    """Load a synthetic debarment list (CSV rows after the header) as a new version, with
    the change events delivered as after a commit."""
    count = [0]

    def load(rows: list[str]) -> Any:
        count[0] += 1
        path = tmp_path / "debarred-firms.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            return screening.load_list(path, "debarment", code="synthetic-debarment")

    return load
