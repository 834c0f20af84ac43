"""Country names and codes: ISO alpha-2 codes stored, UN M49 names shown (ADR 0063).

Files name countries as people write them ("Burma", "Cote d'Ivoire", "Kyrgyz Republic",
the DOL lists' own spellings): :func:`code_of` turns a name or a code into the alpha-2 code
of the cases' M49 country list, through its labels in en/fr/ar and rigour's territory
names (which know the common English variants)."""

from __future__ import annotations

import unicodedata
from functools import cache

from django.utils.translation import get_language

# spellings found in real lists that neither the M49 labels nor rigour know
ALIASES = {"boliva": "BO"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("\u2019", "'")


@cache
def _by_label() -> dict[str, str]:
    from vigie.cases import codelists

    out: dict[str, str] = {}
    for code in codelists.get("countries").codes.values():
        out[_fold(code.code)] = code.code
        for label in code.labels.values():
            out[_fold(label)] = code.code
    return out


def code_of(value: str) -> str:
    """The alpha-2 code of a country name or code, or ``""`` when none is known."""
    key = _fold(value or "")
    if not key:
        return ""
    if key in ALIASES:
        return ALIASES[key]
    found = _by_label().get(key)
    if found:
        return found
    from rigour.territories import lookup_territory

    territory = lookup_territory(value.strip())
    if territory is None:
        return ""
    code = territory.code.upper()
    return code if _fold(code) in _by_label() else ""


def name_of(code: str, language: str | None = None) -> str:
    """The M49 name of ``code`` in ``language`` (the active one by default)."""
    from vigie.cases import codelists

    countries = codelists.get("countries")
    if not code or code not in countries:
        return code
    return countries.label(code, (language or get_language() or "en")[:2])


@cache
def numeric_of(code: str) -> str:
    """ISO numeric code (the world map's feature ids)."""
    from vigie.cases import codelists

    countries = codelists.get("countries")
    if code not in countries:
        return ""
    return str(countries[code].attrs.get("numeric", ""))
