"""What a statistics request may ask, validated: the grouping dimensions (``parse_by``), the
filters (``parse_filters``) and the ``Query`` the engine answers. Split from
vigie.analytics.engine, which re-exports these names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigie.analytics.schema import DIMENSIONS, FILTERS
from vigie.core.errors import Invalid

MAX_DIMS = 3
PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
_CODE = re.compile(r"^[A-Za-z0-9_+.\-]{1,64}$")


class QueryError(Invalid, ValueError):
    """A request the engine cannot answer; the message says which parameter and why."""

    default_code = "query_invalid"


@dataclass(frozen=True)
class Query:
    by: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    table: str = "victims"
    organisations: frozenset[str] | None = None  # None = every organisation
    unit: str = "records"  # or "persons": records linked as one person counted once

    def key(self) -> tuple[Any, ...]:
        return (
            self.by,
            tuple(sorted(self.filters.items())),
            self.table,
            None if self.organisations is None else tuple(sorted(self.organisations)),
            self.unit,
        )


def parse_filters(pairs: Mapping[str, str | Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """``{"country": "LY,IQ", "period": "2016-2018"}`` -> validated filters."""
    result: dict[str, tuple[str, ...]] = {}
    for name, raw in pairs.items():
        if name not in FILTERS:
            raise QueryError(f"filter {name!r}: unknown; use one of {', '.join(FILTERS)}")
        values = [raw] if isinstance(raw, str) else list(raw)
        parts = tuple(sorted({p.strip() for v in values for p in v.split(",") if p.strip()}))
        if not parts:
            continue
        for p in parts:
            if name == "period":
                m = PERIOD.match(p)
                if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
                    raise QueryError(f"filter period: {p!r} is not a year or a range YYYY-YYYY")
            elif not _CODE.match(p):
                raise QueryError(f"filter {name}: {p!r} is not a code")
        result[name] = parts
    return result


def parse_by(raw: str | Sequence[str], table: str = "victims") -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    by = tuple(d.strip() for d in items if d.strip())
    for d in by:
        dim = DIMENSIONS.get(d)
        if dim is None or table not in dim.tables:
            names = ", ".join(n for n, x in DIMENSIONS.items() if table in x.tables)
            raise QueryError(f"dimension {d!r}: unknown for {table}; use one of {names}")
    if len(set(by)) != len(by):
        raise QueryError("dimensions: each dimension at most once")
    if len(by) > MAX_DIMS:
        raise QueryError(f"dimensions: at most {MAX_DIMS}, not {len(by)}")
    return by
