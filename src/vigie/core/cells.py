"""Cells written to CSV and XLSX files that a person opens in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection: ``=HYPERLINK(...)`` sends data away, DDE runs commands).
Every CSV writer in Vigie passes its cells through :func:`neutralise`, which prefixes such a
text with a single quote as the OWASP "CSV Injection" guidance says; a text that is only a
number (``-99``, ``+3.5``) is left as it is, because no spreadsheet reads it as a formula and
code lists use ``-99`` for "unknown". XLSX cells are written by :func:`xlsx_row` with the
string type, so nothing written as text is ever stored as a formula (docs/adr/0021).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value``, with a single quote before a text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer``, every text cell neutralised."""
    return [neutralise(v) for v in values]


def csv_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row for ``csv.DictWriter``, every text cell neutralised."""
    return {k: neutralise(v) for k, v in row.items()}


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for an openpyxl write-only sheet: texts as string cells, never formulas.

    openpyxl stores a text beginning with ``=`` as a formula; the cell's type is set back to
    string so the text is kept as it was given."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        out.append(cell)
    return out
