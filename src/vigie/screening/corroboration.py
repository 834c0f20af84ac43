"""Corroboration: birth dates, nationalities and documents adjust a name score.

An exact document-number match is decisive; a conflicting birth year or document lowers
the score; agreement raises it a little. Each adjustment is reported with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rigour.territories import lookup_territory

DOB_EXACT, DOB_YEAR, DOB_CONFLICT = 0.05, 0.03, -0.15
COUNTRY_MATCH, COUNTRY_CONFLICT = 0.02, -0.05
DOCUMENT_CONFLICT = -0.10
MAX_BONUS = DOB_EXACT + COUNTRY_MATCH  # the most agreement adds (a document is decisive)


@lru_cache(maxsize=4096)
def country_code(value: str) -> str:
    """ISO code of a country name or code ('Libya', 'Libyan Arab Jamahiriya', 'LY' -> 'ly')."""
    text = value.strip()
    if not text:
        return ""
    territory = lookup_territory(text)
    return territory.code if territory is not None else text.lower()


def document_key(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def years_of(value: str) -> set[int]:
    """1960-01-02 -> {1960}; 1960/1963 -> {1960..1963}; 'circa 1960' -> {1960}."""
    found = [int(y) for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", value)]
    if "/" in value and len(found) == 2 and 0 <= found[1] - found[0] <= 20:
        return set(range(found[0], found[1] + 1))
    return set(found)


@dataclass
class EntryEvidence:
    """What an entry offers for comparison, prepared once when the index is built."""

    birth_dates: frozenset[str] = frozenset()
    birth_years: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> EntryEvidence:
        dates = [d for d in data.get("birth_dates", []) if d]
        years: set[int] = set()
        for d in dates:
            years |= years_of(d)
        countries = {country_code(c) for c in data.get("nationalities", []) if c}
        countries |= {country_code(c) for c in data.get("countries", []) if c}
        docs = {document_key(d.get("number", "")) for d in data.get("documents", [])}
        return cls(
            frozenset(d[:10] for d in dates if len(d) >= 10),
            frozenset(years),
            frozenset(countries),
            frozenset(d for d in docs if len(d) >= 4),
        )


@dataclass
class Adjustment:
    score: float
    decisive: bool = False
    features: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def compare(
    evidence: EntryEvidence, birth_date: str = "", country: str = "", document: str = ""
) -> Adjustment:
    adj = Adjustment(0.0)
    if birth_date and (evidence.birth_years or evidence.birth_dates):
        if birth_date[:10] in evidence.birth_dates:
            adj.features["birth_date"] = DOB_EXACT
            adj.reasons.append("same date of birth as a listed one")
        elif years_of(birth_date) & evidence.birth_years:
            adj.features["birth_date"] = DOB_YEAR
            adj.reasons.append("same year of birth as a listed one")
        elif years_of(birth_date):
            near = any(abs(y - e) <= 1 for y in years_of(birth_date) for e in evidence.birth_years)
            adj.features["birth_date"] = DOB_CONFLICT / 3 if near else DOB_CONFLICT
            adj.reasons.append(
                "year of birth differs by one"
                if near
                else f"different year of birth (listed: {sorted(evidence.birth_years)})"
            )
    if country and evidence.countries:
        code = country_code(country)
        if code in evidence.countries:
            adj.features["country"] = COUNTRY_MATCH
            adj.reasons.append(f"nationality or country {code} matches")
        else:
            adj.features["country"] = COUNTRY_CONFLICT
            adj.reasons.append(f"country {code} not among {sorted(evidence.countries)}")
    if document:
        key = document_key(document)
        if key and key in evidence.documents:
            adj.decisive = True
            adj.features["document"] = 1.0
            adj.reasons.append("identity document matches a listed one exactly: decisive")
        elif evidence.documents:
            adj.features["document"] = DOCUMENT_CONFLICT
            adj.reasons.append("identity document does not match the listed ones")
    adj.score = sum(v for k, v in adj.features.items() if k != "document" or not adj.decisive)
    return adj
