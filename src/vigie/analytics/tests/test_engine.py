"""The engine's tables equal an independent plain-Python computation, exactly."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from vigie.analytics import regions
from vigie.analytics.engine import Engine, Query, QueryError, parse_by, parse_filters
from vigie.analytics.tests import reference

CASES = [
    ((), {}),
    (("sex",), {}),
    (("sex", "age_group"), {"period": ("2016-2018",)}),
    (("form",), {}),
    (("form", "sex"), {"country": ("LY", "IQ")}),
    (("means", "form"), {"situation": ("libya",)}),
    (("country", "year"), {"sex": ("female",), "form": ("forced_labour",)}),
    (("origin", "destination"), {"age_group": ("0-8", "9-17")}),
    (("displacement", "care_status", "minor"), {"source": ("hotline",), "period": ("2019",)}),
]


@pytest.mark.parametrize("by,filters", CASES, ids=lambda x: str(x))
def test_typology_equals_plain_python(
    by: tuple[str, ...], filters: dict[str, Any], sample_rows: list[Any], sample_engine: Engine
) -> None:
    table = sample_engine.typology(Query(by, filters))
    got = {c: cell.n for c, cell in table.cells.items() if cell.n}
    assert got == reference.typology(sample_rows, by, filters)


def test_organisation_scope_restricts_rows(sample_rows: list[Any], sample_engine: Engine) -> None:
    table = sample_engine.typology(Query(("organisation",), organisations=frozenset({"iom"})))
    assert {c[0] for c in table.cells if c[0]} == {"iom"}
    assert table.grand_total == sum(r["weight"] for r in sample_rows if r["organisation"] == "iom")


def test_route_types_and_legs(sample_rows: list[Any], sample_engine: Engine) -> None:
    flows = sample_engine.flows(Query())
    types = sample_engine.route_types(flows)
    expected: dict[str, int] = {}
    for r in sample_rows:
        kind = regions.classify(r["origin"], r["destination"])
        expected[kind] = expected.get(kind, 0) + r["weight"]
    assert {c[0]: x.n for c, x in types.cells.items() if c[0]} == expected
    legs = sample_engine.legs(Query())
    expected_legs: dict[tuple[str, str], int] = {}
    for r in sample_rows:
        path = ["O:" + r["origin"], *("T:" + t for t in r["transit"]), "D:" + r["destination"]]
        for a, b in itertools.pairwise(path):
            expected_legs[(a, b)] = expected_legs.get((a, b), 0) + r["weight"]
    got = {(a, b): c.n for (a, b), c in legs.cells.items() if a and b and c.n}
    assert got == expected_legs


def test_m49_classification() -> None:
    assert regions.classify("NG", "NG") == "domestic"
    assert regions.classify("NG", "NE") == "subregional"  # both Western Africa
    assert regions.classify("NG", "LY") == "regional"  # Western vs Northern Africa
    assert regions.classify("NG", "IT") == "transregional"
    assert regions.classify("unknown", "IT") == "unknown"


def test_bad_requests_say_what_is_wrong() -> None:
    with pytest.raises(QueryError, match="filter 'colour': unknown"):
        parse_filters({"colour": "red"})
    with pytest.raises(QueryError, match="period: '2018-2016'"):
        parse_filters({"period": "2018-2016"})
    with pytest.raises(QueryError, match="'x;drop' is not a code"):
        parse_filters({"country": "x;drop"})
    with pytest.raises(QueryError, match="dimension 'colour'"):
        parse_by("sex,colour")
    with pytest.raises(QueryError, match="at most 3"):
        parse_by("sex,year,country,form")
    assert parse_filters({"country": "LY, IQ,,"}) == {"country": ("IQ", "LY")}


def test_empty_snapshot_answers_zero(tmp_path: Any) -> None:
    from vigie.analytics.store import Store

    engine = Engine(Store(tmp_path))
    assert engine.typology(Query(("sex",))).grand_total == 0
    assert engine.snapshot_info()["rows"] == 0


@pytest.mark.parametrize("by,filters", [c for c in CASES if c[1]], ids=lambda x: str(x))
def test_prepared_filters_give_the_same_tables(
    by: tuple[str, ...], filters: dict[str, Any], sample_rows: list[Any], sample_engine: Engine
) -> None:
    sample_engine.prepare(Query((), filters))
    sample_engine.clear_cache()
    table = sample_engine.typology(Query(by, filters))
    got = {c: cell.n for c, cell in table.cells.items() if cell.n}
    assert got == reference.typology(sample_rows, by, filters)
    legs = sample_engine.legs(Query((), filters))
    assert legs.grand_total == sum(
        r["weight"] * (len(r["transit"]) + 1) for r in sample_rows if reference.matches(r, filters)
    )
