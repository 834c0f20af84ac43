"""Debarment lists of development banks and procurement bodies (firms and individuals
declared ineligible for contracts), as CSV with the headers these lists use ("Firm Name",
"Country", "Ineligibility Period From", "Grounds"...): the columns are recognised by name and
read by the CSV list parser. These lists rarely carry an identifier: an entry without one
gets a reference made from its name and country, so it keeps its reference from one
publication to the next (a row number would change and raise every hit again).
FollowTheMoney exports of debarments (``Sanction`` entities) load with the ``ftm`` source."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from vigie.screening.parsers import csvlist
from vigie.screening.parsers.base import ListFormatError, ParsedList

# our field -> the headers (lower case) debarment lists use for it
HEADERS = {
    "reference": ("id", "reference", "sanction id", "debarment id", "case number"),
    "name": ("firm name", "name", "entity name", "supplier name", "vendor name", "firm"),
    "aliases": ("aliases", "also known as", "other names"),
    "schema": ("type", "entity type", "individual or firm"),
    "country": ("country", "nationality", "country of registration"),
    "address": ("address", "firm address"),
    "listed_on": ("from date", "ineligibility period from", "from", "start date", "date listed"),
    "regime": ("grounds", "sanction type", "basis", "reason", "ground"),
    "comments": ("to date", "ineligibility period to", "to", "end date", "comments"),
}


def _mapping(path: Path) -> dict[str, str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader([fh.readline(65536)]), [])
    except UnicodeDecodeError:
        raise ListFormatError(path.name, "line 1", "not UTF-8 text") from None
    by_lower = {h.strip().lower(): h for h in header}
    mapping = {}
    for field, names in HEADERS.items():
        found = next((by_lower[n] for n in names if n in by_lower), None)
        mapping[field] = found or f"\x00{field}"  # an absent column reads as empty
    if mapping["name"].startswith("\x00"):
        raise ListFormatError(path.name, "line 1", f"no name column; columns: {header}")
    return mapping


def parse(path: Path, code: str | None = None) -> ParsedList:
    result = csvlist.parse(path, mapping=_mapping(path), code=code or f"debarment-{path.stem}")
    seen: dict[str, int] = {}
    for entry in result.entries:
        if entry.reference.startswith("row-"):
            key = f"{entry.caption.casefold()}|{';'.join(entry.countries).casefold()}"
            ref = "db-" + hashlib.sha256(key.encode()).hexdigest()[:16]
            seen[ref] = seen.get(ref, 0) + 1
            entry.reference = ref if seen[ref] == 1 else f"{ref}-{seen[ref]}"
    result.source = "debarment"
    return result
