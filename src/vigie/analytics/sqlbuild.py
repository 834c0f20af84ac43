"""SQL text for the analytic engine's queries (vigie.analytics.engine): the filters' WHERE
clause, a typology's grouping sets over unnested list dimensions, DuckDB column types."""

# SQL is assembled only from names in schema.DIMENSIONS and TABLES; values are bound parameters.
# ruff: noqa: S608
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigie.analytics.query import PERIOD, Query, QueryError
from vigie.analytics.schema import DIMENSIONS, MAX_BITS, UNKNOWN


def where(query: Query, bits: Mapping[str, Mapping[str, list[str]]]) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of ``query``'s filters and organisations;
    ``bits``: the snapshot's codes of list dimensions held as bit masks."""
    clauses: list[str] = []
    params: list[Any] = []
    for name, values in sorted(query.filters.items()):
        if name == "period":
            ors = []
            for v in values:
                m = PERIOD.match(v)
                assert m is not None
                ors.append("year BETWEEN ? AND ?")
                params += [int(m.group(1)), int(m.group(2) or m.group(1))]
            clauses.append("(" + " OR ".join(ors) + ")")
            continue
        dim = DIMENSIONS[name] if name != "form" else DIMENSIONS["form"]
        if query.table not in dim.tables:
            raise QueryError(f"filter {name}: does not apply to {query.table}")
        if dim.multi:
            codes = bits.get(query.table, {}).get(dim.column, [])
            known = [codes.index(v) for v in values if v in codes]
            if known and all(i < MAX_BITS for i in known):
                clauses.append(f"({dim.mask} & ?) <> 0")
                params.append(sum(1 << i for i in known))
            else:
                clauses.append(f"list_has_any({dim.column}, ?::VARCHAR[])")
                params.append(list(values))
        else:
            clauses.append(f'"{dim.column}" IN ({", ".join("?" for _ in values)})')
            params += list(values)
    if query.organisations is not None:
        orgs = sorted(query.organisations) or ["\x00none"]
        clauses.append(f"organisation IN ({', '.join('?' for _ in orgs)})")
        params += orgs
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def unnest_sql(
    by: tuple[str, ...],
    multi: list[str],
    unnested: tuple[str, ...],
    group_sets: list[tuple[str, ...]],
    where: str,
) -> str:
    """One typology query's grouping sets that unnest the list dimensions ``unnested``."""
    plain = [d for d in by if d not in multi]
    inner_cols = ", ".join(
        [f'"{DIMENSIONS[d].column}" AS "{d}"' for d in plain]
        + [f'{DIMENSIONS[d].column} AS "_l_{d}"' for d in unnested]
        + ["weight", "rkey"]
    )
    source = f"SELECT {inner_cols} FROM {where}"
    for d in unnested:  # one unnest per level: a cross product, not a zip
        source = (
            f'SELECT * EXCLUDE ("_l_{d}"), unnest(CASE WHEN len("_l_{d}") = 0 '
            f'THEN [\'{UNKNOWN}\'] ELSE "_l_{d}" END) AS "{d}" FROM ({source})'
        )
    gs = ", ".join("(" + ", ".join(f'"{d}"' for d in s) + ")" for s in group_sets)
    present = set(plain) | set(unnested)
    out = ", ".join(f'"{d}"' if d in present else f'NULL::VARCHAR AS "{d}"' for d in by)
    return (
        f"SELECT {out + ', ' if out else ''}sum(weight)::BIGINT AS n, "
        f"sum(rkey)::BIGINT AS k FROM ({source}) GROUP BY GROUPING SETS ({gs})"
    )


def duck_type(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_list(t):
        return "VARCHAR[]"
    if pa.types.is_integer(t):
        return "BIGINT"
    return "VARCHAR"
