"""The shape every watchlist parser produces, and the error it raises for bad input.

A parser reads a whole file into :class:`ParsedList` before anything is written, so a
malformed or truncated file is refused with a :class:`ListFormatError` (file, line or element,
why) and the list version in force stays in force.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from vigie.core.errors import Invalid

PERSON = "Person"
ORGANIZATION = "Organization"
VESSEL = "Vessel"
OTHER = "LegalEntity"
SCHEMAS = (PERSON, ORGANIZATION, VESSEL, OTHER)


class ListFormatError(Invalid, ValueError):
    """A watchlist file that cannot be loaded; the message says where and why."""

    default_code = "list_format_invalid"

    def __init__(self, file: str, where: str, why: str) -> None:
        self.file, self.where, self.why = file, where, why
        super().__init__(
            f"{file}, {where}: {why}" if where else f"{file}: {why}",
            detail={"file": file, "where": where},
        )


@dataclass
class ParsedEntry:
    """One listed person or organisation with every field that helps decide a match.

    ``names``: dicts with ``name``, ``kind`` (primary, alias, original_script, weak),
    ``quality`` (good, low or empty) and for the primary name its ``parts``.
    """

    reference: str
    schema: str
    caption: str
    names: list[dict[str, Any]] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)  # ISO date, year or "1960/1965"
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    listed_on: str = ""
    regime: str = ""
    programmes: list[str] = field(default_factory=list)
    comments: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # designation, title, gender, ...

    def data(self) -> dict[str, Any]:
        return {
            "caption": self.caption,
            "schema": self.schema,
            "names": self.names,
            "birth_dates": self.birth_dates,
            "birth_places": self.birth_places,
            "nationalities": self.nationalities,
            "countries": self.countries,
            "documents": self.documents,
            "addresses": self.addresses,
            "listed_on": self.listed_on,
            "regime": self.regime,
            "programmes": self.programmes,
            "comments": self.comments,
            "extra": self.extra,
        }

    def details(self) -> dict[str, Any]:
        return details(self.data())

    def fingerprint(self) -> str:
        canonical = json.dumps(self.data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def add_name(self, name: str | None, kind: str, quality: str = "", **more: Any) -> None:
        text = " ".join((name or "").split())
        if not text:
            return
        if any(n["name"] == text for n in self.names):
            return
        self.names.append({"name": text, "kind": kind, "quality": quality, **more})


@dataclass
class ParsedList:
    source: str  # un, ofac, ftm, csv
    code: str  # the watchlist this file is a version of
    title: str
    published: str  # as the file states it (dateGenerated, Publish_Date, ...)
    entries: list[ParsedEntry]

    def check_unique(self, file: str) -> None:
        seen: set[str] = set()
        for e in self.entries:
            if e.reference in seen:
                raise ListFormatError(file, f"entry {e.reference}", "reference number repeated")
            seen.add(e.reference)


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [clean(str(v)) for v in items if v and clean(str(v))]


def details(data: dict[str, Any]) -> dict[str, Any]:
    """What an officer reads to decide on a match, kept apart (issue 16, ADR 0540): the
    designation (UN DESIGNATION, OFAC title, FtM position), the listed-on date, the measures
    or programmes (UN regime and list type, OFAC programs, FtM sanction programmes), dates of
    birth, nationalities and the list's own narrative (UN COMMENTS1, OFAC remarks, FtM notes).
    Read from an entry's stored ``data`` so that stored entries need no reload."""
    extra = data.get("extra") or {}
    measures: list[str] = []
    for value in [data.get("regime", ""), *(data.get("programmes") or [])]:
        for text in _texts(value):
            if text not in measures:
                measures.append(text)
    designation = _texts(extra.get("designation")) or _texts(extra.get("position"))
    if not designation and "dataid" not in extra:  # a UN TITLE is an honorific ("Haji")
        designation = _texts(extra.get("title"))  # OFAC's title is the post held
    return {
        "designation": "; ".join(designation),
        "listed_on": clean(data.get("listed_on")),
        "measures": measures,
        "birth_dates": _texts(data.get("birth_dates") or []),
        "nationalities": _texts(data.get("nationalities") or []),
        "narrative": clean(data.get("comments")),
    }


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def add_unique(values: list[str], value: str | None) -> None:
    text = clean(value)
    if text and text not in values:
        values.append(text)
