"""UNODC GLOTIP (Global Report on Trafficking in Persons) figures, as context beside Vigie's own.

``load(path)`` reads the UNODC data file (data_glotip_*.xlsx, sheet data_glotip_1: two preamble
rows, then the header Iso3_code, Country, Region, Subregion, Indicator, Dimension, Category,
Sex, Age, Year, Unit of measurement, txtVALUE, Source) and keeps the officially detected
victims, all sexes and ages, per country and year, in ``DATA_DIR/analytics/glotip.json``.
Values stay as UNODC publishes them (text such as "<5").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vigie.analytics.store import default_directory
from vigie.core.errors import Invalid

HEADER = ("Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension")
INDICATOR = "Detected trafficking victims"


class GlotipError(Invalid, ValueError):
    """A GLOTIP file or request that cannot be used; the message says why."""

    default_code = "glotip_invalid"


def _alpha3_to_2() -> dict[str, str]:
    from vigie.cases import codelists

    return {
        str(item.attrs["alpha3"]): code
        for code, item in codelists.get("countries").codes.items()
        if item.attrs.get("alpha3")
    }


def parse(path: Path) -> dict[str, dict[str, str]]:
    from openpyxl import load_workbook

    from vigie.core import files
    from vigie.core.errors import VigieError

    try:
        files.check_zip(path)  # inflated sizes and no DTD before openpyxl reads it
    except VigieError as exc:
        raise GlotipError(str(exc)) from None
    try:
        book = load_workbook(path, read_only=True)
    except Exception as exc:
        raise GlotipError(f"{path}: not a readable XLSX file ({exc})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header: tuple[Any, ...] | None = None
    for n, row in enumerate(rows, 1):
        if row[: len(HEADER)] == HEADER:
            header = row
            break
        if n > 10:
            break
    if header is None:
        raise GlotipError(f"{path}: no GLOTIP header row ({', '.join(HEADER)}) in the first rows")
    col = {name: i for i, name in enumerate(header)}
    to2 = _alpha3_to_2()
    result: dict[str, dict[str, str]] = {}
    for row in rows:
        if row[col["Indicator"]] != INDICATOR or row[col["Dimension"]] != "Total":
            continue
        if (row[col["Sex"]], row[col["Age"]], row[col["Category"]]) != ("Total",) * 3:
            continue
        iso2 = to2.get(str(row[col["Iso3_code"]]))
        if iso2 is None or row[col["Year"]] is None:
            continue
        result.setdefault(iso2, {})[str(row[col["Year"]])] = str(row[col["txtVALUE"]])
    book.close()
    return result


def path() -> Path:
    return default_directory() / "glotip.json"


def load(source: Path) -> int:
    """Load a GLOTIP file; returns the number of countries with figures."""
    data = parse(source)
    target = path()
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"source": source.name, "countries": data}))
    tmp.replace(target)
    return len(data)


def figures() -> dict[str, dict[str, str]]:
    try:
        data: dict[str, dict[str, str]] = json.loads(path().read_text())["countries"]
        return data
    except FileNotFoundError:
        return {}


def for_period(years: tuple[int, int]) -> dict[str, str]:
    """Officially detected victims per country in the period (the latest year given)."""
    out = {}
    for country, by_year in figures().items():
        inside = [y for y in by_year if years[0] <= int(y) <= years[1]]
        if inside:
            out[country] = by_year[max(inside)]
    return out
