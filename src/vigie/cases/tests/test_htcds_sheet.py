"""The HTCDS v2.0 spreadsheet layout: the official template (shared data) is read; the same
template filled with generated rows imports, exports (XLSX and CSV) and re-imports to the same
records; bad cells are reported by file, row, column, value and reason; nothing half-written.
Property tests of the parser with hypothesis."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.cases import codelists
from vigie.cases.interchange import (
    checking,
    exporter,
    htcds,
    htcds_sheet,
    importer,
    layouts,
    readers,
)
from vigie.cases.models import Case, Victim
from vigie.core.actor import Actor
from vigie.devtools import case_records
from vigie.devtools.shared_data import SHARED_DATA
from vigie.testing import World

TEMPLATE = SHARED_DATA / "htcds" / "HTCDS Excel Spreadsheet v2.0.xlsx"


def _import(world: World, path: Path, **kw: Any) -> checking.Report:
    return importer.run_import(
        path, organisation=world.own, actor=Actor(world.users["case_manager"], world.own.pk), **kw
    )


def _fill_template(target: Path, rows: list[dict[str, str]]) -> None:
    """The official workbook with generated rows typed under its own header (row 1 names,
    row 2 labels, numbered rows from row 3), each value in the column of its field name."""
    shutil.copy(TEMPLATE, target)
    book = openpyxl.load_workbook(target)
    sheet = book.worksheets[0]
    where = {c.value: c.column for c in sheet[1] if c.value}
    # the template has no id column: Vigie's cas_CaseNumber goes after the last column
    where[htcds_sheet.ID_COLUMN] = sheet.max_column + 1
    sheet.cell(row=1, column=where[htcds_sheet.ID_COLUMN], value=htcds_sheet.ID_COLUMN)
    for offset, row in enumerate(rows):
        for name, value in row.items():
            if value and name in where:
                sheet.cell(row=3 + offset, column=where[name], value=value)
    book.save(target)


def _sheet(path: Path) -> list[list[str]]:
    return [[c for c in row] for row in readers.table_rows(path)]


@pytest.mark.shared_data
def test_the_official_template_is_recognised_and_empty(world: World) -> None:
    report = _import(world, TEMPLATE, dry_run=True)
    assert report.layout == "htcds-sheet"
    assert report.rows == 0 and report.rejected == 0 and not report.problems
    header = _sheet(TEMPLATE)[0]
    assert htcds_sheet.looks_like(header)
    # every named column of the template is one Vigie reads
    assert {h for h in header if h.startswith(("cas_", "prs_", "vic_", "con_"))} <= set(
        htcds_sheet.NAMES
    )


@pytest.mark.shared_data
def test_filled_template_round_trips(world: World, tmp_path: Path) -> None:
    rows = list(case_records.htcds_rows(case_records.random.Random(7), 40))
    assert len(rows) > 20
    filled = tmp_path / "filled.xlsx"
    _fill_template(filled, rows)
    report = _import(world, filled)
    assert report.written and report.rejected == 0, report.problems
    assert report.created == len(rows)
    first = tmp_path / "first.xlsx"
    exporter.export(world.users["case_manager"], "htcds-xlsx", first)
    # same records: each exported row is the generated one (same cells, same id)
    exported = _sheet(first)
    header, labels, data = exported[0], exported[1], exported[2:]
    assert header == htcds_sheet.COLUMNS and labels[1:3] == ["Case Owner", "Salutation"]
    by_id = {r[htcds_sheet.ID_COLUMN]: r for r in rows}
    assert len(data) == len(rows)
    for values in data:
        got = {k: v for k, v in zip(header, values, strict=True) if v}
        want = {k: v for k, v in by_id[got[htcds_sheet.ID_COLUMN]].items() if v}
        assert got == want
    # export -> import (into an empty store) -> export gives the same file, in CSV too
    Case.objects.all().delete()
    again = _import(world, first)
    assert again.created == len(rows) and again.rejected == 0
    csv_out = tmp_path / "second.csv"
    exporter.export(world.users["case_manager"], "htcds-csv", csv_out)
    with csv_out.open(encoding="utf-8") as fh:
        csv_rows = list(csv.reader(fh))
    assert csv_rows[0] == header and sorted(csv_rows[1:]) == sorted(data)
    # re-importing the same file updates, never duplicates
    before = Case.objects.count()
    assert _import(world, filled).updated == len(rows)
    assert Case.objects.count() == before


def test_csv_with_labels_as_header(world: World, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "Gender,Citizenship,Type of Exploitation,Location of Exploitation\n"
        'Feminine,NG,SexualExploitation;ForcedMarriage,"Maiduguri, Borno"\n',
        encoding="utf-8",
    )
    report = _import(world, path, fmt="htcds")
    assert report.written and report.created == 1, report.problems
    victim = Victim.objects.get()
    assert victim.sex == "female" and victim.citizenship == "NG"
    exp = victim.case.exploitations.get()
    assert set(exp.forms) == {"sexual_exploitation", "forced_marriage"}
    assert exp.area == "Maiduguri, Borno"


def test_bad_cells_are_reported_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "cas_CaseNumber,prs_Gender,prs_Citizenship,vic_TypeOfExploitation\n"
        "A1,Feminine,IQ,ForcedLabour\n"
        "A2,Alien,IQ,ForcedLabour\n"
        "A3,Masculine,XX,ForcedLabour\n"
        "A1,Masculine,SY,ForcedLabour\n",
        encoding="utf-8",
    )
    report = _import(world, path)
    assert not report.written and Case.objects.count() == 0
    where = [(p["row"], p["column"], p["value"]) for p in report.problems]
    assert where == [
        (3, "prs_Gender", "… (5 characters: letters)"),  # a word: described (ADR 0054)
        (4, "prs_Citizenship", "… (2 characters: letters)"),
        (5, "source record id", "A1"),
    ]
    assert all(p["file"] == "bad.csv" and p["reason"] for p in report.problems)


def test_unknown_columns_are_refused_by_name(world: World, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("prs_Gender,prs_Citizenship,vic_TypeOfExploitation,prs_ShoeSize\n", "utf-8")
    try:
        _import(world, path, fmt="htcds")
    except readers.ImportFailed as exc:
        assert "odd.csv, row 1, column prs_ShoeSize" in str(exc)
    else:
        raise AssertionError("an unknown prs_ column must be refused")


# --- properties of the parser ------------------------------------------------------------------


def _xwalk(listname: str) -> list[str]:
    return sorted(
        {v for c in codelists.get(listname).codes.values() if (v := c.xwalk.get("htcds"))}
    )


def _multi(listname: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_xwalk(listname)), max_size=3, unique=True).map(";".join)


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=25).map(
    str.strip
)
VALID_ROW = st.fixed_dictionaries(
    {
        "cas_CaseNumber": st.from_regex(r"[A-Za-z0-9-]{1,12}", fullmatch=True),
        "prs_Gender": st.sampled_from(["", *_xwalk("sex")]),
        "prs_Citizenship": st.sampled_from(["", "IQ", "SY", "NG", "ER", "MM"]),
        "vic_TraffickingStatus": st.sampled_from(["", *_xwalk("trafficking_status")]),
        "vic_MethodsOfControl": _multi("means"),
        "vic_TypeOfExploitation": _multi("exploitation_forms"),
        "vic_LocationOfExploitation": TEXT,
        "cas_ReferringOrganisation": TEXT,
        "cas_ReasonForCaseClosure": TEXT,
    }
)


def _canonical(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if v}


@settings(max_examples=120, deadline=None)
@given(VALID_ROW, st.sampled_from(["csv", "labels"]))
def test_valid_rows_read_write_read(row: dict[str, str], header_kind: str) -> None:
    """A valid row written as CSV (names, or labels as header) reads back to the same record,
    which writes back the same row."""
    names = list(row)
    header = (
        names
        if header_kind == "csv"
        else [next((lab for n, lab in htcds_sheet.FIELDS if n == name), name) for name in names]
    )
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerow([row[n] for n in names])
    lines = list(csv.reader(io.StringIO(buf.getvalue())))
    items = list(htcds_sheet.items(lines[0], lines[1:]))
    if not _canonical(row):
        assert items == []
        return
    [(number, item)] = items
    assert number == 2 and item == _canonical(row)
    record = htcds.htcds_to_record(item)
    record["reference"] = "R"
    record["victims"][0]["uuid"] = "v"
    record["exploitations"][0]["victim"] = "v"
    [back] = htcds_sheet.record_rows(record, with_identity=False)
    assert _canonical(back) == _canonical(row)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*htcds_sheet.NAMES, "", "Gender", "zzz", "prs_X"]), min_size=1, max_size=6
    ),
    st.lists(st.lists(st.text(max_size=12), max_size=7), max_size=4),
)
def test_any_sheet_reads_or_names_the_problem(header: list[str], rows: list[list[str]]) -> None:
    """Any header and cells: items, or a RowError naming a header cell; then each item maps
    to a record or a RowError naming one of its columns. Never another exception."""
    try:
        found = list(htcds_sheet.items(header, rows))
    except layouts.RowError as exc:
        assert exc.reason
        assert not exc.column or all(part in header for part in exc.column.split(", "))
        return
    for number, item in found:
        assert 2 <= number <= len(rows) + 1 and all(v == v.strip() and v for v in item.values())
        try:
            htcds.htcds_to_record(item)
        except layouts.RowError as exc:
            assert exc.column in item


def test_web_download_in_the_spreadsheet_layout(web: Any, world: World, api: Any) -> None:
    from vigie.cases.tests.conftest import RECORD

    api(world.users["case_manager"]).post("/api/cases/", RECORD, format="json")
    client = web(world.users["analyst"])
    assert "format=htcds-xlsx" in client.get("/cases/").content.decode()
    response = client.get("/cases/export/?format=htcds-csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == htcds_sheet.COLUMNS and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["prs_Gender"] == "Feminine" and row["prs_SecondName"] == ""  # no identities
    forms = codelists.get("exploitation_forms")
    expected = {forms.to_external("htcds", c) for c in ("sexual_slavery", "forced_marriage")}
    assert set(row["vic_TypeOfExploitation"].split(";")) == expected - {None}


def test_a_json_item_that_is_not_an_object_is_named_by_its_kind(
    world: World, tmp_path: Path
) -> None:
    """A bare string in an HTCDS JSON array may be a person's name: the problem says what
    kind of JSON value stood there, never its text (ADR 0054)."""
    path = tmp_path / "cases.json"
    path.write_text('[{"prs_Gender": "Feminine"}, "Nadia Examplename", [1]]', encoding="utf-8")
    report = _import(world, path, fmt="htcds")
    assert not report.written
    where = [(p["row"], p["value"], p["reason"]) for p in report.problems]
    assert where == [(2, "a JSON string", "not an object"), (3, "a JSON array", "not an object")]
    assert "Examplename" not in str(report.as_dict())
