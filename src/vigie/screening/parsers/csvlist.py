"""Any CSV watchlist (UNGM ineligible vendors, World Bank debarments, an agency's own list),
read through a column mapping: our field -> the file's column header.

Fields: ``reference`` (required, or row numbers are used), ``name`` (required), ``aliases``
(separated by ``;``), ``schema`` (Person/Organization, or person/entity/company),
``birth_date``, ``nationality``, ``country``, ``document``, ``address``, ``listed_on``,
``regime``, ``comments``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from vigie.core import files
from vigie.core.errors import VigieError
from vigie.screening.parsers.base import (
    ORGANIZATION,
    PERSON,
    ListFormatError,
    ParsedEntry,
    ParsedList,
    add_unique,
)

FIELDS = (
    "reference",
    "name",
    "aliases",
    "schema",
    "birth_date",
    "nationality",
    "country",
    "document",
    "address",
    "listed_on",
    "regime",
    "comments",
)
DEFAULT_MAPPING = {f: f for f in FIELDS}


def _schema(value: str) -> str:
    v = value.strip().lower()
    if v in {"person", "individual", "natural person", "p"}:
        return PERSON
    return ORGANIZATION


def parse(path: Path, mapping: dict[str, str] | None = None, code: str | None = None) -> ParsedList:
    mapping = {**DEFAULT_MAPPING, **(mapping or {})}
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ListFormatError(
            path.name, "mapping", f"unknown fields {sorted(unknown)}; known: {FIELDS}"
        )
    entries: list[ParsedEntry] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            lines = files.bounded_lines(fh, path.name, files.limits())
            reader = csv.DictReader(lines, strict=True)
            headers = reader.fieldnames or []
            if mapping["name"] not in headers:
                raise ListFormatError(
                    path.name,
                    "line 1",
                    f"no column {mapping['name']!r} for the name; columns: {headers}",
                )
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise ListFormatError(
                        path.name, f"line {line}", "more cells than header columns"
                    )
                if any(v is None for v in row.values()):
                    raise ListFormatError(
                        path.name, f"line {line}", "fewer cells than header columns; truncated?"
                    )

                def get(field: str, row: dict[str, str] = row) -> str:
                    col = mapping.get(field, "")
                    return (row.get(col) or "").strip()

                name = get("name")
                if not name:
                    raise ListFormatError(
                        path.name, f"line {line}, column {mapping['name']}", "empty name"
                    )
                ref = get("reference") or f"row-{line}"
                entry = ParsedEntry(
                    reference=ref, schema=_schema(get("schema") or "organization"), caption=name
                )
                entry.add_name(name, "primary", "good")
                for alias in get("aliases").split(";"):
                    entry.add_name(alias, "alias", "good")
                for field, target in (
                    ("birth_date", entry.birth_dates),
                    ("nationality", entry.nationalities),
                    ("country", entry.countries),
                    ("address", entry.addresses),
                ):
                    for value in get(field).split(";"):
                        add_unique(target, value)
                for number in get("document").split(";"):
                    if number.strip():
                        entry.documents.append(
                            {"type": "", "number": number.strip(), "country": ""}
                        )
                entry.listed_on, entry.regime, entry.comments = (
                    get("listed_on"),
                    get("regime"),
                    get("comments"),
                )
                entries.append(entry)
    except csv.Error as exc:
        raise ListFormatError(path.name, "CSV", str(exc)) from None
    except VigieError as exc:  # over a limit of vigie.core.files
        raise ListFormatError(path.name, "", str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ListFormatError(path.name, f"byte {exc.start}", "not UTF-8 text") from None
    return ParsedList("csv", code or f"csv-{path.stem}", path.stem, "", entries)
