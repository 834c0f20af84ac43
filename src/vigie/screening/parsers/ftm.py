"""FollowTheMoney entities as JSON lines (OpenSanctions' export format).

Every entity whose schema is, in the ``followthemoney`` library's schema model, a LegalEntity
(Person, Organization, Company, PublicBody and their subtypes) or a Vehicle (Vessel, Airplane)
becomes an entry, whatever subtype the file uses; Sanction entities add their programme,
listing date and reason to the entity they point at; Address entities are resolved into the
address text. Other schemata (Ownership, Payment, Family, ...) are read and ignored, and so are
schema names the model does not know (a newer FtM version's).

The model is imported when a file is parsed, not with this module: loading it takes seconds
and the CLI and the web process do not need it otherwise (ADR 0542).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any

from vigie.core import files
from vigie.core.errors import VigieError
from vigie.screening.parsers.base import (
    ORGANIZATION,
    OTHER,
    PERSON,
    VESSEL,
    ListFormatError,
    ParsedEntry,
    ParsedList,
    add_unique,
)

#: Our kind for an FtM schema, by the first of these it is (schema.is_a), most specific first.
KINDS = (
    ("Person", PERSON),
    ("Organization", ORGANIZATION),
    ("Vessel", VESSEL),
    ("LegalEntity", OTHER),
    ("Vehicle", OTHER),
)
DOC_PROPS = (
    "passportNumber",
    "idNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "imoNumber",
    "vatCode",
)


@cache
def kind_of(schema_name: str) -> str | None:
    """Our kind for an FtM schema name (None: not a listed party, or unknown to the model)."""
    from followthemoney import model

    schema = model.get(schema_name)
    if schema is None:
        return None
    for parent, kind in KINDS:
        if schema.is_a(parent):
            return kind
    return None


def _entry(obj: dict[str, Any], kind: str) -> ParsedEntry:
    props: dict[str, list[str]] = obj.get("properties") or {}
    names = props.get("name") or []
    caption = obj.get("caption") or (names[0] if names else "")
    entry = ParsedEntry(reference=str(obj["id"]), schema=kind, caption=caption)
    parts = {
        k: " ".join(props[k])
        for k in ("firstName", "middleName", "lastName", "fatherName")
        if props.get(k)
    }
    entry.add_name(caption, "primary", "good", **({"parts": parts} if parts else {}))
    for name in names:
        entry.add_name(name, "alias", "good")
    for name in props.get("alias", []) + props.get("previousName", []):
        entry.add_name(name, "alias", "good")
    for name in props.get("weakAlias", []):
        entry.add_name(name, "weak", "low")
    entry.birth_dates = list(props.get("birthDate", []) + props.get("incorporationDate", []))
    entry.birth_places = list(props.get("birthPlace", []))
    entry.nationalities = list(props.get("nationality", []) + props.get("citizenship", []))
    entry.countries = list(props.get("country", []) + props.get("jurisdiction", []))
    for prop in DOC_PROPS:
        for number in props.get(prop, []):
            entry.documents.append({"type": prop, "number": number, "country": ""})
    entry.addresses = list(props.get("address", []))
    entry.comments = " ".join(props.get("notes", []) + props.get("summary", []))
    entry.programmes = list(obj.get("datasets") or [])
    entry.extra = {k: props[k] for k in ("topics", "position", "gender") if props.get(k)}
    if obj["schema"] not in ("Person", "Organization"):
        entry.extra["ftm_schema"] = obj["schema"]  # the subtype the file gave (Company, ...)
    entry.extra["address_ids"] = props.get("addressEntity", [])
    return entry


def _lines(fh: IO[str], path: Path) -> Iterator[str]:
    """The file's lines, none longer than the limit of vigie.core.files."""
    try:
        yield from files.bounded_lines(fh, path.name, files.limits())
    except VigieError as exc:
        raise ListFormatError(path.name, "", str(exc)) from None


def parse(path: Path, code: str | None = None) -> ParsedList:
    entries: dict[str, ParsedEntry] = {}
    sanctions: list[dict[str, Any]] = []
    addresses: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(_lines(fh, path), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ListFormatError(
                    path.name, f"line {number}", f"not JSON ({exc.msg}); truncated?"
                ) from None
            if not isinstance(obj, dict) or "id" not in obj or "schema" not in obj:
                raise ListFormatError(
                    path.name, f"line {number}", "not a FollowTheMoney entity (id, schema)"
                )
            schema = obj["schema"]
            kind = kind_of(schema) if isinstance(schema, str) else None
            if kind is not None:
                entry = _entry(obj, kind)
                if not entry.names:
                    raise ListFormatError(
                        path.name, f"line {number}", f"{schema} {obj['id']} has no name"
                    )
                entries[entry.reference] = entry
            elif schema == "Sanction":
                sanctions.append(obj)
            elif schema == "Address":
                props = obj.get("properties") or {}
                addresses[obj["id"]] = (props.get("full") or [""])[0]
    for s in sanctions:
        props = s.get("properties") or {}
        for target in props.get("entity", []):
            if target in entries:
                e = entries[target]
                for prog in props.get("program", []) + props.get("authority", []):
                    add_unique(e.programmes, prog)
                e.regime = e.regime or "; ".join(props.get("program", []))
                for reason in props.get("reason", []):
                    if reason not in e.comments:
                        e.comments = f"{e.comments} {reason}".strip()
                e.listed_on = (
                    e.listed_on or (props.get("listingDate") or props.get("startDate") or [""])[0]
                )
    for e in entries.values():
        for addr_id in e.extra.pop("address_ids", []):
            add_unique(e.addresses, addresses.get(addr_id))
    return ParsedList(
        "ftm",
        code or f"ftm-{path.stem.split('.')[0]}",
        f"FollowTheMoney: {path.name}",
        "",
        list(entries.values()),
    )
