"""The US Department of Labor's lists of goods made with child or forced labour, read from
their CSV exports (``../shared/data/dol-goods``: SOURCES.md there):

- ``child_labor.csv``: the TVPRA List of Goods, ``Country,Good,Child Labor,Forced Labor``
  with ``X`` flags;
- ``products.csv``: the Executive Order 13126 list (goods made with forced or indentured
  child labour), ``Country,Good``.

The folder is the ``VIGIE_SUPPLIERS_DOL_DIR`` setting; without it, no DOL point is given and
the score says so. Country names are read with :func:`vigie.suppliers.countries.code_of`."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from vigie.core import files
from vigie.suppliers.countries import code_of

TVPRA = "child_labor.csv"
EO13126 = "products.csv"


def good_key(text: str) -> str:
    return " ".join((text or "").lower().split())


@dataclass
class Lists:
    folder: str
    child: set[tuple[str, str]] = field(default_factory=set)  # (good, country)
    forced: set[tuple[str, str]] = field(default_factory=set)
    eo13126: set[tuple[str, str]] = field(default_factory=set)
    goods: set[str] = field(default_factory=set)
    unknown_countries: set[str] = field(default_factory=set)

    @property
    def loaded(self) -> bool:
        return bool(self.goods)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(files.bounded_lines(fh, path.name, files.limits())))


def read(folder: Path) -> Lists:
    out = Lists(str(folder))
    if (folder / TVPRA).exists():
        for row in _rows(folder / TVPRA):
            country, good = code_of(row.get("Country", "")), good_key(row.get("Good", ""))
            if not country:
                out.unknown_countries.add(row.get("Country", "").strip())
                continue
            out.goods.add(good)
            if (row.get("Child Labor") or "").strip().upper() == "X":
                out.child.add((good, country))
            if (row.get("Forced Labor") or "").strip().upper() == "X":
                out.forced.add((good, country))
    if (folder / EO13126).exists():
        for row in _rows(folder / EO13126):
            country, good = code_of(row.get("Country", "")), good_key(row.get("Good", ""))
            if not country:
                out.unknown_countries.add(row.get("Country", "").strip())
                continue
            out.goods.add(good)
            out.eo13126.add((good, country))
    return out


@cache
def _cached(folder: str, stamp: float) -> Lists:
    return read(Path(folder))


def current() -> Lists:
    """The lists of the configured folder (re-read when a file changes)."""
    folder = str(getattr(settings, "VIGIE_SUPPLIERS_DOL_DIR", "") or "")
    if not folder or not Path(folder).is_dir():
        return Lists(folder)
    stamp = max(
        (
            (Path(folder) / n).stat().st_mtime
            for n in (TVPRA, EO13126)
            if (Path(folder) / n).exists()
        ),
        default=0.0,
    )
    return _cached(folder, stamp)
