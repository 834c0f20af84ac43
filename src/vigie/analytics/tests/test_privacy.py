"""Differential privacy releases (OpenDP) and the budget ledger."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from vigie.analytics import privacy
from vigie.analytics.disclosure import Cell, Table
from vigie.analytics.engine import Engine, Query
from vigie.analytics.models import PrivacyLedgerEntry


def test_sensitivity_counts_every_grouping_set() -> None:
    assert privacy.sensitivity(Table(("sex",))) == 2  # (sex), ()
    assert privacy.sensitivity(Table(("sex", "year"))) == 4
    # a person holds up to 4 forms: (form, sex) 4 + (form) 4 + (sex) 1 + () 1
    assert privacy.sensitivity(Table(("form", "sex"), multi=frozenset({"form"}))) == 10


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The messages are matched in English (the installation's default language is French)."""
    with translation.override("en"):
        yield


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
    published = {c: v.value for c, v in release.cells.items() if v.value is not None}
    assert all(v == 0 or v >= 11 for v in published.values())  # small-cell rules apply too
    # noise is real but calibrated: scale 3.3, so every cell lands within 60 of the truth
    assert all(abs(v - truth[c]) < 60 for c, v in published.items())
    with pytest.raises(privacy.BudgetExceeded, match=r"0\.6 of 1 spent"):
        privacy.release_dp(table, 0.5)
    assert PrivacyLedgerEntry.objects.count() == 1


@pytest.mark.django_db
def test_noise_differs_between_releases(settings: Any) -> None:
    settings.VIGIE_DP_MAX_EPSILON = 1.0
    table = Table(("x",), {("a",): Cell(500), (None,): Cell(500)})
    values = {privacy.release_dp(table.complete(), 0.1).value("a") for _ in range(5)}
    assert len(values) > 1


@pytest.mark.django_db
def test_epsilon_must_be_positive() -> None:
    with pytest.raises(ValueError, match="epsilon"):
        privacy.release_dp(Table(("x",)), 0)


@pytest.mark.django_db
def test_one_analyst_cannot_spend_everybody_s_budget(sample_engine: Engine, settings: Any) -> None:
    """Issue 15: one call with epsilon=10 spent the whole budget; nobody could release after."""
    from vigie.testing import build_world

    world = build_world()
    settings.VIGIE_DP_BUDGET, settings.VIGIE_DP_BUDGET_ORGANISATION = 10.0, 5.0
    settings.VIGIE_DP_BUDGET_USER, settings.VIGIE_DP_MAX_EPSILON = 2.0, 1.0
    table = sample_engine.typology(Query(("sex",)))
    analyst, other = world.users["analyst"], world.users["case_manager"]
    org = world.own.pk
    with pytest.raises(privacy.BudgetExceeded, match="cap of one release") as info:
        privacy.release_dp(table, 10.0, user=analyst, organisation_id=org)
    assert info.value.status == 409 and info.value.detail["scope"] == "query"
    privacy.release_dp(table, 1.0, user=analyst, organisation_id=org)
    privacy.release_dp(table, 1.0, user=analyst, organisation_id=org)
    with pytest.raises(privacy.BudgetExceeded, match="of the user") as info:
        privacy.release_dp(table, 0.5, user=analyst, organisation_id=org)
    assert info.value.detail == {"scope": "user", "spent": 2.0, "limit": 2.0, "epsilon": 0.5}
    # a colleague still can, up to the organisation's budget
    privacy.release_dp(table, 1.0, user=other, organisation_id=org)
    privacy.release_dp(table, 1.0, user=other, organisation_id=org)
    privacy.release_dp(table, 1.0, user=world.users["org_admin"], organisation_id=org)
    with pytest.raises(privacy.BudgetExceeded, match="of the organisation"):
        privacy.release_dp(table, 0.5, user=world.users["org_admin"], organisation_id=org)
    # and another organisation's analysts are untouched
    other_org = world.other.pk
    assert privacy.release_dp(table, 1.0, organisation_id=other_org).method == "dp"
    assert privacy.budget_spent(user=analyst) == 2.0 and privacy.budget_spent() == 6.0


@pytest.mark.django_db
def test_dp_release_suppresses_small_noisy_cells(settings: Any) -> None:
    """No DP release shows a count in 1..k-1 (the rules run on the noisy counts)."""
    settings.VIGIE_DP_BUDGET = 100.0
    table = Table(
        ("x",), {("a",): Cell(3), ("b",): Cell(4), ("c",): Cell(900), (None,): Cell(907)}
    ).complete()
    suppressed = 0
    for _ in range(5):
        release = privacy.release_dp(table, 1.0)
        assert release.k == 11
        values = [c.value for c in release.cells.values()]
        assert all(v is None or v == 0 or v >= 11 for v in values), values
        suppressed += sum(v is None for v in values)
    assert suppressed >= 5  # the small cells (noise of scale 2) are hidden
