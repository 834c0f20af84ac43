"""Hostile and careless files never take the server down (issue 15): every reader refuses what
is over the limits with a clean TooLarge/Invalid naming file, place and limit — in the CLI
(exit status 2, no traceback), on the web (a page, not a 500) and in screening."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from vigie.cases.cli import cases as cases_cli
from vigie.core import files
from vigie.core.errors import Invalid, TooLarge
from vigie.core.tests import hostile
from vigie.testing import World

DRY = ["--org", "own-org", "--user", "u-analyst", "--dry-run"]


def _cli_import(path: Path) -> Any:
    with translation.override("en"):
        return CliRunner().invoke(cases_cli, ["import", str(path), *DRY])


def _refused_cleanly(result: Any, *needles: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(
        result.exception, SystemExit
    )
    for needle in needles:
        assert needle in result.output, result.output


def test_cli_refuses_a_64_mib_cell_without_reading_it(world: World, tmp_path: Path) -> None:
    path = hostile.huge_cell(tmp_path / "huge.xlsx", 64)
    assert path.stat().st_size < 200_000
    _refused_cleanly(_cli_import(path), "huge.xlsx", "xl/sharedStrings.xml", "VIGIE_FILE_LIMITS")
    # under the size limits, the string is still refused as a cell, before it is built
    path = hostile.huge_cell(tmp_path / "long.xlsx", 4)
    _refused_cleanly(_cli_import(path), "long.xlsx", "xl/sharedStrings.xml", "max_cell_chars")


def test_cli_refuses_an_entity_bomb(world: World, tmp_path: Path) -> None:
    path = hostile.entity_bomb(tmp_path / "bomb.xlsx")
    _refused_cleanly(_cli_import(path), "bomb.xlsx", "DOCTYPE")


@override_settings(VIGIE_FILE_LIMITS={"max_sheet_bytes": 4 * 1024**2})
def test_zip_bombs_refused_by_declared_and_by_real_size(world: World, tmp_path: Path) -> None:
    declared = hostile.zip_bomb(tmp_path / "declared.xlsx", 8)
    _refused_cleanly(_cli_import(declared), "declared.xlsx", "max_sheet_bytes", "sheet1.xml")
    with pytest.raises(TooLarge) as info:
        files.check_zip(declared, files.limits())
    assert info.value.detail["part"] == "xl/worksheets/sheet1.xml"
    # the central directory says 1000 bytes: the bytes really inflated are what count
    lying = hostile.lying_sizes(tmp_path / "lying.xlsx", 8, declared=1000)
    with pytest.raises((TooLarge, Invalid)):
        files.check_zip(lying, files.limits())
    assert _cli_import(lying).exit_code == 2


@override_settings(VIGIE_FILE_LIMITS={"max_rows": 50, "max_columns": 20})
def test_rows_and_columns_limits_name_the_place(world: World, tmp_path: Path) -> None:
    rows = hostile.many_rows(tmp_path / "rows.xlsx", 60)
    _refused_cleanly(_cli_import(rows), "rows.xlsx", "row 51", "max_rows")
    wide = hostile.wide_row(tmp_path / "wide.xlsx", "XFD")
    _refused_cleanly(_cli_import(wide), "wide.xlsx", "row 2", "column XFD", "max_columns")
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text("a,b,c\n" + ",".join(["1"] * 9) + "\n", "utf-8")
    with pytest.raises(TooLarge) as info:
        list(files.csv_rows(csv_path, files.limits(max_columns=8)))
    assert info.value.detail == {
        "file": "wide.csv",
        "row": 2,
        "column": "I",
        "limit": 8,
        "setting": "max_columns",
    }


@override_settings(VIGIE_FILE_LIMITS={"max_line_chars": 1024**2, "max_cell_chars": 100})
def test_csv_endless_line_and_long_cell(world: World, tmp_path: Path) -> None:
    endless = tmp_path / "endless.csv"
    endless.write_bytes(",".join(hostile.HEADER).encode() + b"\n" + b"x" * (3 * 1024**2))
    _refused_cleanly(_cli_import(endless), "endless.csv", "line 2", "max_line_chars")
    long_cell = tmp_path / "cell.csv"
    long_cell.write_text("a,b\n1," + "y" * 101 + "\n", "utf-8")
    with pytest.raises(TooLarge) as info:
        list(files.csv_rows(long_cell))
    assert info.value.detail["row"] == 2 and info.value.detail["column"] == "B"


@override_settings(VIGIE_FILE_LIMITS={"max_json_bytes": 1024})
def test_json_import_over_the_size_limit_is_refused(world: World, tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text("[" + ",".join(['{"prs_Gender": "Female"}'] * 100) + "]", "utf-8")
    _refused_cleanly(_cli_import(path), "cases.json", "max_json_bytes")


def test_legitimate_workbook_still_reads(tmp_path: Path) -> None:
    path = hostile.many_rows(tmp_path / "ok.xlsx", 20)
    rows = list(files.xlsx_rows(path))
    assert rows[0] == hostile.HEADER and len(rows) == 21 and rows[5] == hostile.ROW


def _preview(client: Any, name: str, content: bytes) -> Any:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    page = client.post("/import/cases/", {"file": upload, "organisation": "own-org"})
    assert page.status_code == 302, page.content.decode()[:2000]
    return client.get(page["Location"], HTTP_ACCEPT_LANGUAGE="en")


def test_web_preview_refuses_hostile_workbooks(web: Any, world: World, tmp_path: Path) -> None:
    client = web(world.users["analyst"])
    huge = hostile.huge_cell(tmp_path / "huge.xlsx", 64).read_bytes()
    page = _preview(client, "huge.xlsx", huge)
    assert page.status_code == 200 and len(page.content) < 200_000
    assert "VIGIE_FILE_LIMITS" in page.content.decode()
    page = _preview(client, "bomb.xlsx", hostile.entity_bomb(tmp_path / "b.xlsx").read_bytes())
    assert page.status_code == 200 and "DOCTYPE" in page.content.decode()


def test_web_preview_bounds_each_cell(web: Any, world: World) -> None:
    client = web(world.users["analyst"])
    long_text = "z" * 30_000  # legal (under Excel's 32,767) but not for a preview table
    content = f"registration_year,gender,notes\n2019,Female,{long_text}\n".encode()
    page = _preview(client, "long.csv", content)
    assert page.status_code == 200
    body = page.content.decode()
    assert "z" * 301 not in body and "z" * 100 in body


def test_screening_batch_refuses_a_huge_cell(tmp_path: Path) -> None:
    from vigie.screening import batch

    path = hostile.huge_cell(tmp_path / "names.xlsx", 4)
    with pytest.raises(batch.BatchFileError, match="max_cell_chars"):
        list(batch.rows(path, {"name": "registration_year"}))


@override_settings(VIGIE_FILE_LIMITS={"max_line_chars": 1024**2})
def test_watchlist_csv_refuses_an_endless_line(tmp_path: Path) -> None:
    from vigie.screening.parsers import csvlist
    from vigie.screening.parsers.base import ListFormatError

    path = tmp_path / "list.csv"
    path.write_bytes(b"reference,name\n1," + b"n" * (3 * 1024**2))
    with pytest.raises(ListFormatError, match="max_line_chars"):
        csvlist.parse(path)
