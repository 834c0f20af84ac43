"""Property tests of the row parsers: any CTDC row either maps to a record that exports back to
the same row, or is refused with a RowError naming a real column; never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.cases import codelists, records
from vigie.cases.interchange import htcds, layouts

LAYOUT = layouts.LAYOUTS["ctdc-sample"]
SPEC = LAYOUT.spec()


def _values(col: layouts.Col) -> st.SearchStrategy[str]:
    unknown = st.sampled_from(["-99"])
    if col.kind == "flags":
        return st.sampled_from(["1", "-99", "0"])
    if col.kind == "year":
        return st.one_of(unknown, st.integers(1990, 2025).map(str))
    if col.kind == "country":
        return st.one_of(unknown, st.sampled_from(["00", *list(codelists.get("countries").codes)]))
    values = [v for c in codelists.get(col.codes).codes.values() if (v := c.xwalk.get("ctdc"))]
    return st.sampled_from(sorted(set(values)))


VALID_ROW = st.fixed_dictionaries(
    {
        **{col.name: _values(col) for col in SPEC},
        "majority_entry": st.sampled_from(["-99", "Minor", "Adult"]),
        "labor": st.sampled_from(["-99", "0", "3", "5"]),
        "victim_purpose": st.sampled_from(["-99", "1", "2"]),
        "trafficker_relationship": st.text(max_size=5).filter(lambda s: "\n" not in s),
    }
)


def _canonical(row: dict[str, str]) -> dict[str, str]:
    """What an export gives back: every cell as it was, trimmed."""
    return {name: row[name].strip() for name in LAYOUT.columns}


@settings(max_examples=150, deadline=None)
@given(VALID_ROW)
def test_valid_rows_round_trip(row: dict[str, str]) -> None:
    record = layouts.ctdc_row_to_record(LAYOUT, row, SPEC)
    parsed = records.validate(record, allow_identity=False)
    assert not parsed.problems, parsed.problems
    record["reference"] = "R"
    record["victims"][0]["uuid"] = "v"
    record["exploitations"][0]["victim"] = "v"
    back = layouts.record_to_ctdc_rows(LAYOUT, record)[0]
    assert back == _canonical(row)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(LAYOUT.columns), st.text(max_size=12), min_size=1))
@example({"registration_year": "inf"})  # found by hypothesis: float("inf") cannot be an int
@example({"control_threats": "-inf"})
def test_any_row_maps_or_names_the_column(row: dict[str, Any]) -> None:
    full = {name: row.get(name, "-99") for name in LAYOUT.columns}
    try:
        record = layouts.ctdc_row_to_record(LAYOUT, full, SPEC)
    except layouts.RowError as exc:
        assert exc.column in LAYOUT.columns and exc.reason
        return
    records.validate(record, allow_identity=False)  # never raises


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "prs_Gender",
                "prs_Citizenship",
                "vic_MethodsOfControl",
                "vic_TypeOfExploitation",
                "cas_Status",
                "prs_FirstName",
                "prs_Birthdate",
                "vic_Anything",
                "zzz",
            ]
        ),
        st.one_of(st.text(max_size=20), st.lists(st.text(max_size=10), max_size=3)),
    )
)
def test_htcds_objects_map_or_name_the_field(item: dict[str, Any]) -> None:
    try:
        record = htcds.htcds_to_record(item)
    except layouts.RowError as exc:
        assert exc.column in item
        return
    parsed = records.validate(record, allow_identity=True)
    for problem in parsed.problems:
        assert problem.path and problem.message
