"""Risk scores recomputed here, independently, from the DOL files: the committed synthetic
fixture always, the real lists in ../shared/data when present (marker shared_data)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.devtools.shared_data import SHARED_DATA
from vigie.suppliers import dol, services
from vigie.suppliers.models import Supplier
from vigie.suppliers.tests.conftest import SAMPLE_DOL
from vigie.testing import World

# the DOL files' country names (lower case: the files write "Cote D'Ivoire" too) -> ISO
# codes, written out by hand for this test
COUNTRIES = {
    "india": "IN",
    "burma": "MM",
    "bangladesh": "BD",
    "uzbekistan": "UZ",
    "china": "CN",
    "brazil": "BR",
    "cote d'ivoire": "CI",
    "democratic republic of the congo": "CD",
    "bolivia": "BO",
    "boliva": "BO",
    "vietnam": "VN",
    "north korea": "KP",
    "turkey": "TR",
    "pakistan": "PK",
    "nepal": "NP",
}


def expected_points(folder: Path) -> dict[tuple[str, str], int]:
    """(good, country) -> DOL points, straight from the CSV files."""
    points: dict[tuple[str, str], int] = {}
    with (folder / "child_labor.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            code = COUNTRIES.get(row["Country"].strip().lower())
            if code:
                key = (row["Good"].strip().lower(), code)
                points[key] = points.get(key, 0) + 30 * (row["Forced Labor"].strip() == "X")
                points[key] += 20 * (row["Child Labor"].strip() == "X")
    with (folder / "products.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            code = COUNTRIES.get(row["Country"].strip().lower())
            if code:
                key = (row["Good"].strip().lower(), code)
                points[key] = points.get(key, 0) + 25
    return points


def check_scores(world: World, folder: Path, limit: int) -> int:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    expected = expected_points(folder)
    pairs = sorted(expected)[:limit]
    for i, (good, country) in enumerate(pairs):
        services.create_supplier(
            actor,
            world.own,
            services.SupplierData(
                reference=f"R-{i}",
                name=f"Synthetic Risk Firm {i}",
                products=[services.ProductData(f"Supplies of {good}", good=good, country=country)],
            ),
        )
    for i, (good, country) in enumerate(pairs):
        supplier = Supplier.objects.get(reference=f"R-{i}")
        dol_points = sum(
            p["points"] for p in supplier.risk_detail if p["source"].startswith("US DOL")
        )
        assert dol_points == expected[(good, country)], (good, country, supplier.risk_detail)
        # no questionnaire yet: 10 more, each point with its source; capped at 100
        assert supplier.risk_score == min(100, expected[(good, country)] + 10)
        assert all(p["source"] for p in supplier.risk_detail)
    return len(pairs)


def test_scores_from_the_synthetic_fixture(world: World) -> None:
    assert check_scores(world, SAMPLE_DOL, 50) == 8


def test_good_named_in_the_description_or_by_unspsc(world: World) -> None:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    supplier = services.create_supplier(
        actor,
        world.own,
        services.SupplierData(
            reference="U-1",
            name="Synthetic Apparel",
            sourcing_countries=["India", "Uzbekistan"],
            products=[
                services.ProductData("Raw cotton bales"),
                services.ProductData("Uniform shirts", unspsc="53101500"),
            ],
        ),
    )
    got = sorted(
        (p["good"], p["country"], p["points"])
        for p in supplier.risk_detail
        if p["source"].startswith("US DOL")
    )
    assert got == [
        ("cotton", "IN", 20),
        ("cotton", "UZ", 30),
        ("garments", "IN", 20),
        ("garments", "IN", 25),
        ("garments", "IN", 30),
    ]


def test_without_dol_lists_the_score_says_so(world: World, settings: Any) -> None:
    settings.VIGIE_SUPPLIERS_DOL_DIR = ""
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    supplier = services.create_supplier(
        actor,
        world.own,
        services.SupplierData(
            reference="N-1",
            name="Synthetic",
            products=[services.ProductData("Bricks", country="MM")],
        ),
    )
    assert supplier.risk_score == 10
    assert any("not configured" in p["reason"] for p in supplier.risk_detail)


@pytest.mark.shared_data
def test_scores_from_the_real_dol_lists(world: World, settings: Any) -> None:
    folder = SHARED_DATA / "dol-goods"
    # shared-data tests fail, never skip, without their data (make test-shared)
    assert (folder / "child_labor.csv").exists(), f"{folder}: the DOL lists are missing"
    settings.VIGIE_SUPPLIERS_DOL_DIR = str(folder)
    dol._cached.cache_clear()
    lists = dol.current()
    # every country name of the real lists is understood (M49 names, rigour, aliases)
    assert lists.unknown_countries == set()
    assert check_scores(world, folder, 60) == 60
