"""The analytic engine: DuckDB over the Parquet snapshot. Returns *true* tables (with every
margin) that must pass vigie.analytics.disclosure before they leave the system; callers outside
this app use vigie.analytics.selectors, never this module.

Typology: counts of persons (``sum(weight)``) by any dimensions, with all margins in one
``GROUPING SETS`` query (multi-valued dimensions such as forms are unnested only in the grouping
sets that group by them, so margins count each person once). Trends: typology by year.
Routes: origin -> destination flows, the legs origin -> transit -> ... -> destination, transit
countries, and the flows' classification by UN M49 regions.

What a request may ask is validated in vigie.analytics.query; the SQL text is built in
vigie.analytics.sqlbuild.
"""

# SQL is assembled only from names in schema.DIMENSIONS and TABLES; values are bound parameters.
# ruff: noqa: S608
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from itertools import combinations
from pathlib import Path
from typing import Any

import duckdb

from vigie.analytics import regions
from vigie.analytics.disclosure import KEY_MODULUS, Cell, Table, table_from_rows
from vigie.analytics.overlap import Units
from vigie.analytics.query import Query, QueryError, parse_by, parse_filters
from vigie.analytics.schema import DIMENSIONS, MAX_BITS, UNKNOWN
from vigie.analytics.sqlbuild import duck_type, unnest_sql
from vigie.analytics.sqlbuild import where as where_clause
from vigie.analytics.store import TABLES, Store

__all__ = [  # the request's names live in vigie.analytics.query; imported from here too
    "Engine",
    "Query",
    "QueryError",
    "engine_for",
    "parse_by",
    "parse_filters",
]

MATERIALISED = 8  # filtered copies kept for dashboards
CACHE_SIZE = 256  # true tables kept per engine (a dashboard is 17 of them)


class Engine:
    """Queries over one snapshot directory. Thread-safe: one DuckDB cursor per query."""

    def __init__(self, store: Store | None = None, threads: int | None = None) -> None:
        self.store = store or Store()
        self._lock = threading.Lock()
        self._version: int | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self.threads = threads
        self.bits: dict[str, dict[str, list[str]]] = {}
        self._max_transit = 0
        self._cache: OrderedDict[tuple[Any, ...], Table] = OrderedDict()
        self._materialised: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._persons_loaded: tuple[Any, str] | None = None  # (snapshot, linkage) versions
        self._units: OrderedDict[tuple[Any, ...], Units] = OrderedDict()

    def _cached(self, kind: str, query: Query, compute: Any) -> Table:
        """True tables per snapshot version and query (a new snapshot invalidates them)."""
        self._connection()
        key = (self._version, kind, query.key(), self._persons_version(query))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return copy.deepcopy(hit)
        table: Table = compute(query)
        with self._lock:
            self._cache[key] = copy.deepcopy(table)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return table

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        manifest = self.store.manifest()
        with self._lock:
            if self._con is None or self._version != manifest["version"]:
                con = duckdb.connect()
                if self.threads:
                    con.execute(f"SET threads = {int(self.threads)}")
                for name in TABLES:
                    files = [
                        str(self.store.directory / p) for p in manifest["tables"].get(name, [])
                    ]
                    if files:
                        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                        sql = f"CREATE OR REPLACE VIEW {name} AS "
                        con.execute(sql + f"SELECT * FROM read_parquet([{listing}])")
                    else:
                        cols = ", ".join(
                            f'CAST(NULL AS {duck_type(t)}) AS "{c}"'
                            for c, t in zip(TABLES[name].names, TABLES[name].types, strict=False)
                        )
                        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {cols} WHERE false")
                row = con.execute("SELECT coalesce(max(len(transit)), 0) FROM victims").fetchone()
                self._max_transit = int(row[0]) if row else 0
                self._materialised.clear()  # they lived in the old connection
                if self._con is not None:
                    self._con.close()
                self._con, self._version = con, manifest["version"]
                self.bits = manifest.get("bits", {})
            return self._con.cursor()

    # --- SQL building -------------------------------------------------------------------------

    def _from(self, query: Query) -> tuple[str, list[Any]]:
        """What to read for a query: a materialised filtered table, or the filtered view;
        counting persons, only the earliest record of each linked person among them."""
        name = self._materialised.get(self._scope_key(query))
        if name is not None:
            return self._one_per_person(query, name), []
        where, params = where_clause(query, self.bits)
        return self._one_per_person(query, f"(SELECT * FROM {query.table}{where})"), params

    def _persons_version(self, query: Query) -> str | None:
        if query.unit != "persons" or query.table != "victims":
            return None
        from vigie.analytics import persons

        return persons.version()

    def _one_per_person(self, query: Query, src: str) -> str:
        version = self._persons_version(query)
        if version is None:
            return src
        if self._persons_loaded != (self._version, version):
            import pyarrow as pa

            from vigie.analytics import persons

            pairs = persons.row_persons()
            mapping = pa.table(
                {"row_key": [k for k, _ in pairs], "person": [p for _, p in pairs]},
                schema=pa.schema([("row_key", pa.string()), ("person", pa.int64())]),
            )
            con = self._connection()
            con.register("person_rows", mapping)
            con.execute("CREATE OR REPLACE TABLE linkage_persons AS SELECT * FROM person_rows")
            self._persons_loaded = (self._version, version)
        return (
            f"(SELECT s.* FROM {src} AS s LEFT JOIN linkage_persons AS p USING (row_key) "
            "QUALIFY p.person IS NULL OR row_number() OVER "
            "(PARTITION BY p.person ORDER BY s.year NULLS LAST, s.row_key) = 1)"
        )

    def _scope_key(self, query: Query) -> tuple[Any, ...]:
        return (self._version, query.table, *query.key()[1:])

    def prepare(self, query: Query) -> None:
        """Materialise the rows a set of filters selects, once, for the many queries of a
        dashboard (narrow filters then cost one scan instead of one per panel)."""
        self._connection()
        key = self._scope_key(query)
        if not query.filters or key in self._materialised:
            return
        where, params = where_clause(query, self.bits)
        name = f"f_{len(self._materialised) + 1}_{abs(hash(key)) % 10**8}"
        self._connection().execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {query.table}{where}", params
        )
        with self._lock:
            self._materialised[key] = name
            while len(self._materialised) > MATERIALISED:
                _old, dropped = self._materialised.popitem(last=False)
                self._connection_raw().execute(f"DROP TABLE IF EXISTS {dropped}")

    def _connection_raw(self) -> duckdb.DuckDBPyConnection:
        assert self._con is not None
        return self._con.cursor()

    def typology(self, query: Query) -> Table:
        """Counts of persons by ``query.by`` with every margin (true values)."""
        return self._cached("typology", query, self._typology)

    def _typology(self, query: Query) -> Table:
        self._connection()  # current manifest (and code bits) before building SQL
        by = query.by
        where, params = self._from(query)
        multi = [d for d in by if DIMENSIONS[d].multi]
        sets = [s for size in range(len(by) + 1) for s in combinations(by, size)]
        table = Table(by, multi=frozenset(multi))
        selects: list[str] = []
        all_params: list[Any] = []
        for size in range(len(multi) + 1):
            for unnested in combinations(multi, size):
                group_sets = [s for s in sets if {d for d in s if d in multi} == set(unnested)]
                if not group_sets:
                    continue
                codes = self._codes(query.table, unnested)
                if codes is not None:  # one list dimension: a filtered sum per code, no unnest
                    self._typology_by_mask(query, unnested[0], codes, group_sets, table)
                    continue
                selects.append(unnest_sql(by, multi, unnested, group_sets, where))
                all_params += params
        if selects:
            rows = self._connection().execute(" UNION ALL ".join(selects), all_params).fetchall()
            for row in table_from_rows(by, rows).cells.items():
                table.cells[row[0]] = row[1]
        return table

    def _codes(self, table: str, unnested: tuple[str, ...]) -> list[str] | None:
        if len(unnested) != 1:
            return None
        codes = self.bits.get(table, {}).get(DIMENSIONS[unnested[0]].column)
        if codes is None or len(codes) > MAX_BITS:
            return None
        return codes

    def _typology_by_mask(
        self,
        query: Query,
        dim: str,
        codes: list[str],
        group_sets: list[tuple[str, ...]],
        table: Table,
    ) -> None:
        by = query.by
        src, params = self._from(query)
        mask = DIMENSIONS[dim].mask
        others = [d for d in by if not DIMENSIONS[d].multi]  # other list dims are margins here
        # Group by the mask itself (few distinct combinations), then spread each mask's sums
        # over its codes here: one cheap scan instead of one filtered sum per code.
        gs = ", ".join(
            "(" + ", ".join([*(f'"{DIMENSIONS[d].column}"' for d in s if d != dim), mask]) + ")"
            for s in group_sets
        )
        cols = [f'"{DIMENSIONS[d].column}"' for d in others]
        grouping = [f"GROUPING({c})" for c in cols]
        sql = (
            f"SELECT {', '.join([*cols, *grouping, mask])}, sum(weight)::BIGINT, "
            f"sum(rkey)::BIGINT FROM {src} GROUP BY GROUPING SETS ({gs})"
        )
        rows = self._connection().execute(sql, params).fetchall()
        n_other = len(others)
        bits = [(1 << i, code) for i, code in enumerate(codes)]
        for row in rows:
            values = dict(zip(others, row[:n_other], strict=True))
            flags = dict(zip(others, row[n_other : 2 * n_other], strict=True))
            m, n, k = row[2 * n_other], int(row[2 * n_other + 1]), int(row[2 * n_other + 2])
            if not n:
                continue
            present = [code for bit, code in bits if m & bit] if m else [UNKNOWN]
            for code in present:
                coords = tuple(
                    code if d == dim else (None if d not in flags or flags[d] else str(values[d]))
                    for d in by
                )
                cell = table.cells.setdefault(coords, Cell(0, 0))
                cell.n += n
                cell.key = (cell.key + k) % KEY_MODULUS

    def count(self, query: Query) -> int:
        self._connection()
        src, params = self._from(query)
        row = (
            self._connection()
            .execute(f"SELECT coalesce(sum(weight), 0)::BIGINT FROM {src}", params)
            .fetchone()
        )
        return int(row[0]) if row else 0

    def units(self, table: str, organisations: frozenset[str] | None, unit: str) -> Units:
        """The differencing guard's view of one scope of the snapshot (vigie.analytics.overlap):
        ONE cross-tabulation by every dimension column (counting records), or the scope's rows
        ordered person by person (counting persons); kept per snapshot version and scope."""
        query = Query((), {}, table, organisations, unit)
        self._connection()
        key = (self._version, "units", query.key(), self._persons_version(query))
        with self._lock:
            hit = self._units.get(key)
            if hit is not None:
                self._units.move_to_end(key)
                return hit
        columns = sorted({d.column for d in DIMENSIONS.values() if table in d.tables})
        cols = ", ".join(f's."{c}"' for c in columns)
        where, params = where_clause(query, self.bits)
        src = f"(SELECT * FROM {table}{where}) AS s"
        if self._persons_version(query) is None:
            sql = f"SELECT {cols}, sum(s.weight)::BIGINT AS w FROM {src} GROUP BY ALL"
        else:
            self._one_per_person(query, "")  # loads linkage_persons
            sql = (
                f"SELECT {cols}, s.weight::BIGINT AS w, p.person FROM {src} "
                "LEFT JOIN linkage_persons AS p USING (row_key) "
                "ORDER BY p.person NULLS LAST, s.year NULLS LAST, s.row_key"
            )
        data = self._connection().sql(sql, params=params).to_arrow_table()
        units = Units(table, data)
        with self._lock:
            self._units[key] = units
            while len(self._units) > MATERIALISED:
                self._units.popitem(last=False)
        return units

    def flows(self, query: Query) -> Table:
        """Origin -> destination flows with margins."""
        return self.typology(
            Query(("origin", "destination"), query.filters, "victims", query.organisations)
        )

    def route_types(self, flows: Table) -> Table:
        """Classify the inner cells of a flows table; margins of a 1-dimension table."""
        table = Table(("route_type",))
        total = Cell(0, 0)
        for (origin, destination), cell in flows.cells.items():
            if origin is None or destination is None:
                continue
            kind = regions.classify(origin, destination)
            agg = table.cells.setdefault((kind,), Cell(0, 0))
            agg.n += cell.n
            agg.key = (agg.key + cell.key) % KEY_MODULUS
            total.n += cell.n
            total.key = (total.key + cell.key) % KEY_MODULUS
        table.cells[(None,)] = total
        return table

    def legs(self, query: Query) -> Table:
        return self._cached("legs", query, self._legs)

    def _legs(self, query: Query) -> Table:
        """Route legs (from, to) with margins: origin -> transit... -> destination.

        One scan per position on the route (no list unnesting): leg i goes from stop i to
        stop i+1 of ``[origin, *transit, destination]``.
        """
        self._connection()
        src, params = self._from(
            Query((), query.filters, "victims", query.organisations, query.unit)
        )
        scans = [
            "SELECT 'O' AS fk, origin AS f, CASE WHEN len(transit) = 0 THEN 'D' ELSE 'T' END "
            "AS tk, CASE WHEN len(transit) = 0 THEN destination ELSE transit[1] END AS t, "
            f"weight, rkey FROM {src}"
        ]
        for i in range(1, self._max_transit + 1):
            scans.append(
                f"SELECT 'T', transit[{i}], CASE WHEN len(transit) = {i} THEN 'D' ELSE 'T' END, "
                f"CASE WHEN len(transit) = {i} THEN destination ELSE transit[{i + 1}] END, "
                f"weight, rkey FROM {src} WHERE len(transit) >= {i}"
            )
        sql = (
            "SELECT fk, f, tk, t, sum(weight)::BIGINT, sum(rkey)::BIGINT FROM ("
            + " UNION ALL ".join(scans)
            + ") GROUP BY GROUPING SETS ((fk, f, tk, t), (fk, f), (tk, t), ())"
        )
        rows = self._connection().execute(sql, params * len(scans)).fetchall()
        joined = [
            (
                None if fk is None else f"{fk}:{f}",
                None if tk is None else f"{tk}:{t}",
                n,
                k,
            )
            for fk, f, tk, t, n, k in rows
        ]
        return table_from_rows(("from", "to"), joined)

    def transit(self, query: Query) -> Table:
        """Persons by transit country (a person with two transit countries counts in both)."""
        return self._cached("transit", query, self._transit)

    def _transit(self, query: Query) -> Table:
        self._connection()
        src, params = self._from(
            Query((), query.filters, "victims", query.organisations, query.unit)
        )
        scans = [
            f"SELECT transit[{i}] AS t, weight, rkey FROM {src} WHERE len(transit) >= {i}"
            for i in range(1, self._max_transit + 1)
        ] or ["SELECT NULL::VARCHAR AS t, 0 AS weight, 0 AS rkey WHERE false"]
        sql = (
            "SELECT t, sum(weight)::BIGINT, sum(rkey)::BIGINT FROM ("
            + " UNION ALL ".join(scans)
            + ") GROUP BY GROUPING SETS ((t), ())"
        )
        n_params = len(scans) if self._max_transit else 0
        rows = self._connection().execute(sql, params * n_params).fetchall()
        return table_from_rows(("transit",), rows, multi=("transit",))

    def snapshot_info(self) -> dict[str, Any]:
        manifest = self.store.manifest()
        con = self._connection()
        rows = con.execute("SELECT count(*), coalesce(sum(weight), 0) FROM victims").fetchone()
        return {
            "version": manifest["version"],
            "built_at": manifest.get("built_at"),
            "rows": int(rows[0]) if rows else 0,
            "persons": int(rows[1]) if rows else 0,
        }


_engines: dict[Path, Engine] = {}


def engine_for(store: Store | None = None) -> Engine:
    """One engine (one DuckDB connection) per snapshot directory and process."""
    store = store or Store()
    key = store.directory.resolve()
    if key not in _engines:
        _engines[key] = Engine(store)
    return _engines[key]
