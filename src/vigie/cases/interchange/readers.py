"""Reading import files: CSV and XLSX tables row by row (within vigie.core.files' limits),
HTCDS JSON, and the layout of a file given without one. Nothing here maps or checks a row
(vigie.cases.interchange.checking) or writes (vigie.cases.interchange.importer)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from vigie.cases.interchange import htcds_sheet, layouts
from vigie.cases.interchange import mapping as mapping_module
from vigie.core import files
from vigie.core.errors import Invalid, VigieError

MAX_BYTES = int(getattr(settings, "VIGIE_IMPORT_MAX_BYTES", 2 * 1024**3))


class ImportFailed(Invalid):
    """The file cannot be imported at all (unreadable, wrong layout): a message for people."""

    default_code = "import_failed"


def _csv_rows(path: Path) -> Iterator[list[str]]:
    return files.csv_rows(path)  # limits: vigie.core.files (TooLarge / Invalid)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    for row in files.xlsx_rows(path):
        if row:  # blank rows (the template's numbered empty rows) are skipped
            yield row


def table_rows(path: Path) -> Iterator[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    return _csv_rows(path)


def json_items(path: Path) -> Iterator[dict[str, Any]]:
    files.check_json(path)  # parsed whole: refused over VIGIE_FILE_LIMITS["max_json_bytes"]
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFailed(f"file {path.name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"file {path.name}, line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    if isinstance(data, dict):
        data = data.get("records") or data.get("cases") or [data]
    if not isinstance(data, list):
        raise ImportFailed(f"file {path.name}: a JSON list of HTCDS records is expected")
    yield from data


def guess_format(path: Path) -> str:
    """The layout of a file given without one: HTCDS for JSON; for a table, from its header
    row: HTCDS columns, Vigie field names (``case.FIELD`` ...), else CTDC (whose refusal of a
    header then names the missing columns and points to --layout and --mapping)."""
    if path.suffix.lower() == ".json":
        return "htcds"
    try:
        rows = table_rows(path)
        header = [h.strip() for h in next(rows, None) or []]
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    except (OSError, ValueError, ImportFailed, VigieError, zipfile.BadZipFile):
        return "ctdc"  # the import itself reports what is wrong with the file
    if htcds_sheet.looks_like(header):
        return "htcds"
    fields = set(mapping_module.vigie_fields())
    as_vigie = sum(1 for h in header if h in fields)
    as_ctdc = max(len(set(header) & set(lay.columns)) for lay in layouts.LAYOUTS.values())
    return "vigie" if as_vigie > as_ctdc else "ctdc"


def count_rows(path: Path, fmt: str) -> int | None:
    """Rows in the file (a fast pre-count for the progress bar), or None if unknown."""
    try:
        if fmt == "htcds" and path.suffix.lower() == ".json":
            return None
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return None
        with path.open("rb") as fh:
            return max(0, sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b"")) - 1)
    except OSError:
        return None
