"""Screening recall on the lists' own aliases: every alias of every listed entry (UN
Consolidated List and OFAC SDN in ../shared/data) screened against the lists with that
alias taken out, so that the entry must be found by its other names.

A second check beside ``screening_quality.py``, larger and independent of evaluation set
v2: it uses no generated variant and no row of the set, only the pairs the lists
themselves say are one person or organisation. The entries of the set's held-out test
half (``split == "test"`` by the set's hash of the entity) are left out entirely, so that
what is changed to do better here cannot be fitted to the test half either.

Leave-one-out is done in folds: fold ``k`` takes out the ``k``-th alias (kind ``alias``
or ``weak``, in list order) of every entry that has one, from every entry that lists the
same words (the same person is often on both lists), builds the index without them and
screens each. Only the first ``--folds`` aliases of an entry are screened (the others stay
listed): each is screened with no other alias of its entry taken out. Aliases are
reported as ``alias_spelling`` (another spelling of one other name of the entry) or
``alias_other_name`` (a name part no other single name holds: a nickname, a translation),
by the same rule on the list data as the quality benchmark
(``screening_quality.alias_types``, ADR 0522), by schema and by script.

By default only the aliases the evaluation set's own rule admits as alias pairs (two
significant words with a counterpart in another of the entry's names); ``--all`` takes
every alias, acronyms and one-word nicknames included.

Prints one JSON line. `python bench/screening_aliases.py [--folds 4] [--all] [--misses N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))
sys.path.insert(0, str(Path(__file__).parent))

import django

django.setup()

from screening_common import eval_rows, records  # noqa: E402
from screening_quality import alias_types, why, without_removed, words  # noqa: E402

from vigie.devtools.screening_eval_v2 import _alias_is_spelling, split_of  # noqa: E402
from vigie.screening import engine  # noqa: E402

SEARCH_LIMIT = 10  # as in screening_quality: found if among a result page


def alias_rows(recs: list[dict[str, Any]], folds: int, every: bool) -> list[dict[str, Any]]:
    """One row per alias of an entry outside the held-out half that keeps another name;
    unless ``every``, only the aliases the evaluation set's own rule would take as an
    ``alias_pair`` row (two significant words with a counterpart in another name)."""
    held_out = {k for r in eval_rows() if r["split"] == "test" for k in r["expected"]}
    rows = []
    for rec in recs:
        key = f"{rec['watchlist']}:{rec['reference']}"
        if key in held_out or split_of(key) == "test":
            continue
        texts = rec["data"]["names"]
        aliases = [n for n in texts if n["kind"] in ("alias", "weak")]
        for k, alias in enumerate(aliases[: max(1, folds)]):
            others = [n["name"] for n in texts if words(n["name"]) != words(alias["name"])]
            if not others:
                continue  # no other name to find it by
            if not every and not _alias_is_spelling(alias["name"], others):
                continue  # nickname, acronym, one word: not what the set's alias rows hold
            rows.append(
                {
                    "query": alias["name"],
                    "schema": rec["schema"],
                    "expected": [key],
                    "category": "alias_pair",
                    "removed": alias["name"],
                    "fold": k,
                    "script": "latin" if alias["name"].isascii() else "other",
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=4, help="aliases screened per entry")
    parser.add_argument("--threshold", type=float, default=engine.THRESHOLD)
    parser.add_argument("--misses", type=int, default=0, help="print N misses to stderr")
    parser.add_argument("--only", default="", help="report one type (e.g. alias_spelling)")
    parser.add_argument("--all", action="store_true", help="every alias, acronyms included")
    args = parser.parse_args()
    started, cpu = time.perf_counter(), time.process_time()
    full = records()
    rows = alias_rows(full, args.folds, args.all)
    alias_types(full, rows)
    if args.only:
        rows = [r for r in rows if r["category"] == args.only]
    full_index = engine.build(full)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = args.misses
    screened = 0.0
    for k in range(max(1, args.folds)):
        part = [r for r in rows if r["fold"] == k]
        if not part:
            continue
        index = engine.build(without_removed(full, part), reuse=full_index)
        t0 = time.perf_counter()
        for row in part:
            results = index.screen(engine.Query(row["query"], row["schema"]), limit=SEARCH_LIMIT)
            scores = {f"{r.entry.watchlist}:{r.entry.reference}": r.score for r in results}
            ok = scores.get(row["expected"][0], 0.0) >= args.threshold
            for group in (
                row["category"],
                f"{row['category']}/{row['schema']}",
                f"{row['category']}/{row['script']}",
            ):
                found[group][0] += ok
                found[group][1] += 1
            if not ok and misses > 0:
                misses -= 1
                top = sorted(scores.items(), key=lambda kv: -kv[1])[:2]
                cause = why(index, row, args.threshold)
                print(row["category"], cause, row["query"], row["expected"], top, file=sys.stderr)
        screened += time.perf_counter() - t0
    print(
        json.dumps(
            {
                "bench": "screening_aliases",
                "aliases": len(rows),
                "every_alias": args.all,
                "folds": args.folds,
                "threshold": args.threshold,
                "recall": {g: round(v[0] / v[1], 4) for g, v in sorted(found.items())},
                "rows": {g: v[1] for g, v in sorted(found.items())},
                "ms_per_query": round(screened * 1000 / max(1, len(rows)), 2),
                "wall_s": round(time.perf_counter() - started, 1),
                "cpu_s": round(time.process_time() - cpu, 1),
                "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            }
        )
    )


if __name__ == "__main__":
    main()
