"""Averaged differencing through the dashboard's route panel (issue 15).

The dashboard's typology panels pass the differencing guard, but its route panel (flows
origin -> destination, their types by UN M49 region, transit, legs) was only perturbed. An
analyst asks the dashboard's data (``/stats/data/``, what the page's charts read) for many
pairs of nested filters about the same small group, (country X, ages S + Y) and
(country X, ages S), reads the route panel's total (the corridors' table, or the route
types' table when that one is suppressed) and averages the differences: bounded cell-key
noise of two different record sets averages away. The same attack against the route panel
with perturbation only recovers most groups, which shows that the attack is real.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vigie.analytics import selectors
from vigie.analytics.engine import Engine
from vigie.analytics.store import Store
from vigie.devtools import analytics_rows as generator
from vigie.testing import World

K = 11
PAIRS = 12  # different query pairs per small group
GROUPS = 8
Ask = Callable[[dict[str, Any]], int | None]


@pytest.fixture
def own_rows(world: World, tmp_path: Path, settings: Any) -> list[dict[str, Any]]:
    """Synthetic victims of the analyst's own organisation, with many small groups, as the
    snapshot the web views read."""
    settings.VIGIE_ANALYTICS_DIR = str(tmp_path / "analytics")
    rows = generator.victim_rows(2500, seed=15)
    for row in rows:
        row["organisation"] = world.own.code
    perps = generator.perpetrator_rows(50, seed=15)
    for p in perps:
        p["organisation"] = world.own.code
    Store().replace_all(
        {
            "victims": generator.victims_table(rows),
            "perpetrators": generator.perpetrators_table(perps),
        },
        "2026-01-01T00:00:00Z",
    )
    return rows


def _small_groups(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    sizes: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["country"]), str(r["age_group"]))
        sizes[key] = sizes.get(key, 0) + int(r["weight"])
    return sorted((c, a, n) for (c, a), n in sizes.items() if 0 < n < K)


def _attack(rows: list[dict[str, Any]], ask: Ask) -> tuple[int, int, int]:
    """(groups attacked, recovered exactly, recovered within ±1) by averaging the usable
    differences of ``PAIRS`` nested pairs per group (at least 3 usable to count)."""
    ages = sorted({str(r["age_group"]) for r in rows})
    groups = _small_groups(rows)
    assert len(groups) >= GROUPS, "the synthetic sample should hold many small groups"
    rng = random.Random(2331)
    exact = near = 0
    for country, age, size in groups[:GROUPS]:
        others = [a for a in ages if a != age]
        seen: set[tuple[str, ...]] = set()
        diffs: list[int] = []
        while len(seen) < PAIRS:
            subset = tuple(sorted(rng.sample(others, rng.randint(3, len(others)))))
            if subset in seen:
                continue
            seen.add(subset)
            a = ask({"country": [country], "age_group": [*subset, age]})
            b = ask({"country": [country], "age_group": list(subset)})
            if a is not None and b is not None:
                diffs.append(a - b)
        if len(diffs) >= 3:
            guess = round(statistics.fmean(diffs))
            exact += guess == size
            near += abs(guess - size) <= 1
    return GROUPS, exact, near


def _route_total(panels: dict[str, Any]) -> int | None:
    """The route panel's total: the corridors' table's, else the route types' table's."""
    for key in ("flows", "route_types"):
        total = panels[key]["total"]
        if total is not None:
            return int(total)
    return None


@pytest.mark.slow
@pytest.mark.django_db
def test_averaged_differencing_of_the_dashboard_route_panel_recovers_small_groups_only_without_the_guard(  # noqa: E501
    world: World, web: Any, own_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    analyst = world.users["analyst"]
    client = web(analyst)

    def through_the_dashboard(filters: dict[str, Any]) -> int | None:
        response = client.get("/stats/data/", filters)
        assert response.status_code == 200, response.content[:300]
        return _route_total(response.json()["panels"])

    # The same route panel with perturbation only (the dashboard's panels without a guard).
    engine = Engine(Store(tmp_path / "analytics"))
    orgs = selectors.scope(analyst)

    def perturbed_only(filters: dict[str, Any]) -> int | None:
        parsed = selectors.parse_filters(filters)
        routes = selectors.dashboard_panels(engine, parsed, orgs)["routes"]
        for release in (routes.flows, routes.route_types):
            total = release.value(*(None for _ in release.dims))
            if total is not None:
                return int(total)
        return None

    attacked, exact, near = _attack(own_rows, perturbed_only)
    assert exact >= attacked // 2, f"perturbation alone: {exact} of {attacked} recovered"

    attacked, exact, near = _attack(own_rows, through_the_dashboard)
    assert exact < attacked * 0.1, f"with the guard: {exact} of {attacked} recovered exactly"
    assert near < attacked * 0.2, f"with the guard: {near} of {attacked} recovered within ±1"
