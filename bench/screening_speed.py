"""Screening speed against UN + OFAC SDN (../shared/data), with the naive baseline in the same
run: rapidfuzz ``process.extractOne`` (token-sort ratio) over every normalised listed name.

- single queries: p50/p95 latency in-process for the evaluation-set queries, engine and
  baseline, and the ratio;
- counts (a second pass over the same single queries, untimed): listed names chosen as
  candidates per query (mean, p95) and the share of them aligned (``names.compare_names``),
  the rest skipped by the prefilter, the score bound or as twins (ADR 0537), and the share
  of those alignments whose name score ends under the default threshold: what a bound that
  knew the score exactly would skip (these queries give no birth date, country or document,
  so none of them can be reported; ADR 0539);
- batch: N names (default 100,000: evaluation queries and synthetic recombinations of their
  words) written to a CSV file and screened by the real batch path (``batch.run``, as
  ``vigie screen --batch FILE --json -o OUT``) with ``--workers`` forked processes; the
  baseline runs on a sample of the same names in one process and is extrapolated per worker.

Wall-clock figures depend on what else the machine runs; the ``*_cpu_*`` figures (CPU time of
the measuring thread, or of the batch's processes) much less so.

Prints one JSON line. `python bench/screening_speed.py [--batch 100000] [--workers 2]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))
sys.path.insert(0, str(Path(__file__).parent))

import django

django.setup()

from screening_common import NaiveBaseline, build_index, eval_rows, records  # noqa: E402

from vigie.screening import batch, engine, index_cache, names  # noqa: E402

INDEX: engine.ScreeningIndex | None = None


def api_latency(n: int) -> tuple[float, float, float]:
    """p50/p95 of POST /api/screening/search/ through Django's full stack (session auth,
    permission check, serializer), UN + OFAC loaded into a fresh SQLite data directory."""
    from django.core.management import call_command
    from django.test import Client

    from vigie.core.models import Membership, Organisation, User
    from vigie.devtools.screening_eval_v2 import LISTS, SHARED
    from vigie.screening import selectors, services

    call_command("migrate", verbosity=0)
    for rel in LISTS:
        services.load_list(SHARED / rel)
    org = Organisation.objects.create(code="bench", name="Bench")
    user = User.objects.create(username="bench-officer")
    Membership.objects.create(user=user, organisation=org, role="screening_officer")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    selectors.screening_index()
    names = [r["query"] for r in eval_rows()[:: max(1, len(eval_rows()) // n)]][:n]
    lat, lat_cpu = [], []
    for name in names:
        t, c = time.perf_counter(), time.thread_time()
        res = client.post("/api/screening/search/", {"name": name}, content_type="application/json")
        lat.append((time.perf_counter() - t) * 1000)
        lat_cpu.append((time.thread_time() - c) * 1000)
        assert res.status_code == 200, res.content
    return pct(lat, 0.5), pct(lat, 0.95), pct(lat_cpu, 0.95)


def candidate_counts(
    index: engine.ScreeningIndex, queries: list[tuple[str, str | None]]
) -> dict[str, float]:
    """Candidates chosen per query (every pass and searched form: ``ScreeningIndex._cut``) and
    alignments made (``names.compare_names``), counted by wrapping both for this pass only."""
    chosen = aligned = under = 0
    cut, compare = engine.ScreeningIndex._cut, names.compare_names

    def counted_cut(self: engine.ScreeningIndex, *args: Any) -> list[int]:
        nonlocal chosen
        found: list[int] = cut(self, *args)
        chosen += len(found)
        return found

    def counted_compare(*args: Any) -> names.NameMatch:
        nonlocal aligned, under
        aligned += 1
        match = compare(*args)
        under += match.score < engine.THRESHOLD
        return match

    per_query, per_query_aligned = [], []
    engine.ScreeningIndex._cut = counted_cut  # type: ignore[method-assign]
    names.compare_names = counted_compare
    try:
        for name, schema in queries:
            chosen = aligned = 0
            index.screen(engine.Query(name, schema))
            per_query.append(float(chosen))
            per_query_aligned.append(float(aligned))
    finally:
        engine.ScreeningIndex._cut = cut  # type: ignore[method-assign]
        names.compare_names = compare
    return {
        "candidates_per_query_mean": round(sum(per_query) / len(per_query), 1),
        "candidates_per_query_p95": pct(per_query, 0.95),
        "aligned_per_query_mean": round(sum(per_query_aligned) / len(per_query), 1),
        "aligned_per_query_p95": pct(per_query_aligned, 0.95),
        "share_aligned": round(sum(per_query_aligned) / max(sum(per_query), 1.0), 3),
        "share_aligned_under_threshold": round(under / max(sum(per_query_aligned), 1.0), 3),
    }


def _cpu_seconds() -> float:
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def main() -> None:
    global INDEX
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--baseline-queries", type=int, default=300)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--api-queries", type=int, default=300)
    parser.add_argument("--baseline-batch-sample", type=int, default=500)
    args = parser.parse_args()
    for option in ("queries", "batch", "workers", "baseline_queries", "baseline_batch_sample"):
        if getattr(args, option) < 1:  # each is a divisor below
            parser.error(f"--{option.replace('_', '-')} must be at least 1")
    load_at_start = os.getloadavg()[0]
    rng = random.Random(2331)
    recs = records()
    t0 = time.perf_counter()
    INDEX = build_index(recs)
    build_s = time.perf_counter() - t0
    baseline = NaiveBaseline(recs)
    rows = eval_rows()
    rng.shuffle(rows)
    queries = [(r["query"], r["schema"]) for r in rows]

    lat, lat_cpu = [], []
    for name, schema in queries[: args.queries]:
        t, c = time.perf_counter(), time.thread_time()
        INDEX.screen(engine.Query(name, schema))
        lat.append((time.perf_counter() - t) * 1000)
        lat_cpu.append((time.thread_time() - c) * 1000)
    base_lat = []
    for name, _schema in queries[: args.baseline_queries]:
        t = time.perf_counter()
        baseline.best(name, 0.9)
        base_lat.append((time.perf_counter() - t) * 1000)
    single_counts = candidate_counts(INDEX, queries[: args.queries])

    words = [w for q, _ in queries for w in q.split() if len(w) > 2]
    batch_names = list(queries)
    while len(batch_names) < args.batch:
        batch_names.append((f"{rng.choice(words)} {rng.choice(words)} {rng.choice(words)}", None))
    batch_names = batch_names[: args.batch]
    # The real batch path (vigie screen --batch FILE --json -o OUT): CSV read as a stream,
    # rows screened by --workers forked processes, JSON written in input order.
    work = Path(tempfile.mkdtemp(prefix="vigie-bench-batch-"))
    source, target = work / "names.csv", work / "results.json"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "schema"])
        for i, (name, schema) in enumerate(batch_names, 1):
            writer.writerow([i, name, schema or ""])
    # As `vigie screen --batch` does: the index read from the disk cache (names rebuilt from
    # plain data when first compared), not the one built in this process.
    index_cache.save(INDEX)
    cached = index_cache.load(INDEX.signature)
    assert cached is not None
    t = time.perf_counter()
    cpu = _cpu_seconds()
    with target.open("w", encoding="utf-8") as out:
        counts = batch.run(cached, source, out, fmt="json", workers=args.workers)
    batch_s = time.perf_counter() - t
    # CPU time of this process and its (finished) workers: what the batch costs whatever
    # else the shared machine runs; on two idle cores, wall time is about batch_cpu_s / 2.
    batch_cpu_s = _cpu_seconds() - cpu
    with target.open(encoding="utf-8") as fh:
        results = json.load(fh)
    assert [r["id"] for r in results] == [str(i) for i in range(1, len(batch_names) + 1)]
    matched = counts["with_matches"]
    # Baseline on a sample of the same batch names, one process, extrapolated per worker.
    sample = rng.sample(batch_names, min(args.baseline_batch_sample, len(batch_names)))
    t, cpu = time.perf_counter(), _cpu_seconds()
    for name, _schema in sample:
        baseline.best(name, 0.9)
    base_batch_mean = (time.perf_counter() - t) / len(sample)
    base_batch_cpu = (_cpu_seconds() - cpu) / len(sample)
    api_p50, api_p95, api_cpu_p95 = (
        api_latency(args.api_queries) if args.api_queries else (0.0, 0.0, 0.0)
    )
    print(
        json.dumps(
            {
                "bench": "screening_speed",
                "entries": len(INDEX.entries),
                "indexed_names": len(INDEX.names),
                "index_build_s": round(build_s, 1),
                "single_p50_ms": pct(lat, 0.5),
                "single_p95_ms": pct(lat, 0.95),
                "single_cpu_p95_ms": pct(lat_cpu, 0.95),
                **single_counts,
                "baseline_p50_ms": pct(base_lat, 0.5),
                "baseline_p95_ms": pct(base_lat, 0.95),
                "speedup_p50": round(pct(base_lat, 0.5) / max(pct(lat, 0.5), 1e-6), 1),
                "api_p50_ms": api_p50,
                "api_p95_ms": api_p95,
                "api_cpu_p95_ms": api_cpu_p95,
                "batch_names": len(batch_names),
                "batch_workers": args.workers,
                "batch_s": round(batch_s, 1),
                "batch_cpu_s": round(batch_cpu_s, 1),
                # what two idle cores would take: the workers' CPU time spread over both
                "batch_s_estimated_two_idle_cores": round(batch_cpu_s / 2, 1),
                "baseline_batch_cpu_s_estimated": round(base_batch_cpu * len(batch_names), 1),
                "batch_names_per_s": round(len(batch_names) / batch_s),
                "batch_with_matches": matched,
                "baseline_batch_s_estimated": round(
                    base_batch_mean * len(batch_names) / args.workers, 1
                ),
                "batch_speedup": round(
                    base_batch_mean * len(batch_names) / args.workers / batch_s, 1
                ),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "max_rss_worker_mb": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                ),
                "load_avg_1m_at_start": round(load_at_start, 2),
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
