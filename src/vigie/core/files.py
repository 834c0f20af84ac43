"""Reading files people upload, within limits: every table reader goes through here.

A spreadsheet of 70 KB can declare (or really hold) gigabytes once inflated, a single cell of
a gigabyte, a million columns or an XML entity bomb. The readers here refuse such files with
:class:`~vigie.core.errors.TooLarge` or :class:`~vigie.core.errors.Invalid`, naming the file,
the sheet part, the row, the column and the limit (``VIGIE_FILE_LIMITS``, docs/settings.md),
before the file can take the process's memory:

- XLSX (a zip): ``check_zip`` reads the central directory (member count, declared sizes, per
  member and in total), then inflates every member as a stream, counting the bytes really
  produced (declared sizes lie) and refusing any ``<!DOCTYPE``/``<!ENTITY``/``<![CDATA[``
  in an XML part and any run of more than ``8 * max_cell_chars`` bytes without a ``<`` (a
  text node that long is a cell over the limit; refused before openpyxl builds it as one
  string). Parts openpyxl reads whole (shared strings, styles) have their own, smaller cap.
  ``xlsx_rows`` then streams the first sheet with openpyxl (read-only) and checks every row:
  count, width, cell length.
- CSV: ``csv_rows`` reads physical lines of at most ``max_line_chars`` (so one endless line
  never reaches memory), and checks every row's count, width and cell length.

Peak memory is bounded by the limits, whatever the file declares (bench/hostile_files.py).
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from vigie.core.errors import Invalid, TooLarge

MiB = 1024**2
CHUNK = 1 * MiB
# parts of a workbook that openpyxl streams; every other part it reads whole
STREAMED = re.compile(r"^xl/worksheets/sheet\d+\.xml$")
XML_PART = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Limits:
    """What a file may hold. Defaults fit every real file we know (Excel's own cell limit is
    32,767 characters; HTCDS has 40 columns, CTDC 63) with room to spare."""

    max_cell_chars: int = 32_767
    max_rows: int = 2_000_000
    max_columns: int = 1_024
    max_line_chars: int = 4 * MiB  # CSV: one physical line
    max_members: int = 10_000  # XLSX: entries of the zip
    max_part_bytes: int = 64 * MiB  # XLSX: an inflated part read whole (shared strings)
    max_sheet_bytes: int = 2048 * MiB  # XLSX: an inflated worksheet (streamed)
    max_total_bytes: int = 4096 * MiB  # XLSX: all inflated parts together
    max_json_bytes: int = 256 * MiB  # a JSON document, parsed whole

    @property
    def max_text_run(self) -> int:
        """Bytes of XML without a ``<``: a cell's text with room for entities and UTF-8."""
        return 8 * self.max_cell_chars + 4096


def limits(**overrides: int) -> Limits:
    """The configured limits (``VIGIE_FILE_LIMITS``, a dict of Limits' fields)."""
    conf = dict(getattr(settings, "VIGIE_FILE_LIMITS", {}) or {})
    known = {f.name for f in fields(Limits)}
    values = {k: int(v) for k, v in {**conf, **overrides}.items() if k in known}
    return replace(Limits(), **values)


def _place(where: dict[str, Any]) -> str:
    labels = {
        "part": _("part"),
        "sheet": _("sheet"),
        "row": _("row"),
        "column": _("column"),
        "line": _("line"),
    }
    return ", ".join(f"{labels.get(k, k)} {v}" for k, v in where.items())


def _too_large(file: str, what: str, limit: int, setting: str, **where: Any) -> TooLarge:
    where = {k: v for k, v in where.items() if v not in (None, "")}
    place = _place(where)
    return TooLarge(
        _("file %(file)s%(place)s: %(what)s (limit %(limit)s, setting %(setting)s)")
        % {
            "file": file,
            "place": f", {place}" if place else "",
            "what": what,
            "limit": f"{limit:,}",
            "setting": f"VIGIE_FILE_LIMITS['{setting}']",
        },
        code="file_too_large",
        detail={"file": file, **where, "limit": limit, "setting": setting},
    )


def _invalid(file: str, what: str, **where: Any) -> Invalid:
    where = {k: v for k, v in where.items() if v not in (None, "")}
    place = _place(where)
    return Invalid(
        _("file %(file)s%(place)s: %(what)s")
        % {"file": file, "place": f", {place}" if place else "", "what": what},
        code="file_refused",
        detail={"file": file, **where},
    )


# --- zip (XLSX) ------------------------------------------------------------------------------


def _declared_entries(path: Path) -> int | None:
    """Entries the zip's end record declares, read before the central directory is loaded
    (a small file can declare millions, which ``ZipFile`` would hold in memory)."""
    with path.open("rb") as fh:
        end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    return None if not end else int(end[4])  # _ECD_ENTRIES_TOTAL


def _scan_xml(stream: IO[bytes], file: str, part: str, lim: Limits, cap: int, setting: str) -> int:
    """Inflate one part, counting real bytes; refuse DTDs, CDATA and over-long text runs."""
    total, run, tail = 0, 0, b""
    step = lim.max_text_run
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if total > cap:
            raise _too_large(
                file, _("inflates to more bytes than allowed"), cap, setting, part=part
            )
        window = tail + chunk
        start = window.find(b"<!")
        while start != -1:
            if not window.startswith(b"<!--", start) and len(window) - start >= 4:
                raise _invalid(
                    file,
                    _("a DOCTYPE, entity or CDATA declaration is not allowed in a workbook"),
                    part=part,
                )
            start = window.find(b"<!", start + 2)
        tail = chunk[-8:]
        first = chunk.find(b"<")
        if first == -1:
            run += len(chunk)
        else:
            run += first
            # inside the chunk, every aligned slice of max_text_run bytes must hold a "<"
            # (then no run is longer than twice that; a slice without one is a run too long)
            for i in range(first, len(chunk) - step + 1, step):
                if chunk.find(b"<", i, i + step) == -1:
                    run = step + 1
                    break
        if run > step:
            raise _too_large(
                file,
                _("a cell or value is longer than allowed"),
                lim.max_cell_chars,
                "max_cell_chars",
                part=part,
            )
        if first != -1:
            run = len(chunk) - chunk.rfind(b"<") - 1
    return total


def check_zip(path: Path, lim: Limits | None = None) -> None:
    """Refuse a workbook whose inflated parts are over the limits or carry a DTD."""
    lim = lim or limits()
    name = path.name
    try:
        declared = _declared_entries(path)
        if declared is not None and declared > lim.max_members:
            raise _too_large(name, _("too many parts in the zip"), lim.max_members, "max_members")
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > lim.max_members:
                raise _too_large(
                    name, _("too many parts in the zip"), lim.max_members, "max_members"
                )
            declared_total = 0
            for info in infos:
                cap, setting = _cap(info.filename, lim)
                if info.file_size > cap:
                    raise _too_large(
                        name,
                        _("declares more inflated bytes than allowed"),
                        cap,
                        setting,
                        part=info.filename,
                    )
                declared_total += info.file_size
            if declared_total > lim.max_total_bytes:
                raise _too_large(
                    name,
                    _("declares more inflated bytes than allowed"),
                    lim.max_total_bytes,
                    "max_total_bytes",
                )
            total = 0
            for info in infos:
                cap, setting = _cap(info.filename, lim)
                with zf.open(info) as stream:
                    if info.filename.lower().endswith(XML_PART):
                        total += _scan_xml(stream, name, info.filename, lim, cap, setting)
                    else:
                        total += _count(stream, name, info.filename, cap, setting)
                if total > lim.max_total_bytes:
                    raise _too_large(
                        name,
                        _("inflates to more bytes than allowed"),
                        lim.max_total_bytes,
                        "max_total_bytes",
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise _invalid(
            name, _("not a readable XLSX workbook (truncated or damaged: %(why)s)") % {"why": exc}
        ) from None


def _cap(member: str, lim: Limits) -> tuple[int, str]:
    if STREAMED.match(member):
        return lim.max_sheet_bytes, "max_sheet_bytes"
    return lim.max_part_bytes, "max_part_bytes"


def _count(stream: IO[bytes], file: str, part: str, cap: int, setting: str) -> int:
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if total > cap:
            raise _too_large(
                file, _("inflates to more bytes than allowed"), cap, setting, part=part
            )
    return total


# --- rows ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet value as text: whole floats without ``.0``, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA (how a spreadsheet user finds the column)."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def check_row(file: str, number: int, cells: list[str], lim: Limits, sheet: str = "") -> list[str]:
    """Refuse row ``number`` if it is past the row limit or has a too wide or too long cell;
    empty cells past the column limit are dropped (spreadsheets pad formatted columns)."""
    if number > lim.max_rows:
        raise _too_large(
            file, _("too many rows"), lim.max_rows, "max_rows", sheet=sheet, row=number
        )
    if len(cells) > lim.max_columns:
        extra = next((i for i in range(lim.max_columns, len(cells)) if cells[i]), None)
        if extra is not None:
            raise _too_large(
                file,
                _("too many columns"),
                lim.max_columns,
                "max_columns",
                sheet=sheet,
                row=number,
                column=column_letter(extra + 1),
            )
        cells = cells[: lim.max_columns]
    for i, text in enumerate(cells):
        if len(text) > lim.max_cell_chars:
            raise _too_large(
                file,
                _("a cell is longer than allowed (characters)"),
                lim.max_cell_chars,
                "max_cell_chars",
                sheet=sheet,
                row=number,
                column=column_letter(i + 1),
            )
    return cells


def xlsx_rows(path: Path, lim: Limits | None = None) -> Iterator[list[str]]:
    """Rows of the first sheet as text (an empty row as ``[]``), after ``check_zip``."""
    import openpyxl

    lim = lim or limits()
    check_zip(path, lim)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise _invalid(
            path.name,
            _("not a readable XLSX workbook (truncated or damaged: %(why)s)") % {"why": exc},
        ) from None
    try:
        if not book.worksheets:
            raise _invalid(path.name, _("the workbook has no worksheet"))
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if row is None or all(c is None for c in row):
                check_row(path.name, number, [], lim, sheet.title)
                yield []
                continue
            yield check_row(path.name, number, [cell_text(c) for c in row], lim, sheet.title)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, SyntaxError) as exc:
        raise _invalid(
            path.name, _("the workbook is truncated or damaged (%(why)s)") % {"why": exc}
        ) from None
    finally:
        book.close()


def bounded_lines(fh: IO[str], file: str, lim: Limits) -> Iterator[str]:
    """The physical lines of a text file, refusing one longer than ``max_line_chars``
    before it is read whole."""
    number = 0
    while line := fh.readline(lim.max_line_chars + 1):
        number += 1
        if len(line) > lim.max_line_chars:
            raise _too_large(
                file,
                _("a line is longer than allowed (characters)"),
                lim.max_line_chars,
                "max_line_chars",
                line=number,
            )
        yield line


def csv_rows(path: Path, lim: Limits | None = None, **fmt: Any) -> Iterator[list[str]]:
    """Rows of a UTF-8 CSV file (a BOM is skipped), each checked against the limits."""
    lim = lim or limits()
    number = 0
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.reader(bounded_lines(fh, path.name, lim), **fmt), 1):
                yield check_row(path.name, number, row, lim)
    except UnicodeDecodeError as exc:
        raise _invalid(
            path.name,
            _("not UTF-8 text (%(why)s); save the file as UTF-8 CSV") % {"why": exc.reason},
            row=number + 1,
        ) from None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _too_large(
                path.name,
                _("a cell is longer than allowed (characters)"),
                min(lim.max_cell_chars, csv.field_size_limit()),
                "max_cell_chars",
                row=number + 1,
            ) from None
        raise _invalid(
            path.name, _("malformed CSV: %(why)s") % {"why": exc}, row=number + 1
        ) from None


def check_json(path: Path, lim: Limits | None = None) -> None:
    """Refuse a JSON document too large to parse whole (json.loads holds it all, several
    times its size in objects)."""
    lim = lim or limits()
    size = path.stat().st_size
    if size > lim.max_json_bytes:
        raise _too_large(
            path.name, _("too large to read at once (bytes)"), lim.max_json_bytes, "max_json_bytes"
        )


def table_rows(path: Path, lim: Limits | None = None) -> Iterator[list[str]]:
    """Rows of a CSV or XLSX file (by its suffix), within the limits."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return xlsx_rows(path, lim)
    return csv_rows(path, lim)
