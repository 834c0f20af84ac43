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

from vigie.analytics import disclosure, selectors  # noqa: E402
from vigie.analytics.engine import Engine, Query  # noqa: E402
from vigie.analytics.store import Store  # noqa: E402
from vigie.devtools import analytics_rows  # noqa: E402

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


def refresh_from_records(store: Store) -> float:
    """1,000 new case records (a victim, an exploitation, a 3-leg route each) saved in one
    transaction; time from commit until the background refresh job has put them in the
    1M-row snapshot (jobs run immediately under the test settings)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from vigie.analytics.models import PendingRefresh
    from vigie.cases.models import Case, Exploitation, RouteLeg, Victim
    from vigie.core.models import Organisation

    settings.VIGIE_ANALYTICS_DIR = str(store.directory)
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(code="bench", name="Bench")
    before = Engine(store).count(Query())
    with transaction.atomic():
        for i in range(1000):
            case = Case.objects.create(
                organisation=org, reference=f"B-{i}", conflict_situation="libya", country="LY"
            )
            v = Victim.objects.create(case=case, sex="female", age_band_at_identification="9-17")
            Exploitation.objects.create(case=case, victim=v, forms=["forced_labour"], country="LY")
            for seq, (country, role) in enumerate(
                [("NG", "origin"), ("NE", "transit"), ("LY", "destination")], 1
            ):
                RouteLeg.objects.create(case=case, sequence=seq, country=country, role=role)
        t = time.perf_counter()
    elapsed = time.perf_counter() - t  # on_commit: the refresh job ran (huey immediate)
    assert not PendingRefresh.objects.exists()
    assert Engine(store).count(Query()) == before + 1000
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    store = Store(Path(tempfile.mkdtemp(prefix="vigie-bench-snapshot-")))

    t0 = time.perf_counter()
    batches = (
        analytics_rows.victims_table(
            analytics_rows.victim_rows(min(CHUNK, args.rows - i), seed=i, prefix=f"b{i}-")
        )
        for i in range(0, args.rows, CHUNK)
    )
    store.replace_from_batches("victims", batches, "bench")
    perps = analytics_rows.perpetrators_table(analytics_rows.perpetrator_rows(args.rows // 20))
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
            engine.clear_cache()  # cold: every run queries DuckDB
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

    def dashboard(filters: dict[str, tuple[str, ...]], cold: bool) -> list[float]:
        times = []
        for _ in range(max(3, args.repeat // 2)):
            if cold:
                engine.clear_cache()
            t = time.perf_counter()
            selectors.dashboard_panels(engine, filters, None)
            times.append(time.perf_counter() - t)
        return times

    dash = dashboard({}, cold=True)
    warm = dashboard({}, cold=False)
    narrow = {"period": ("2016-2019",), "sex": ("female",), "form": ("forced_labour",)}
    filtered = dashboard(narrow, cold=True)

    new = analytics_rows.victims_table(analytics_rows.victim_rows(1000, seed=999, prefix="new-"))
    t = time.perf_counter()
    store.upsert("victims", new)
    seen = engine.count(Query())
    refresh_s = time.perf_counter() - t
    assert seen >= args.rows
    refresh_db_s = refresh_from_records(store)

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
                "dashboard_cold_p50_s": round(statistics.median(dash), 3),
                "dashboard_cold_max_s": round(max(dash), 3),
                "dashboard_warm_p50_s": round(statistics.median(warm), 4),
                "dashboard_filtered_cold_p50_s": round(statistics.median(filtered), 3),
                "refresh_1000_rows_upsert_s": round(refresh_s, 3),
                "refresh_1000_new_cases_from_db_s": round(refresh_db_s, 3),
                "aggregates": aggregates,
            }
        )
    )


if __name__ == "__main__":
    main()
