"""Differential privacy releases (OpenDP) and the budget ledger."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.analytics import privacy
from vigie.analytics.disclosure import Cell, Table
from vigie.analytics.engine import Engine, Query
from vigie.analytics.models import PrivacyLedgerEntry


def test_sensitivity_counts_every_grouping_set() -> None:
    assert privacy.sensitivity(Table(("sex",))) == 2  # (sex), ()
    assert privacy.sensitivity(Table(("sex", "year"))) == 4
    # a person holds up to 4 forms: (form, sex) 4 + (form) 4 + (sex) 1 + () 1
    assert privacy.sensitivity(Table(("form", "sex"), multi=frozenset({"form"}))) == 10


@pytest.mark.django_db
def test_release_is_noisy_recorded_and_refused_beyond_budget(
    sample_engine: Engine, settings: Any
) -> None:
    settings.VIGIE_DP_BUDGET = 1.0
    table = sample_engine.typology(Query(("sex",)))
    release = privacy.release_dp(table, 0.6, label="by sex", query={"by": ["sex"]})
    assert release.method == "dp" and release.epsilon == 0.6
    entry = PrivacyLedgerEntry.objects.get()
    assert entry.epsilon == 0.6 and entry.sensitivity == 2 and entry.scale == pytest.approx(2 / 0.6)
    assert entry.cells == len(release.cells)
    truth = {c: cell.n for c, cell in table.cells.items()}
    assert all(v.value is not None and v.value >= 0 for v in release.cells.values())
    # noise is real but calibrated: scale 3.3, so every cell lands within 60 of the truth
    assert all(abs(release.cells[c].value - n) < 60 for c, n in truth.items())  # type: ignore[operator]
    with pytest.raises(privacy.BudgetExceeded, match=r"0\.6 of 1 spent"):
        privacy.release_dp(table, 0.5)
    assert PrivacyLedgerEntry.objects.count() == 1


@pytest.mark.django_db
def test_noise_differs_between_releases() -> None:
    table = Table(("x",), {("a",): Cell(500), (None,): Cell(500)})
    values = {privacy.release_dp(table.complete(), 0.1).value("a") for _ in range(5)}
    assert len(values) > 1


@pytest.mark.django_db
def test_epsilon_must_be_positive() -> None:
    with pytest.raises(ValueError, match="epsilon"):
        privacy.release_dp(Table(("x",)), 0)
