"""Attacks on the disclosure-control module: totals minus visible cells, narrow filters,
differencing two overlapping queries. Hypothesis generates the tables."""

from __future__ import annotations

from collections import Counter
from itertools import combinations, product
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analytics import disclosure
from vigie.analytics.disclosure import MARGIN, Cell, Policy, Release, Table, lines_of, protect
from vigie.analytics.engine import Engine, Query

K = 11
EXACT = Policy(k=K, perturb=False)  # attacks see true values of every published cell


def table_of(records: list[tuple[str, ...]], dims: tuple[str, ...]) -> Table:
    counts: Counter[tuple[str | None, ...]] = Counter()
    for rec in records:
        for size in range(len(dims) + 1):
            for grouped in combinations(range(len(dims)), size):
                counts[tuple(rec[i] if i in grouped else None for i in range(len(dims)))] += 1
    return Table(dims, {c: Cell(n, hash(c) % 256) for c, n in counts.items()}).complete()


def recover(table: Table, release: Release) -> dict[tuple[str | None, ...], int]:
    """The classic audit: solve every line that has one unknown, until nothing changes."""
    known = {c: v.value for c, v in release.cells.items() if v.value is not None}
    changed = True
    while changed:
        changed = False
        for line in lines_of(table):
            unknown = [m for m in line.members if m not in known]
            if line.total in known and len(unknown) == 1:
                known[unknown[0]] = known[line.total] - sum(
                    known[m] for m in line.members if m in known
                )
                changed = True
            elif line.total not in known and not unknown:
                known[line.total] = sum(known[m] for m in line.members)
                changed = True
    return {c: v for c, v in known.items() if release.cells[c].value is None}


small_records = st.lists(
    st.tuples(st.sampled_from("abcd"), st.sampled_from("xyz"), st.sampled_from("pq")),
    min_size=1,
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(small_records, st.sampled_from([1, 2, 3]))
def test_totals_minus_visible_cells_recover_nothing(records: list[Any], ndims: int) -> None:
    dims = ("a", "b", "c")[:ndims]
    table = table_of([r[:ndims] for r in records], dims)
    release = protect(table, EXACT)
    assert not recover(table, release), "a suppressed cell was recovered from the margins"
    for coords, cell in release.cells.items():
        true = table.cells[coords].n
        assert cell.value is None or cell.value == true  # exact mode publishes true values
        if 0 < true < K:
            assert cell.value is None, f"small cell {coords}={true} published"


@settings(max_examples=150, deadline=None)
@given(small_records)
def test_suppressed_groups_in_a_line_are_never_small(records: list[Any]) -> None:
    """Margin minus the visible members = the sum of the suppressed ones: 0 or >= k."""
    table = table_of([r[:2] for r in records], ("a", "b"))
    release = protect(table, EXACT)
    for line in lines_of(table):
        if release.cells[line.total].value is None:
            continue
        hidden = [table.cells[m].n for m in line.members if release.cells[m].value is None]
        assert len(hidden) != 1
        assert sum(hidden) == 0 or sum(hidden) >= K


@settings(max_examples=100, deadline=None)
@given(small_records, st.integers(0, 255))
def test_perturbation_is_bounded_consistent_and_never_below_k(
    records: list[Any], salt: int
) -> None:
    policy = Policy(k=K, perturb=True, max_noise=2, salt=bytes([salt]))
    table = table_of([r[:2] for r in records], ("a", "b"))
    first, second = protect(table, policy), protect(table, policy)
    for coords, cell in first.cells.items():
        assert cell.value == second.cells[coords].value  # the same query, the same answer
        true = table.cells[coords].n
        if cell.value is not None and true:
            assert abs(cell.value - true) <= 2 or cell.value == K
            assert cell.value >= K


def test_line_with_one_small_cell_gets_a_complement() -> None:
    records = [("a", "x")] * 30 + [("a", "y")] * 3 + [("b", "x")] * 20 + [("b", "y")] * 25
    table = table_of(records, ("r", "c"))
    release = protect(table, EXACT)
    assert release.value("a", "y") is None
    assert release._reasons[("a", "y")] == "primary"
    secondary = {c for c, why in release._reasons.items() if why == "secondary"}
    assert secondary  # at least one complement in row a and in column y
    assert release.value("a", None) is not None and release.value(None, "y") is not None
    assert not recover(table, release)


def test_policy_refuses_meaningless_parameters() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        Policy(k=1)
    with pytest.raises(ValueError, match="max_noise"):
        Policy(k=5, max_noise=5)


# --- against the engine: narrow filters and differencing -------------------------------------

FILTERABLE = ["country", "sex", "age_group", "situation", "source", "organisation"]


def _values(rows: list[dict[str, Any]], dim: str) -> list[str]:
    return sorted({str(r[dim]) for r in rows})


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_narrow_filters_publish_no_small_count(
    data: st.DataObject, sample_rows: list[dict[str, Any]], sample_engine: Engine
) -> None:
    dims = data.draw(st.lists(st.sampled_from(FILTERABLE), min_size=1, max_size=4, unique=True))
    filters = {d: (data.draw(st.sampled_from(_values(sample_rows, d))),) for d in dims}
    by = data.draw(st.sampled_from([(), ("sex",), ("form",), ("year", "sex")]))
    table = sample_engine.typology(Query(by, filters))
    release = protect(table, Policy(k=K, salt=b"t"))
    for coords, cell in release.cells.items():
        true = table.cells[coords].n
        if cell.value is not None:
            assert true == 0 or true >= K, f"{filters} {coords}: {true} published as {cell.value}"
    if 0 < table.grand_total < K:
        assert release.fully_suppressed


def test_differencing_two_overlapping_queries_does_not_reveal_small_groups(
    sample_rows: list[dict[str, Any]], sample_engine: Engine
) -> None:
    """Query A: country=X by sex; query B: country=X and age in (every group but Y) by sex.
    A - B is the group (X, sex, age=Y). Where that group is small (1..k-1) it is suppressed in
    its own table, yet both A and B may publish their cells: count how often the attacker's
    difference equals the small group exactly. Perturbation must make that rare."""
    policy = Policy(k=K, salt=b"differencing")
    ages = _values(sample_rows, "age_group")
    attacks, hits = 0, 0
    for country, age in product(_values(sample_rows, "country"), ages):
        a = protect(sample_engine.typology(Query(("sex",), {"country": (country,)})), policy)
        others = tuple(x for x in ages if x != age)
        b = protect(
            sample_engine.typology(Query(("sex",), {"country": (country,), "age_group": others})),
            policy,
        )
        for sex in ("female", "male"):
            t = sum(
                r["weight"]
                for r in sample_rows
                if (r["country"], r["sex"], r["age_group"]) == (country, sex, age)
            )
            va, vb = a.value(sex), b.value(sex)
            if not 0 < t < K or va is None or vb is None:
                continue
            attacks += 1
            hits += va - vb == t
    assert attacks >= 10, "the sample should offer differencing opportunities"
    assert hits / attacks < 0.4, f"{hits} of {attacks} differencing attacks were exact"


def test_differencing_without_perturbation_would_succeed(
    sample_rows: list[dict[str, Any]], sample_engine: Engine
) -> None:
    """The attack above is real: without perturbation it recovers every small group."""
    ages = _values(sample_rows, "age_group")
    country, age = "LY", "0-8"
    others = tuple(x for x in ages if x != age)
    a = protect(sample_engine.typology(Query(("sex",), {"country": (country,)})), EXACT)
    b = protect(
        sample_engine.typology(Query(("sex",), {"country": (country,), "age_group": others})),
        EXACT,
    )
    t = sum(r["weight"] for r in sample_rows if (r["country"], r["age_group"]) == (country, age))
    assert a.value(None) - b.value(None) == t  # type: ignore[operator]


def test_same_records_same_value_across_queries(sample_engine: Engine) -> None:
    """A cell reached by two different queries gets the same published value (no averaging)."""
    policy = Policy(k=K, salt=b"consistent")
    one = protect(sample_engine.typology(Query(("sex", "country"))), policy)
    for country in ("LY", "NG", "IQ"):
        other = protect(sample_engine.typology(Query(("sex",), {"country": (country,)})), policy)
        for sex in ("female", "male"):
            if one.value(sex, country) is not None and other.value(sex) is not None:
                assert one.value(sex, country) == other.value(sex)


def test_record_keys_are_stable_and_spread() -> None:
    keys = [disclosure.record_key(f"r{i}", b"salt") for i in range(2000)]
    assert keys == [disclosure.record_key(f"r{i}", b"salt") for i in range(2000)]
    assert len(set(keys)) > 200


def test_table_margins_align_with_members() -> None:
    table = table_of([("a", "x"), ("b", "x"), ("b", "y")], ("r", "c"))
    assert table.cells[(MARGIN, MARGIN)].n == 3
    assert table.cells[("b", MARGIN)].n == 2
    assert table.cells[("a", "y")].n == 0
