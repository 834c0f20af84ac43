"""The UN Security Council Consolidated List, in its official XML format.

CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL and /ENTITIES/ENTITY; the permanent reference is
REFERENCE_NUMBER (e.g. ``LYi.021``). Every element that helps decide a match is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vigie.screening.parsers import xmlsafe
from vigie.screening.parsers.base import (
    ORGANIZATION,
    PERSON,
    ListFormatError,
    ParsedEntry,
    ParsedList,
    add_unique,
    clean,
)
from vigie.screening.parsers.narrative import add_narrative_aliases
from vigie.screening.parsers.xmlsafe import child_text, children, local, values

NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _address(el: Any) -> str:
    parts = [child_text(el, k) for k in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")]
    parts += [child_text(el, "COUNTRY"), child_text(el, "NOTE")]
    return ", ".join(p for p in parts if p)


def _birth_date(el: Any) -> str:
    date = child_text(el, "DATE")
    if date:
        return date[:10]
    year = child_text(el, "YEAR")
    if year:
        return year
    start, end = child_text(el, "FROM_YEAR"), child_text(el, "TO_YEAR")
    if start and end:
        return f"{start}/{end}"
    return start or end


def _entry(path: Path, el: Any, schema: str) -> ParsedEntry:
    ref = child_text(el, "REFERENCE_NUMBER")
    if not ref:
        raise ListFormatError(
            path.name, f"line {el.sourceline} <{local(el)}>", "REFERENCE_NUMBER is missing"
        )
    parts = {k.lower(): child_text(el, k) for k in NAME_PARTS if child_text(el, k)}
    primary = " ".join(parts.values())
    if not primary:
        raise ListFormatError(
            path.name, f"line {el.sourceline} entry {ref}", "no name (FIRST_NAME is empty)"
        )
    prefix = "INDIVIDUAL" if schema == PERSON else "ENTITY"
    entry = ParsedEntry(reference=ref, schema=schema, caption=primary)
    entry.add_name(primary, "primary", "good", parts=parts)
    for text in child_text(el, "NAME_ORIGINAL_SCRIPT").split(","):
        entry.add_name(text, "original_script", "good")
    for alias in children(el, f"{prefix}_ALIAS"):
        quality = child_text(alias, "QUALITY").lower()
        note = child_text(alias, "NOTE")
        for text in child_text(alias, "ALIAS_NAME").split(";"):
            entry.add_name(text, "alias", quality, **({"note": note} if note else {}))
        add_unique(entry.birth_dates, child_text(alias, "DATE_OF_BIRTH")[:10])
    for dob in children(el, "INDIVIDUAL_DATE_OF_BIRTH"):
        add_unique(entry.birth_dates, _birth_date(dob))
    for pob in children(el, "INDIVIDUAL_PLACE_OF_BIRTH"):
        place = [child_text(pob, k) for k in ("CITY", "STATE_PROVINCE", "COUNTRY", "NOTE")]
        add_unique(entry.birth_places, ", ".join(p for p in place if p))
    entry.nationalities = values(el, "NATIONALITY")
    for doc in children(el, "INDIVIDUAL_DOCUMENT"):
        number = child_text(doc, "NUMBER")
        kind = child_text(doc, "TYPE_OF_DOCUMENT")
        if number or kind:
            entry.documents.append(
                {
                    "type": kind,
                    "type2": child_text(doc, "TYPE_OF_DOCUMENT2"),
                    "number": number,
                    "country": child_text(doc, "ISSUING_COUNTRY")
                    or child_text(doc, "COUNTRY_OF_ISSUE"),
                    "issued": child_text(doc, "DATE_OF_ISSUE"),
                    "note": child_text(doc, "NOTE"),
                }
            )
    for addr in children(el, f"{prefix}_ADDRESS"):
        add_unique(entry.addresses, _address(addr))
        add_unique(entry.countries, child_text(addr, "COUNTRY"))
    entry.listed_on = child_text(el, "LISTED_ON")[:10]
    entry.regime = child_text(el, "UN_LIST_TYPE")
    entry.programmes = values(el, "LIST_TYPE")
    entry.comments = child_text(el, "COMMENTS1")
    extra = {
        "dataid": child_text(el, "DATAID"),
        "versionnum": child_text(el, "VERSIONNUM"),
        "designation": values(el, "DESIGNATION"),
        "title": values(el, "TITLE"),
        "gender": child_text(el, "GENDER"),
        "last_updated": values(el, "LAST_DAY_UPDATED"),
    }
    entry.extra = {k: v for k, v in extra.items() if v}
    return entry


def parse(path: Path) -> ParsedList:
    root = xmlsafe.read(path, "CONSOLIDATED_LIST")
    groups = {local(ch): ch for ch in root}
    if "INDIVIDUALS" not in groups and "ENTITIES" not in groups:
        raise ListFormatError(path.name, "<CONSOLIDATED_LIST>", "no INDIVIDUALS or ENTITIES")
    entries: list[ParsedEntry] = []
    for group, tag, schema in (
        ("INDIVIDUALS", "INDIVIDUAL", PERSON),
        ("ENTITIES", "ENTITY", ORGANIZATION),
    ):
        if group in groups:
            entries += [_entry(path, el, schema) for el in children(groups[group], tag)]
    add_narrative_aliases(entries)
    return ParsedList(
        source="un",
        code="un-sc",
        title="UN Security Council Consolidated List",
        published=clean(root.get("dateGenerated")),
        entries=entries,
    )
