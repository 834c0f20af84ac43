"""Protected tables as CSV, JSON and XLSX. Input is always a disclosure-controlled Release."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from vigie.analytics.disclosure import Release
from vigie.core import cells

FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def release_dict(
    release: Release, with_margins: bool = True, nonzero: bool = False
) -> dict[str, Any]:
    return {
        "dimensions": list(release.dims),
        "method": release.method,
        "k": release.k or None,
        "epsilon": release.epsilon,
        "notes": release.notes,
        "fully_suppressed": release.fully_suppressed,
        "rows": release.rows(with_margins, nonzero),
    }


def to_csv(release: Release, nonzero: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(cells.csv_row([*release.dims, "count", "suppressed"]))
    for row in release.rows(nonzero=nonzero):
        writer.writerow(
            cells.csv_row([*(row[d] for d in release.dims), _cell(row["count"]), row["suppressed"]])
        )
    for note in release.notes:
        writer.writerow(cells.csv_row([f"# {note}"]))
    return out.getvalue().encode("utf-8")


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def to_xlsx(sheets: dict[str, Release], nonzero: bool = False) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, release in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(cells.xlsx_row(sheet, [*release.dims, "count", "suppressed"]))
        for row in release.rows(nonzero=nonzero):
            values = [*(row[d] for d in release.dims), row["count"]]
            sheet.append(cells.xlsx_row(sheet, [*values, "x" if row["suppressed"] else ""]))
        sheet.append([])
        for note in release.notes:
            sheet.append(cells.xlsx_row(sheet, [note]))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def render(release: Release, fmt: str, name: str = "table") -> bytes:
    if fmt == "csv":
        return to_csv(release)
    if fmt == "json":
        return json.dumps(release_dict(release), ensure_ascii=False, indent=1).encode()
    if fmt == "xlsx":
        return to_xlsx({name: release})
    raise ValueError(f"format {fmt!r}: use csv, json or xlsx")


def render_many(releases: dict[str, Release], fmt: str) -> bytes:
    """Several tables (routes): JSON object, one XLSX sheet each, or CSV blocks."""
    if fmt == "json":
        data = {k: release_dict(r, nonzero=True) for k, r in releases.items()}
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    if fmt == "xlsx":
        return to_xlsx(releases, nonzero=True)
    if fmt == "csv":
        return b"\n".join(
            b"# " + k.encode() + b"\n" + to_csv(r, nonzero=True) for k, r in releases.items()
        )
    raise ValueError(f"format {fmt!r}: use csv, json or xlsx")
