"""Screening quality on the versioned evaluation set (src/vigie/screening/data/eval/), at the
default threshold: recall (the expected entry is among the results) and false-positive rate
(a name that must not match gets any result), overall and by category, with the naive
rapidfuzz baseline (token-sort ratio, extractOne, cutoff 0.90) measured in the same run.

Prints one JSON line. `python bench/screening_quality.py [--threshold 0.8]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))
sys.path.insert(0, str(Path(__file__).parent))

import django

django.setup()

from screening_common import NaiveBaseline, build_index, eval_rows, records  # noqa: E402

from vigie.screening import engine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=engine.THRESHOLD)
    parser.add_argument("--baseline-cutoff", type=float, default=0.90)
    parser.add_argument("--misses", type=int, default=0, help="print N misses to stderr")
    parser.add_argument("--fast", action="store_true", help="batch mode (fast=True)")
    args = parser.parse_args()
    recs = records()
    index = build_index(recs)
    baseline = NaiveBaseline(recs)
    rows = eval_rows()
    by_cat: dict[str, list[int]] = {}
    base_cat: dict[str, list[int]] = {}
    misses = []
    started = time.perf_counter()
    for row in rows:
        results = index.screen(
            engine.Query(row["query"], row["schema"]),
            threshold=args.threshold,
            limit=50,
            fast=args.fast,
        )
        found = {f"{r.entry.watchlist}:{r.entry.reference}" for r in results}
        expected = set(row["expected"])
        ok = bool(expected & found) if expected else not found
        by_cat.setdefault(row["category"], [0, 0])
        by_cat[row["category"]][0] += ok
        by_cat[row["category"]][1] += 1
        if not ok:
            misses.append(
                (
                    row,
                    [(r.entry.reference, r.entry.caption, round(r.score, 3)) for r in results[:2]],
                )
            )
        b = baseline.best(row["query"], args.baseline_cutoff)
        b_ok = (b is not None and b[0] in expected) if expected else b is None
        base_cat.setdefault(row["category"], [0, 0])
        base_cat[row["category"]][0] += b_ok
        base_cat[row["category"]][1] += 1
    elapsed = time.perf_counter() - started

    def summary(cats: dict[str, list[int]]) -> dict[str, float]:
        pos = [v for k, v in cats.items() if k != "negative"]
        neg = cats.get("negative", [0, 1])
        return {
            "recall": round(sum(v[0] for v in pos) / max(1, sum(v[1] for v in pos)), 4),
            "false_positive_rate": round((neg[1] - neg[0]) / max(1, neg[1]), 4),
        }

    for row, got in misses[: args.misses]:
        print(row["category"], row["query"], row["expected"], got, file=sys.stderr)
    print(
        json.dumps(
            {
                "bench": "screening_quality",
                "eval_set": "screening_eval_v1",
                "queries": len(rows),
                "threshold": args.threshold,
                "mode": "batch (fast)" if args.fast else "search",
                **summary(by_cat),
                "by_category": {k: round(v[0] / v[1], 4) for k, v in sorted(by_cat.items())},
                "baseline_rapidfuzz": {
                    "cutoff": args.baseline_cutoff,
                    **summary(base_cat),
                    "by_category": {k: round(v[0] / v[1], 4) for k, v in sorted(base_cat.items())},
                },
                "seconds": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
