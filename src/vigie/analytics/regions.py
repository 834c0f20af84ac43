"""UN M49 regions of countries, and the classification of a flow as UNODC's Global Report does:
domestic (same country), subregional (same M49 subregion), regional (same M49 region),
transregional (different regions). Unknown ends give "unknown".

The regions come from the case records' country code list when it carries them
(``vigie.cases``, docs/data-standard.md), else from ``rigour``'s territory data (UN M49 names).
"""

from __future__ import annotations

from functools import lru_cache

from vigie.analytics.schema import UNKNOWN

DOMESTIC, SUBREGIONAL, REGIONAL, TRANSREGIONAL = (
    "domestic",
    "subregional",
    "regional",
    "transregional",
)
ROUTE_TYPES = [DOMESTIC, SUBREGIONAL, REGIONAL, TRANSREGIONAL, UNKNOWN]


@lru_cache(maxsize=512)
def region_of(iso2: str) -> tuple[str, str] | None:
    """``(region, subregion)`` of a country by alpha-2 code, or None if unknown."""
    if not iso2 or iso2 == UNKNOWN:
        return None
    from_codelist = _codelist().get(iso2.upper())
    if from_codelist:
        return from_codelist
    from rigour.territories import get_territory

    territory = get_territory(iso2.lower())
    if territory is None or not territory.region:
        return None
    return (territory.region, territory.subregion or territory.region)


@lru_cache(maxsize=1)
def _codelist() -> dict[str, tuple[str, str]]:
    """Regions from vigie.cases' country code list (M49 codes -> English names)."""
    try:
        from vigie.cases import codelists
    except ImportError:
        return {}
    try:
        countries = codelists.get("countries")
        names = {**countries.extra.get("regions", {}), **countries.extra.get("subregions", {})}
        result = {}
        for code, item in countries.codes.items():
            region, sub = item.attrs.get("m49_region"), item.attrs.get("m49_subregion")
            if region:
                region_name = names.get(region, {}).get("en", region)
                sub_name = names.get(sub, {}).get("en", sub) if sub else region_name
                result[code] = (region_name, sub_name)
        return result
    except (KeyError, codelists.CodeListError):  # a missing or broken list: rigour's regions
        return {}


def classify(origin: str, destination: str) -> str:
    if origin == UNKNOWN or destination == UNKNOWN or not origin or not destination:
        return UNKNOWN
    if origin == destination:
        return DOMESTIC
    a, b = region_of(origin), region_of(destination)
    if a is None or b is None:
        return UNKNOWN
    if a[1] == b[1]:
        return SUBREGIONAL
    if a[0] == b[0]:
        return REGIONAL
    return TRANSREGIONAL
