"""What a screening result shows a person, in the page's language (issue 16, ADR 0540): the
listing's details (country names from the UN's M49 list), the kind of the listed name that
matched, the explanation's measures under readable labels rather than algorithm names, and
the best-quality listed name when a low-quality alias holds the same name.

The engine's explanation stays language-neutral (codes, numbers); only this module turns it
into words, so stored hits read well in French and Arabic too."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vigie.screening.models import ListEntry


def schema_label(schema: str) -> str:
    return {
        "Person": _("Person"),
        "Organization": _("Organisation"),
        "Vessel": _("Vessel"),
        "LegalEntity": _("Legal entity"),
    }.get(schema, schema)


def name_kind_label(kind: str) -> str:
    return {
        "primary": _("primary name"),
        "alias": _("alias"),
        "original_script": _("name in the original script"),
        "weak": _("weak alias"),
        "narrative": _("name from the list's narrative"),
    }.get(kind, kind.replace("_", " "))


def quality_label(quality: str) -> str:
    return {
        "good": pgettext("alias quality", "good quality"),
        "low": pgettext("alias quality", "low quality"),
        "a.k.a.": pgettext("alias quality", "good quality"),
        "f.k.a.": _("former name"),
    }.get(quality.lower(), quality)


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _adjustment(value: float) -> str:
    points = round(value * 100)
    return f"{'+' if points > 0 else ''}{points}"


def feature_rows(features: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(what was measured, its value) for the "Why" table: similarities in percent, the
    adjustments from date of birth, country and document in points of the score."""
    labels = {
        "name": (_("Name similarity (after alignment of the parts)"), _percent),
        "token_sort_ratio": (_("Same words in any order"), _percent),
        "jaro_winkler": (_("Closeness of the spelling"), _percent),
        "birth_date": (_("Date of birth (points added or taken)"), _adjustment),
        "country": (_("Nationality or country (points added or taken)"), _adjustment),
        "document": (_("Identity document (points added or taken)"), _adjustment),
    }
    rows = []
    for key, value in (features or {}).items():
        label, fmt = labels.get(key, (key.replace("_", " "), _percent))
        try:
            rows.append((label, fmt(float(value))))
        except (TypeError, ValueError):
            rows.append((label, str(value)))
    return rows


def how_label(how: str) -> str:
    """How two name parts were paired (names.NameMatch.explain)."""
    if how.startswith("symbol"):
        return _("known variant (another romanisation or a short form)")
    return {
        "spelling": _("spelling compared"),
        "only in the searched name": _("only in the searched name"),
        "only in the listed name": _("only in the listed name"),
    }.get(how, how)


def country_names(values: list[str]) -> list[str]:
    """Countries as the UN names them (M49) in the page's language; a value that names no
    known country is shown as the list wrote it."""
    from vigie.suppliers.countries import code_of, name_of

    out = []
    for value in values:
        code = code_of(value)
        name = name_of(code) if code else value
        if name not in out:
            out.append(name)
    return out


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_RANK = {"primary": 0, "original_script": 1, "alias": 2, "narrative": 3, "weak": 4}


def best_name(names: list[dict[str, Any]], text: str, kind: str, quality: str) -> dict[str, str]:
    """The listed name to show for a match on ``text``: among the entry's names written the
    same way (case, accents and punctuation aside), the primary or a good-quality one rather
    than a low-quality alias."""
    same = [n for n in names if _key(str(n.get("name", ""))) == _key(text)]
    same.sort(key=lambda n: (n.get("quality") == "low", _RANK.get(str(n.get("kind")), 5)))
    if same:
        top = same[0]
        return {
            "name": str(top["name"]),
            "kind": str(top.get("kind", "")),
            "quality": str(top.get("quality", "")),
        }
    return {"name": text, "kind": kind, "quality": quality}


@dataclass
class Listing:
    """The details of one listed entry, ready to show."""

    entry: ListEntry
    schema: str
    designation: str
    listed_on: str
    measures: list[str]
    birth_dates: list[str]
    nationalities: list[str]
    narrative: str
    names: list[dict[str, Any]] = field(default_factory=list)


def listing(entry: ListEntry) -> Listing:
    return Listing(
        entry=entry,
        schema=schema_label(entry.schema),
        designation=entry.designation,
        listed_on=entry.listed_on,
        measures=list(entry.measures or []),
        birth_dates=list(entry.birth_dates or []),
        nationalities=country_names(list(entry.nationalities or [])),
        narrative=entry.narrative,
        names=[
            {
                "name": n.get("name", ""),
                "label": name_kind_label(str(n.get("kind", ""))),
                "low": n.get("quality") == "low" or n.get("kind") == "weak",
                "quality": quality_label("low"),
            }
            for n in (entry.data or {}).get("names", [])
        ],
    )


@dataclass
class Shown:
    """One search result as the page shows it."""

    score: float
    explanation: dict[str, Any]
    listing: Listing | None
    matched: dict[str, str]
    caption: str
    watchlist: str
    reference: str


def results(found: list[Any]) -> list[Shown]:
    """Search results (engine.Result) with their listings, read in one query."""
    entries = ListEntry.objects.select_related("watchlist").in_bulk(
        [r.entry.id for r in found if r.entry.id is not None]
    )
    out = []
    for r in found:
        entry = entries.get(r.entry.id)
        ex = r.explanation
        matched = best_name(
            (entry.data or {}).get("names", []) if entry else [],
            str(ex.get("matched_name", "")),
            str(ex.get("matched_name_kind", "")),
            str(ex.get("matched_name_quality", "")),
        )
        out.append(
            Shown(
                score=r.score,
                explanation=ex,
                listing=listing(entry) if entry else None,
                matched=matched,
                caption=r.entry.caption,
                watchlist=entry.watchlist.title if entry else r.entry.watchlist,
                reference=r.entry.reference,
            )
        )
    return out


def details_of(entry: ListEntry) -> dict[str, Any]:
    """The listing's details as stored (language-neutral), for the API."""
    return {
        "designation": entry.designation,
        "listed_on": entry.listed_on,
        "measures": list(entry.measures or []),
        "birth_dates": list(entry.birth_dates or []),
        "nationalities": list(entry.nationalities or []),
        "narrative": entry.narrative,
    }


def with_listings(found: list[Any]) -> list[dict[str, Any]]:
    """Search results (engine.Result) as API dicts, each with its listing's details."""
    entries = ListEntry.objects.in_bulk([r.entry.id for r in found if r.entry.id is not None])
    out = []
    for r in found:
        row = r.as_dict()
        entry = entries.get(r.entry.id)
        row["listing"] = details_of(entry) if entry else None
        out.append(row)
    return out
