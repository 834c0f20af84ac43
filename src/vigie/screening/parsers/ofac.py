"""OFAC's lists: the legacy SDN CSV files (sdn.csv with alt.csv, add.csv and sdn_comments.csv
beside it; no header; ``-0-`` for empty) and the ``sdnList`` XML (SDN or Consolidated)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from vigie.core import files
from vigie.core.errors import VigieError
from vigie.screening.parsers import xmlsafe
from vigie.screening.parsers.base import (
    ORGANIZATION,
    OTHER,
    PERSON,
    VESSEL,
    ListFormatError,
    ParsedEntry,
    ParsedList,
    add_unique,
    clean,
)
from vigie.screening.parsers.xmlsafe import child_text, children

SCHEMA = {"individual": PERSON, "entity": ORGANIZATION, "vessel": VESSEL, "aircraft": OTHER}
DOB = re.compile(r"\bDOB\s+([^;]+)")
POB = re.compile(r"\bPOB\s+([^;]+)")
NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([^;]+)", re.IGNORECASE)
DOCUMENT = re.compile(
    r"\b(Passport|National ID No\.|Cedula No\.|Identification Number|Tax ID No\.|"
    r"NIT #|RFC|C\.U\.R\.P\.|SSN|D\.N\.I\.|Registration ID|Driver's License No\.)\s*"
    r"([A-Z0-9][A-Z0-9\-/. ]*[A-Z0-9])(?:\s*\(([^)]+)\))?",
)
MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _date(text: str) -> str:
    """'12 Mar 1955' -> 1955-03-12, 'circa 1960' -> 1960, '1955 to 1957' -> 1955/1957."""
    t = text.strip().rstrip(".").lower().replace("circa ", "")
    m = re.fullmatch(r"(\d{1,2}) ([a-z]{3}) (\d{4})", t)
    if m and m.group(2) in MONTHS:
        return f"{m.group(3)}-{MONTHS[m.group(2)]:02d}-{int(m.group(1)):02d}"
    m = re.fullmatch(r"([a-z]{3}) (\d{4})", t)
    if m and m.group(1) in MONTHS:
        return f"{m.group(2)}-{MONTHS[m.group(1)]:02d}"
    m = re.fullmatch(r"(\d{4}) to (\d{4})", t)
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return t


def apply_remarks(entry: ParsedEntry, remarks: str) -> None:
    """Pull birth dates, places, nationalities, documents and a.k.a.s out of free remarks."""
    for m in DOB.finditer(remarks):
        for part in m.group(1).split(";")[0].split(" alt. "):
            add_unique(entry.birth_dates, _date(part))
    for m in POB.finditer(remarks):
        add_unique(entry.birth_places, m.group(1))
    for m in NATIONALITY.finditer(remarks):
        add_unique(entry.nationalities, m.group(1))
    for m in DOCUMENT.finditer(remarks):
        entry.documents.append(
            {"type": m.group(1), "number": m.group(2), "country": clean(m.group(3))}
        )
    for m in re.finditer(r"a\.k\.a\. '([^']+)'", remarks):
        entry.add_name(m.group(1), "alias", "low")


def _person_name(name: str) -> str:
    """OFAC writes 'LAST, First Middle'; the natural order helps the explanation only."""
    if "," in name:
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip()}"
    return name


def _rows(path: Path, width: int) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    with path.open(encoding="utf-8", errors="strict", newline="") as fh:
        reader = csv.reader(files.bounded_lines(fh, path.name, files.limits()), strict=True)
        try:
            for row in reader:
                if not row or row in ([""], ["\x1a"]):  # OFAC files end with Ctrl-Z
                    continue
                if len(row) != width:
                    raise ListFormatError(
                        path.name,
                        f"line {reader.line_num}",
                        f"{len(row)} columns, expected {width}; truncated or not this format",
                    )
                cells = [("" if c.strip() == "-0-" else c.strip()) for c in row]
                out.append((reader.line_num, cells))
        except csv.Error as exc:
            raise ListFormatError(path.name, f"line {reader.line_num}", str(exc)) from None
        except UnicodeDecodeError as exc:
            raise ListFormatError(path.name, f"byte {exc.start}", "not UTF-8 text") from None
        except VigieError as exc:  # over a limit of vigie.core.files
            raise ListFormatError(path.name, "", str(exc)) from None
    return out


def parse_csv(path: Path) -> ParsedList:
    folder = path if path.is_dir() else path.parent
    sdn = path if path.is_file() else folder / "sdn.csv"
    entries: dict[str, ParsedEntry] = {}
    remarks: dict[str, str] = {}
    for line, row in _rows(sdn, 12):
        ent_num, name, kind = row[0], row[1], row[2].lower()
        if not ent_num.isdigit() or not name:
            raise ListFormatError(sdn.name, f"line {line}", f"bad entry number or name: {row[:2]}")
        schema = SCHEMA.get(kind, ORGANIZATION if not kind else OTHER)
        caption = _person_name(name) if schema == PERSON else name
        entry = ParsedEntry(reference=ent_num, schema=schema, caption=caption)
        entry.add_name(name, "primary", "good")
        entry.regime = row[3]
        entry.programmes = [p.strip() for p in row[3].split("] [") if p.strip()]
        entry.extra = {k: v for k, v in zip(("title", "call_sign"), row[4:6], strict=True) if v}
        remarks[ent_num] = row[11]
        entries[ent_num] = entry
    comments = folder / "sdn_comments.csv"
    if comments.exists():
        for _line, row in _rows(comments, 2):
            if row[0] in remarks:
                remarks[row[0]] += row[1]
    for ent_num, text in remarks.items():
        entries[ent_num].comments = text
        apply_remarks(entries[ent_num], text)
    alt = folder / "alt.csv"
    if alt.exists():
        for line, row in _rows(alt, 5):
            if row[0] not in entries:
                raise ListFormatError(alt.name, f"line {line}", f"unknown entry number {row[0]}")
            kind = row[2].lower()
            entries[row[0]].add_name(
                row[3],
                "weak" if kind == "nka" else "alias",
                "low" if kind == "fka" or "weak" in kind else "good",
                type=row[2],
            )
    add = folder / "add.csv"
    if add.exists():
        for line, row in _rows(add, 6):
            if row[0] not in entries:
                raise ListFormatError(add.name, f"line {line}", f"unknown entry number {row[0]}")
            add_unique(entries[row[0]].addresses, ", ".join(c for c in row[2:5] if c))
            add_unique(entries[row[0]].countries, row[4])
    return ParsedList("ofac", "ofac-sdn", "OFAC SDN list", "", list(entries.values()))


def _xml_entry(path: Path, el: Any) -> ParsedEntry:
    uid = child_text(el, "uid")
    last, first = child_text(el, "lastName"), child_text(el, "firstName")
    if not uid or not last:
        raise ListFormatError(
            path.name, f"line {el.sourceline} <sdnEntry>", "uid or lastName missing"
        )
    schema = SCHEMA.get(child_text(el, "sdnType").lower(), OTHER)
    entry = ParsedEntry(reference=uid, schema=schema, caption=clean(f"{first} {last}"))
    parts = {k: v for k, v in (("first_name", first), ("last_name", last)) if v}
    entry.add_name(f"{first} {last}", "primary", "good", parts=parts)
    for group in children(el, "akaList"):
        for aka in children(group, "aka"):
            quality = "low" if child_text(aka, "category") == "weak" else "good"
            name = clean(f"{child_text(aka, 'firstName')} {child_text(aka, 'lastName')}")
            entry.add_name(name, "alias", quality, type=child_text(aka, "type"))
    for group in children(el, "programList"):
        entry.programmes = [clean(p.text) for p in children(group, "program") if clean(p.text)]
    entry.regime = "; ".join(entry.programmes)
    for group in children(el, "dateOfBirthList"):
        for item in children(group, "dateOfBirthItem"):
            add_unique(entry.birth_dates, _date(child_text(item, "dateOfBirth")))
    for group in children(el, "placeOfBirthList"):
        for item in children(group, "placeOfBirthItem"):
            add_unique(entry.birth_places, child_text(item, "placeOfBirth"))
    for list_name, item_name in (
        ("nationalityList", "nationality"),
        ("citizenshipList", "citizenship"),
    ):
        for group in children(el, list_name):
            for item in children(group, item_name):
                add_unique(entry.nationalities, child_text(item, "country"))
    for group in children(el, "idList"):
        for item in children(group, "id"):
            entry.documents.append(
                {
                    "type": child_text(item, "idType"),
                    "number": child_text(item, "idNumber"),
                    "country": child_text(item, "idCountry"),
                }
            )
    for group in children(el, "addressList"):
        for item in children(group, "address"):
            keys = (
                "address1",
                "address2",
                "address3",
                "city",
                "stateOrProvince",
                "postalCode",
                "country",
            )
            add_unique(
                entry.addresses, ", ".join(child_text(item, k) for k in keys if child_text(item, k))
            )
            add_unique(entry.countries, child_text(item, "country"))
    entry.comments = child_text(el, "remarks")
    title = child_text(el, "title")
    if title:
        entry.extra["title"] = title
    return entry


def parse_xml(path: Path) -> ParsedList:
    root = xmlsafe.read(path, "sdnList")
    published = ""
    for info in children(root, "publshInformation"):
        published = child_text(info, "Publish_Date")
    entries = [_xml_entry(path, el) for el in children(root, "sdnEntry")]
    consolidated = "consolidated" in path.name.lower() or "nonsdn" in path.name.lower()
    code, title = (
        ("ofac-cons", "OFAC Consolidated (non-SDN) list")
        if consolidated
        else ("ofac-sdn", "OFAC SDN list")
    )
    return ParsedList("ofac", code, title, published, entries)


def parse(path: Path) -> ParsedList:
    if path.is_file() and path.read_bytes()[:200].lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return parse_xml(path)
    return parse_csv(path)
