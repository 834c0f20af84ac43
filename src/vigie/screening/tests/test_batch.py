"""Batch files: CSV and XLSX, column mapping, clear errors."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from vigie.core import errors
from vigie.core.errors import Invalid
from vigie.screening import batch, engine
from vigie.screening.tests.factories import write


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build(
        [
            {
                "id": 1,
                "watchlist": "t",
                "reference": "T.1",
                "schema": "Organization",
                "caption": "Sahara Synthetic Trading LLC",
                "data": {"names": [{"name": "Sahara Synthetic Trading LLC", "kind": "primary"}]},
            }
        ]
    )


def test_xlsx_with_mapped_columns(tmp_path: Path, index: engine.ScreeningIndex) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Vendor", "Vendor no."])
    ws.append(["Sahara Synthetic Trading", "V1"])
    ws.append(["Completely Different Bakery", "V2"])
    path = tmp_path / "vendors.xlsx"
    wb.save(path)
    out = io.StringIO()
    counts = batch.run(index, path, out, mapping={"name": "Vendor", "id": "Vendor no."}, fmt="json")
    rows = json.loads(out.getvalue())
    assert counts == {"rows": 2, "with_matches": 1, "errors": 0}
    assert [r["id"] for r in rows] == ["V1", "V2"]
    assert rows[0]["matches"][0]["reference"] == "T.1" and rows[1]["matches"] == []


def test_guessed_mapping_and_csv_output(tmp_path: Path, index: engine.ScreeningIndex) -> None:
    path = write(tmp_path, "s.csv", "Supplier,Country\nSahara Synthetic Trading LLC,LY\n")
    assert batch.guess_mapping(batch.headers(path)) == {"name": "Supplier", "country": "Country"}
    out = io.StringIO()
    batch.run(index, path, out)
    assert "T.1" in out.getvalue() and out.getvalue().startswith("row,id,name,status")


def test_missing_name_column_is_a_clear_error(tmp_path: Path, index: engine.ScreeningIndex) -> None:
    path = write(tmp_path, "x.csv", "a,b\n1,2\n")
    with pytest.raises(batch.BatchFileError, match=r"x\.csv, row 1: no name column") as caught:
        batch.run(index, path, io.StringIO())
    # one error model (ADR 0008): an Invalid with a stable code and where it went wrong
    err = caught.value
    assert isinstance(err, Invalid) and errors.exit_status(err) == errors.EXIT_INVALID
    assert err.code == "batch_file_invalid"
    assert err.detail["file"] == "x.csv" and err.detail["row"] == 1
    assert err.detail["value"] == "name" and "no name column" in err.detail["why"]


def test_a_mapped_column_the_file_lacks_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "nom,pays\nX,LY\n")
    with pytest.raises(batch.BatchFileError) as caught:
        list(batch.rows(path, {"name": "nom", "country": "country"}))
    assert caught.value.detail["column"] == "country" and caught.value.detail["row"] == 1


def test_row_with_overlong_name_is_reported_not_fatal(
    tmp_path: Path, index: engine.ScreeningIndex
) -> None:
    path = write(tmp_path, "y.csv", "name\n" + "A" * 400 + "\nSahara Synthetic Trading LLC\n")
    out = io.StringIO()
    counts = batch.run(index, path, out, fmt="json")
    rows = json.loads(out.getvalue())
    assert counts["errors"] == 1 and rows[0]["error"].startswith("row 2:")
    assert rows[1]["matches"]


def test_two_workers_keep_input_order(tmp_path: Path, index: engine.ScreeningIndex) -> None:
    lines = ["id,name"] + [
        f"R{i},{'Sahara Synthetic Trading LLC' if i % 7 == 0 else f'Nobody Number {i}'}"
        for i in range(1, 1201)
    ]
    path = write(tmp_path, "many.csv", "\n".join(lines) + "\n")
    out = io.StringIO()
    counts = batch.run(index, path, out, fmt="json", workers=2)
    rows = json.loads(out.getvalue())
    assert counts["rows"] == 1200 and [r["id"] for r in rows] == [f"R{i}" for i in range(1, 1201)]
    assert counts["with_matches"] == 1200 // 7


def _dies_in_a_worker(args: Any, parent: int = os.getpid()) -> Any:
    if os.getpid() != parent:
        os._exit(1)  # as a worker killed, or crashed in native code, would
    raise AssertionError("only the worker processes run chunks")


def test_a_dead_worker_neither_hangs_nor_loses_rows(
    tmp_path: Path, index: engine.ScreeningIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["id,name"] + [
        f"R{i},{'Sahara Synthetic Trading LLC' if i % 7 == 0 else f'Nobody Number {i}'}"
        for i in range(1, 5001)
    ]
    path = write(tmp_path, "many.csv", "\n".join(lines) + "\n")
    monkeypatch.setattr(batch, "_screen_chunk", _dies_in_a_worker)
    out = io.StringIO()
    counts = batch.run(index, path, out, fmt="json", workers=2)
    rows = json.loads(out.getvalue())
    assert counts["rows"] == 5000 and [r["id"] for r in rows] == [f"R{i}" for i in range(1, 5001)]
    assert counts["with_matches"] == 5000 // 7


@pytest.mark.parametrize("workers", [1, 2])
def test_a_repeated_name_is_screened_once_with_the_same_matches(
    tmp_path: Path, index: engine.ScreeningIndex, workers: int, monkeypatch: Any
) -> None:
    calls: list[str] = []
    screen = engine.ScreeningIndex.screen

    def counted(self: engine.ScreeningIndex, query: engine.Query, **kw: Any) -> Any:
        calls.append(query.name)
        return screen(self, query, **kw)

    monkeypatch.setattr(engine.ScreeningIndex, "screen", counted)
    names = ["Sahara Synthetic Trading", "Other Bakery", "Sahara  Synthetic Trading"] * 3
    path = write(tmp_path, "r.csv", "name\n" + "\n".join(names) + "\n")
    out = io.StringIO()
    batch.run(index, path, out, fmt="json", workers=workers)
    screened = list(calls)
    rows = json.loads(out.getvalue())
    expected = [
        [m.as_dict()["reference"] for m in index.screen(engine.Query(" ".join(n.split())))]
        for n in names
    ]
    assert [[m["reference"] for m in r["matches"]] for r in rows] == expected
    assert rows[0]["matches"] == rows[2]["matches"] == rows[8]["matches"]
    if workers == 1:  # (forked workers count in their own memory)
        assert screened == ["Sahara Synthetic Trading", "Other Bakery"]
