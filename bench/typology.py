"""Dashboard aggregates over a generated snapshot: Vigie (DuckDB + disclosure control) against
the same aggregate written by hand in bare DuckDB on the same Parquet file, in the same run;
the whole dashboard; and the snapshot refresh after 1,000 new records.

Prints one JSON line. `python bench/typology.py [--rows 1000000] [--repeat 20]`.
"""

from __future__ import annotations

# ruff: noqa: S608  (benchmark SQL built from fixed names)
import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))

import django

django.setup()

import duckdb  # noqa: E402

from vigie.analytics import disclosure, generator, selectors  # noqa: E402
from vigie.analytics.engine import Engine, Query  # noqa: E402
from vigie.analytics.store import Store  # noqa: E402

CHUNK = 100_000


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def bare_sql(path: str, by: tuple[str, ...], table: str) -> str:
    """The same grouping sets, written by hand (multi-valued dimensions unnested)."""
    cols = {"form": "forms", "means": "means"}
    if not by:
        return f"SELECT sum(weight), sum(rkey) FROM read_parquet('{path}')"
    inner = ", ".join(
        f"unnest(CASE WHEN len({cols[d]}) = 0 THEN ['unknown'] ELSE {cols[d]} END) AS {d}"
        if d in cols
        else f'"{d}"'
        for d in by
    )
    dims = ", ".join(f'"{d}"' for d in by)
    return (
        f"SELECT {dims}, sum(weight), sum(rkey) FROM (SELECT {inner}, weight, rkey "
        f"FROM read_parquet('{path}')) GROUP BY CUBE ({dims})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    store = Store(Path(tempfile.mkdtemp(prefix="vigie-bench-snapshot-")))

    t0 = time.perf_counter()
    batches = (
        generator.victims_table(
            generator.victim_rows(min(CHUNK, args.rows - i), seed=i, prefix=f"b{i}-")
        )
        for i in range(0, args.rows, CHUNK)
    )
    store.replace_from_batches("victims", batches, "bench")
    perps = generator.perpetrators_table(generator.perpetrator_rows(args.rows // 20))
    store.replace_from_batches("perpetrators", iter([perps]), "bench")
    build_s = time.perf_counter() - t0

    engine = Engine(store)
    policy = disclosure.Policy()
    bare = duckdb.connect()
    aggregates: dict[str, dict[str, float]] = {}
    ratios = []
    for key, table, by in selectors.PANELS:
        path = str(store.parts(table)[0])
        vigie_t, bare_t = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            disclosure.protect(engine.typology(Query(by, {}, table)), policy)
            vigie_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            bare.execute(bare_sql(path, by, table)).fetchall()
            bare_t.append(time.perf_counter() - t)
        aggregates[key] = {
            "p50_ms": round(1000 * statistics.median(vigie_t), 1),
            "p95_ms": round(1000 * p95(vigie_t), 1),
            "duckdb_p50_ms": round(1000 * statistics.median(bare_t), 1),
        }
        ratio = statistics.median(vigie_t) / statistics.median(bare_t)
        aggregates[key]["ratio"] = round(ratio, 2)
        ratios.append(ratio)

    dash = []
    for _ in range(max(3, args.repeat // 4)):
        t = time.perf_counter()
        selectors.dashboard_panels(engine, {}, None)
        dash.append(time.perf_counter() - t)
    filtered = []
    for _ in range(max(3, args.repeat // 4)):
        t = time.perf_counter()
        selectors.dashboard_panels(
            engine, {"period": ("2016-2019",), "sex": ("female",), "form": ("forced_labour",)}, None
        )
        filtered.append(time.perf_counter() - t)

    new = generator.victims_table(generator.victim_rows(1000, seed=999, prefix="new-"))
    t = time.perf_counter()
    store.upsert("victims", new)
    seen = engine.count(Query())
    refresh_s = time.perf_counter() - t
    assert seen >= args.rows

    print(
        json.dumps(
            {
                "bench": "typology",
                "rows": args.rows,
                "repeat": args.repeat,
                "snapshot_build_s": round(build_s, 2),
                "worst_aggregate_p95_ms": max(a["p95_ms"] for a in aggregates.values()),
                "median_ratio_to_duckdb": round(statistics.median(ratios), 2),
                "max_ratio_to_duckdb": round(max(ratios), 2),
                "dashboard_p50_s": round(statistics.median(dash), 3),
                "dashboard_max_s": round(max(dash), 3),
                "dashboard_filtered_p50_s": round(statistics.median(filtered), 3),
                "refresh_1000_new_s": round(refresh_s, 3),
                "aggregates": aggregates,
            }
        )
    )


if __name__ == "__main__":
    main()
