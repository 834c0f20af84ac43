"""Human labels (fr/en/ar) of dimensions and codes, from vigie.cases' code lists."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigie.analytics import regions

CODELISTS = {
    "situation": "conflict_situations",
    "source": "data_source_types",
    "country": "countries",
    "origin": "countries",
    "citizenship": "countries",
    "destination": "countries",
    "nationality": "countries",
    "transit": "countries",
    "sex": "sex",
    "age_group": "age_bands",
    "minor": "age_groups",
    "displacement": "displacement_status",
    "care_status": "care_status",
    "form": "exploitation_forms",
    "means": "means",
    "perpetrator_type": "perpetrator_types",
    "group": "armed_groups",
    "role": "perpetrator_roles",
}

DIMENSION_LABELS = {
    "year": _("Year"),
    "situation": _("Conflict situation"),
    "organisation": _("Organisation"),
    "source": _("Data source"),
    "country": _("Country of exploitation"),
    "area": _("Sub-national area"),
    "origin": _("Country of origin"),
    "citizenship": _("Citizenship"),
    "destination": _("Country of destination"),
    "sex": _("Sex"),
    "age_group": _("Age group"),
    "minor": _("Child or adult"),
    "displacement": _("Displacement status"),
    "care_status": _("Care status (children)"),
    "kind": _("Kind of record"),
    "form": _("Form of exploitation"),
    "means": _("Means used"),
    "perpetrator_type": _("Perpetrator type"),
    "group": _("Armed or terrorist group"),
    "role": _("Perpetrator role"),
    "nationality": _("Nationality"),
    "route_type": _("Type of route"),
}

ROUTE_TYPES = {
    regions.DOMESTIC: _("Domestic"),
    regions.SUBREGIONAL: _("Subregional"),
    regions.REGIONAL: _("Regional"),
    regions.TRANSREGIONAL: _("Transregional"),
    "unknown": _("Unknown"),
}


def dimension(name: str) -> str:
    return str(DIMENSION_LABELS.get(name, name))


def label(dim: str, code: str, language: str | None = None) -> str:
    if code in ("_all", ""):
        return str(_("All"))
    if dim == "route_type":
        return str(ROUTE_TYPES.get(code, code))
    name = CODELISTS.get(dim)
    if name is None:
        return code
    try:
        from vigie.cases import codelists

        lst = codelists.get(name)
    except (ImportError, KeyError):
        return code
    if code == "unknown" and code not in lst:
        return str(_("Unknown"))
    return lst.label(code, language)


# Thousands separators: English and Arabic (with Western digits, as UN Arabic documents print
# figures) a comma, French a narrow no-break space (U+202F, French typography and CLDR).
THOUSANDS = {"en": ",", "fr": "\u202f", "ar": ","}


def number(value: int | None, language: str | None = None, missing: str = "—") -> str:
    """A count as the language writes it: "2,579" in English, "2 579" in French."""
    if value is None:
        return missing
    lang = (language or get_language() or "en")[:2]
    return f"{value:,}".replace(",", THOUSANDS.get(lang, ","))


def official(text: str, language: str | None = None) -> str:
    """A figure from another source ("1,470", "1 470"), re-written like Vigie's own; text that is
    not a whole number ("<5", "n/a") is kept as it is."""
    digits = "".join(ch for ch in text if ch not in ", .\u202f\xa0")
    return number(int(digits), language) if digits.isdigit() else text
