"""Presentation of the dashboard's protected panels: tables for the page, data for the charts.
Input is only what ``selectors.dashboard`` returns (already disclosure-controlled)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from vigie.analytics import glotip, labels
from vigie.analytics.disclosure import Release
from vigie.analytics.selectors import PANELS, Routes

TITLES = {
    "country": _("Affected areas: country of exploitation"),
    "origin": _("Countries of origin"),
    "sex_age": _("Victims by sex and age group"),
    "citizenship": _("Citizenship"),
    "displacement": _("Displacement status"),
    "care_status": _("Children: unaccompanied or separated"),
    "form": _("Forms of exploitation"),
    "means": _("Means used"),
    "situation": _("Conflict situations"),
    "area": _("Sub-national areas (where known)"),
    "trend": _("Trend by year and form of exploitation"),
    "perpetrator_type": _("Perpetrators by type"),
    "perpetrator_role": _("Perpetrators by role"),
    "perpetrator_group": _("Armed and terrorist groups"),
    "route_types": _("Flows by type of route (UN M49)"),
    "flows": _("Top corridors (origin to destination)"),
    "transit": _("Transit countries"),
    "legs": _("Route legs"),
}
ROUTE_PANELS = ("route_types", "flows", "transit", "legs")
DOWNLOADABLE = tuple(k for k, _t, _b in PANELS) + ROUTE_PANELS
FILTER_CODELISTS = {
    "situation": "situation",
    "country": "country",
    "origin": "origin",
    "source": "source",
    "sex": "sex",
    "age_group": "age_group",
    "form": "form",
}


def release_of(panels: dict[str, Any], key: str) -> Release:
    if key in ROUTE_PANELS:
        routes: Routes = panels["routes"]
        release: Release = getattr(routes, key)
        return release
    result: Release = panels[key]
    return result


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Codes and labels for the filter form (from vigie.cases' code lists)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, dim in FILTER_CODELISTS.items():
        lst = labels.CODELISTS.get(dim)
        try:
            from vigie.cases import codelists

            codes = codelists.get(lst) if lst else None
            if codes is None:
                out[name] = []
            else:
                out[name] = codes.sorted_choices() if lst == "countries" else codes.choices()
        except (ImportError, KeyError):
            out[name] = []
    return out


def _inner(release: Release) -> list[tuple[tuple[str, ...], int | None]]:
    cells = [
        (tuple(str(c) for c in coords), cell.value)
        for coords, cell in release.cells.items()
        if None not in coords and cell.value != 0
    ]
    cells.sort(key=lambda x: (x[1] is None, -(x[1] or 0), x[0]))
    return cells


def panel_views(panels: dict[str, Any], lang: str | None) -> list[dict[str, Any]]:
    views = []
    keys = [k for k, _t, _b in PANELS] + ["route_types", "flows", "transit"]
    for key in keys:
        release = release_of(panels, key)
        dims = list(release.dims)
        if key in ("trend", "sex_age", "care_status"):
            rows = sorted(_inner(release), key=lambda x: x[0])
        else:
            rows = _inner(release)[:25]
        views.append(
            {
                "key": key,
                "title": TITLES[key],
                "headers": [labels.dimension(d) for d in dims],
                "rows": [
                    (
                        [labels.label(d, c, lang) for d, c in zip(dims, codes, strict=True)],
                        labels.number(v, lang),
                    )
                    for codes, v in rows
                ],
                "total": labels.number(release.value(*([None] * len(dims))), lang),
                "empty": not rows,
                "fully_suppressed": release.fully_suppressed,
                "notes": release.notes,
            }
        )
    views.append(_glotip_view(panels["country"], lang))
    return views


def _glotip_view(country: Release, lang: str | None) -> dict[str, Any]:
    official = glotip.figures()
    rows = []
    for (code,), v in _inner(country)[:25]:
        years = official.get(code, {})
        latest = max(years, key=int) if years else None
        rows.append(
            (
                [labels.label("country", code, lang)],
                labels.number(v, lang),
                f"{labels.official(years[latest], lang)} ({latest})" if latest else "—",
            )
        )
    return {
        "key": "glotip",
        "title": _("Vigie's records and victims detected officially (UNODC GLOTIP)"),
        "headers": [labels.dimension("country")],
        "rows": rows,
        "glotip": True,
        "empty": not rows,
        "loaded": bool(official),
        "total": "",
        "notes": [],
    }


@lru_cache(maxsize=1)
def numeric_codes() -> dict[str, str]:
    """alpha-2 -> ISO numeric (the world-atlas feature ids)."""
    try:
        from vigie.cases import codelists

        return {
            code: str(item.attrs["numeric"]).zfill(3)
            for code, item in codelists.get("countries").codes.items()
            if item.attrs.get("numeric")
        }
    except (ImportError, KeyError):
        return {}


def _series(release: Release, lang: str | None) -> dict[str, Any]:
    dims = list(release.dims)
    return {
        "dims": dims,
        "dim_labels": [labels.dimension(d) for d in dims],
        "cells": [
            {
                "codes": list(codes),
                "labels": [labels.label(d, c, lang) for d, c in zip(dims, codes, strict=True)],
                "value": v,
            }
            for codes, v in _inner(release)
        ],
        "total": release.value(*([None] * len(dims))),
        "notes": release.notes,
    }


def chart_data(panels: dict[str, Any], lang: str | None) -> dict[str, Any]:
    numeric = numeric_codes()
    out: dict[str, Any] = {"panels": {}}
    for key in DOWNLOADABLE:
        out["panels"][key] = {"title": str(TITLES[key]), **_series(release_of(panels, key), lang)}
    for which in ("country", "origin"):
        rel = panels[which]
        out[f"map_{which}"] = {
            numeric[c[0]]: {
                "value": v.value,
                "label": labels.label("country", str(c[0]), lang),
                "code": c[0],
            }
            for c, v in rel.cells.items()
            if c[0] is not None and c[0] in numeric and v.value != 0
        }
    legs: Release = panels["routes"].legs
    node_labels = {}
    links = []
    for codes, v in _inner(legs):
        if v is None:
            continue
        links.append({"from": codes[0], "to": codes[1], "value": v})
        for node in codes:
            node_labels[node] = labels.label("country", node[2:], lang)
    out["sankey"] = {"links": links[:60], "labels": node_labels}
    flows: Release = panels["routes"].flows
    arcs = []
    for (origin, dest), v in _inner(flows):
        if v is None or origin == dest or origin not in numeric or dest not in numeric:
            continue
        arcs.append(
            {
                "from": numeric[origin],
                "to": numeric[dest],
                "value": v,
                "label": f"{labels.label('country', origin, lang)} → "
                f"{labels.label('country', dest, lang)}",
            }
        )
    out["arcs"] = arcs[:40]
    return out
