"""Screening quality on the held-out half of evaluation set v2
(src/vigie/screening/data/eval/screening_eval_v2.jsonl, built by
``python -m vigie.devtools.screening_eval_v2`` from the public lists, independently of the
engine), with the peers measured in the same run:

- Vigie **search** (``ScreeningIndex.screen``, one name at a time) and **batch** (the real
  ``vigie screen --batch FILE --json`` path, ``batch.run`` over a CSV of every query), at the
  default threshold, and whether they returned the same entries and scores;
- recall by variation type and false-positive rates (random names, near-miss names that
  share common parts with listed people); a row counts as found when its expected entry is
  among the results (at most 10, plus any tied with the 10th: ADR 0524). ``alias_pair`` rows
  are reported as two types, ``alias_spelling`` and ``alias_other_name``, by a rule on the
  list data (``alias_types``, ADR 0522), and the recall without the second (what a name
  matcher can find) beside the overall one. They are
  screened against the lists with every evaluated alias taken out (the entry must be found
  by its other names); the other rows against the lists as published: taking the aliases
  out also took out primary names that have the same words as an alias (28 entries), and
  the rule variants made from those primary names were then screened against lists that
  no longer held them (85 rows; ADR 0520);
- the naive rapidfuzz scan (token-sort ratio, every listed name) and, if installed
  (``make bench-peers-env``: nomenklatura in its own ``.venv-peers``), OpenSanctions'
  ``logic-v1``, ``logic-v2`` and ``name-based`` matchers at their default threshold 0.7 and at
  their best threshold within the false-positive limits, on a sample of the same rows;
- time per query of each;
- the precision/recall curve of Vigie's search and the recommended threshold per use
  (``--guidance PATH`` writes them as the data file shown to administrators).

Prints one JSON line. `python bench/screening_quality.py [--split test] [--peer-sample 60]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))
sys.path.insert(0, str(Path(__file__).parent))

import django

django.setup()

from screening_common import build_index, eval_rows, records  # noqa: E402
from screening_peers import NaiveScan  # noqa: E402

from vigie.devtools.screening_eval_v2 import PARTICLES, fold, skeleton, sound  # noqa: E402
from vigie.screening import batch, engine, guidance, names, ranking  # noqa: E402

NEGATIVE = ("negative_random", "negative_near_miss")
LIMITS = {"negative_random": 0.01, "negative_near_miss": 0.05}
PEER_THRESHOLD = 0.7  # yente's default for logic-v2
NAIVE_CUTOFF = 0.9
SEARCH_LIMIT = 10  # results per query: a row counts as found if its entry is among them
MARGIN = 0.6  # guidance: a use's false-positive limits times this, on the dev half


def words(name: str) -> frozenset[str]:
    """A name's words, whatever their order and punctuation (OFAC: "SURNAME, Given"; "Co."
    on one list, "CO" on the other)."""
    return frozenset(re.sub(r"[^\w\s]", " ", name.lower()).split())


def _keys(word: str) -> set[str]:
    """What romanisations of a word agree on: its consonant skeleton and its sound."""
    return {skeleton(word), sound(word)}


def _significant(name: str) -> list[str]:
    return [
        w
        for w in re.split(r"[\s,\-]+", name)
        if w and fold(w).lower().strip("'\u2019\u2018") not in PARTICLES and len(skeleton(w)) >= 2
    ]


def alias_types(recs: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Split ``alias_pair`` rows in two, by a rule on the list data alone (not on any
    matcher's output; ADR 0522):

    - ``alias_spelling``: another spelling of one of the entry's names: ONE other name of the
      entry gives every significant word of the alias a counterpart (same consonant skeleton
      or same sound, or two of its words joined);
    - ``alias_other_name``: the alias brings a name part no single other name of the entry
      holds (a nickname, another patronymic, a name in another language, an organisation's
      translated or longer name). No name matcher can link it by the name alone without
      raising false alarms on the names that share its other parts."""
    by_key = {f"{r['watchlist']}:{r['reference']}": r for r in recs}
    for row in rows:
        if row["category"] != "alias_pair":
            continue
        alias = words(row["removed"])
        entry = by_key[row["expected"][0]]
        others = [n["name"] for n in entry["data"]["names"] if words(n["name"]) != alias]
        wanted = _significant(row["query"])

        def uncovered(other: str, wanted: list[str] = wanted) -> int:
            ow = _significant(other)
            pool = set().union(*(_keys(w) for w in ow)) if ow else set()
            pool |= {skeleton(a + b) for a, b in pairwise(ow)}
            return sum(1 for w in wanted if not _keys(w) & pool)

        spelling = any(uncovered(o) == 0 for o in others)
        row["category"] = "alias_spelling" if spelling else "alias_other_name"


def without_removed(recs: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with each ``alias_pair`` row's alias taken out of every entry that has
    it (the same person is often on two lists): the entry must be found by its other names."""
    removed = {words(r["removed"]) for r in rows if r.get("removed")}
    out = []
    for rec in recs:
        data = dict(rec["data"])
        data["names"] = [n for n in data["names"] if words(n["name"]) not in removed]
        out.append({**rec, "data": data})
    return out


def outcome(row: dict[str, Any], scores: dict[str, float], threshold: float) -> bool:
    """True when the row is right: its entry found, or (a negative) nothing found."""
    if row["expected"]:
        return any(scores.get(k, 0.0) >= threshold for k in row["expected"])
    return not any(s >= threshold for s in scores.values())


def summary(rows: list[dict[str, Any]], scores: list[dict[str, float]], t: float) -> dict[str, Any]:
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, sc in zip(rows, scores, strict=True):
        by_cat[row["category"]][0] += outcome(row, sc, t)
        by_cat[row["category"]][1] += 1
    pos = [v for k, v in by_cat.items() if k not in NEGATIVE]
    out: dict[str, Any] = {
        "threshold": round(t, 3),
        "recall": round(sum(v[0] for v in pos) / max(1, sum(v[1] for v in pos)), 4),
    }
    # the targets apply to what a name matcher can find (ADR 0522)
    reach = [v for k, v in by_cat.items() if k not in (*NEGATIVE, "alias_other_name")]
    out["recall_without_alias_other_name"] = round(
        sum(v[0] for v in reach) / max(1, sum(v[1] for v in reach)), 4
    )
    for k in NEGATIVE:
        ok, n = by_cat.get(k, [0, 0])
        out[f"fp_{k.removeprefix('negative_')}"] = round((n - ok) / max(1, n), 4)
    out["recall_by_type"] = {
        k: round(v[0] / v[1], 4) for k, v in sorted(by_cat.items()) if k not in NEGATIVE
    }
    out["rows_by_type"] = {k: v[1] for k, v in sorted(by_cat.items())}
    return out


def best_within_limits(
    rows: list[dict[str, Any]], scores: list[dict[str, float]]
) -> dict[str, Any]:
    """The threshold with the highest recall whose false-positive rates stay in LIMITS."""
    best: dict[str, Any] | None = None
    for i in range(40, 100):
        s = summary(rows, scores, i / 100)
        if (
            s["fp_random"] <= LIMITS["negative_random"]
            and (s["fp_near_miss"] <= LIMITS["negative_near_miss"])
            and (best is None or s["recall"] > best["recall"])
        ):
            best = s
    return best or summary(rows, scores, 1.0)


def by_index(rows: list[dict[str, Any]]) -> dict[bool, list[int]]:
    """Row positions by whether they are screened against the lists without the aliases."""
    out: dict[bool, list[int]] = {True: [], False: []}
    for i, row in enumerate(rows):
        out[bool(row.get("removed"))].append(i)
    return out


def vigie_scores(
    index: engine.ScreeningIndex, row: dict[str, Any], floor: float
) -> dict[str, float]:
    # as many results as the API and a batch row show (equal scores at the cut kept, ADR 0524)
    results = index.screen(
        engine.Query(row["query"], row["schema"]), threshold=floor, limit=SEARCH_LIMIT
    )
    return {f"{r.entry.watchlist}:{r.entry.reference}": r.score for r in results}


def why(index: engine.ScreeningIndex, row: dict[str, Any], threshold: float) -> str:
    """Why a positive row was missed: its entry's best name scores under the threshold even
    when compared directly ("score"), or reaches it but none of its names is among the
    candidates of any searched form, even at the widest ("retrieval"), or it is a candidate
    and still not on the result page ("ranking": cut, or pruned by a bound)."""
    wanted = set(row["expected"])
    ids = [
        i
        for i, n in enumerate(index.names)
        if f"{index.entries[n.entry].watchlist}:{index.entries[n.entry].reference}" in wanted
    ]
    forms = names.analyse(row["query"], row["schema"], index.lexicon)
    best = max(
        (
            names.compare_names(f, index.names[i].name).score
            * (engine.LOW_QUALITY if index.names[i].kind == "weak" else 1.0)
            for f in forms
            for i in ids
        ),
        default=0.0,
    )
    if best < threshold:
        return f"score={best:.3f}"
    found = {c for f in forms for c in index.candidates(f, ranking.WIDE)}
    return f"ranking={best:.3f}" if found & set(ids) else f"retrieval={best:.3f}"


def run_batch(index: engine.ScreeningIndex, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Every row through the batch path; per row the (entry, score) pairs it reported."""
    work = Path(tempfile.mkdtemp(prefix="vigie-bench-quality-"))
    source, target = work / "names.csv", work / "results.json"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "schema"])
        for i, row in enumerate(rows, 1):
            writer.writerow([i, row["query"], row["schema"]])
    with target.open("w", encoding="utf-8") as out:
        batch.run(index, source, out, fmt="json", workers=1)
    with target.open(encoding="utf-8") as fh:
        results = json.load(fh)
    return [
        [(f"{m['watchlist']}:{m['reference']}", m["score"]) for m in r["matches"]] for r in results
    ]


def run_peers(recs: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """nomenklatura's matchers over ``rows`` in their own environment (``.venv-peers``)."""
    peer_python = Path(__file__).resolve().parents[1] / ".venv-peers" / "bin" / "python"
    work = Path(tempfile.mkdtemp(prefix="vigie-bench-peers-"))
    job = {
        "records": recs,
        "algorithms": ("logic-v1", "logic-v2", "name-based"),
        "queries": [{"query": r["query"], "schema": r["schema"]} for r in rows],
    }
    (work / "in.json").write_text(json.dumps(job), encoding="utf-8")
    peer = Path(__file__).parent / "screening_peers.py"
    subprocess.run(
        [str(peer_python), str(peer), str(work / "in.json"), str(work / "out.json")],
        check=True,
    )
    result: dict[str, Any] = json.loads((work / "out.json").read_text(encoding="utf-8"))
    return result


def choose(curve: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per use, the threshold (chosen on the dev half) with the highest recall whose
    false-positive rates stay within that use's limits (``guidance.USES``)."""
    out = {}
    for use, (fp_random, fp_near) in guidance.USES.items():
        # with a margin: the held-out half and real names differ from the dev half
        fp_random, fp_near = fp_random * MARGIN, fp_near * MARGIN
        ok = [c for c in curve if c["fp_random"] <= fp_random and c["fp_near_miss"] <= fp_near]
        pick = max(ok, key=lambda c: (c["recall"], -c["threshold"])) if ok else curve[-1]
        out[use] = {k: pick[k] for k in ("threshold", "recall", "fp_random", "fp_near_miss")}
    return out


def run_sample(
    recs: list[dict[str, Any]],
    full: list[dict[str, Any]],
    search: list[dict[str, float]],
    sample: list[int],
    srows: list[dict[str, Any]],
    threshold: float,
) -> dict[str, Any]:
    """Vigie, the naive scan and (if installed) nomenklatura's matchers on the same sample."""
    peers: dict[str, Any] = {"rows": len(srows)}
    peers["vigie_search"] = summary(srows, [search[i] for i in sample], threshold)
    peers["vigie_search"]["best_within_limits"] = best_within_limits(
        srows, [search[i] for i in sample]
    )
    naive = {True: NaiveScan(recs), False: NaiveScan(full)}
    started = time.perf_counter()
    nscores = [naive[bool(r.get("removed"))].scores(r["query"]) for r in srows]
    peers["rapidfuzz_scan"] = {
        **summary(srows, nscores, NAIVE_CUTOFF),
        "ms_per_query": round((time.perf_counter() - started) * 1000 / len(srows), 2),
        "best_within_limits": best_within_limits(srows, nscores),
    }
    peer_python = Path(__file__).resolve().parents[1] / ".venv-peers" / "bin" / "python"
    if not peer_python.exists():
        peers["nomenklatura"] = "not installed: make bench-peers-env"
    else:
        algorithms = ("logic-v1", "logic-v2", "name-based")
        got: dict[str, Any] = {"seconds": 0.0, "scores": [{} for _ in srows]}
        for removed, positions in by_index(srows).items():
            if positions:
                part = run_peers(recs if removed else full, [srows[i] for i in positions])
                got["seconds"] += part["seconds"]
                for i, sc in zip(positions, part["scores"], strict=True):
                    got["scores"][i] = sc
        ms = got["seconds"] * 1000 / len(srows)
        for algo in algorithms:
            per = [s[algo] for s in got["scores"]]
            peers[algo] = {
                **summary(srows, per, PEER_THRESHOLD),
                "ms_per_query_all_three": round(ms, 2),
                "best_within_limits": best_within_limits(srows, per),
            }
    return peers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="test", choices=("test", "dev", "all"))
    parser.add_argument("--threshold", type=float, default=engine.THRESHOLD)
    parser.add_argument("--peer-sample", type=int, default=60, help="rows per type for peers")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--misses", type=int, default=0, help="print N misses to stderr")
    parser.add_argument("--guidance", type=Path, help="write the threshold guidance here")
    args = parser.parse_args()
    rows = [r for r in eval_rows() if args.split == "all" or r["split"] == args.split]
    # alias_pair rows: every alias_pair alias of both halves out of the index, so a dev row
    # never finds itself; the other rows: the lists as published.
    full = records()
    recs = without_removed(full, eval_rows())
    alias_types(full, rows)
    indexes = {True: build_index(recs), False: build_index(full)}
    groups = by_index(rows)

    def index_for(row: dict[str, Any]) -> engine.ScreeningIndex:
        return indexes[bool(row.get("removed"))]

    floor = 0.5
    started = time.perf_counter()
    search = [vigie_scores(index_for(row), row, floor) for row in rows]
    search_ms = (time.perf_counter() - started) * 1000 / len(rows)
    report: dict[str, Any] = {
        "bench": "screening_quality",
        "eval_set": "screening_eval_v2",
        "split": args.split,
        "queries": len(rows),
        "vigie_search": {
            **summary(rows, search, args.threshold),
            "ms_per_query": round(search_ms, 2),
        },
    }
    if not args.no_batch:
        started = time.perf_counter()
        batched: list[list[Any]] = [[] for _ in rows]
        for removed, positions in groups.items():
            if positions:
                part = run_batch(indexes[removed], [rows[i] for i in positions])
                for i, found in zip(positions, part, strict=True):
                    batched[i] = found
        batch_ms = (time.perf_counter() - started) * 1000 / len(rows)
        batch_scores = [dict(b) for b in batched]
        # search ran with the batch's limit (vigie_scores): its results at the threshold are
        # what a batch row must show, equal scores at the cut included (ranking.cut)
        assert SEARCH_LIMIT == batch.LIMIT
        top = [[(k, round(v, 4)) for k, v in s.items() if v >= args.threshold] for s in search]
        differ = sum(
            1 for a, b in zip(top, batched, strict=True) if sorted(a) != sorted(map(tuple, b))
        )
        report["vigie_batch"] = {
            **summary(rows, batch_scores, args.threshold),
            "ms_per_query": round(batch_ms, 2),
            "rows_differing_from_search": differ,
        }
    for row, sc in [(r, s) for r, s in zip(rows, search, strict=True)][:]:
        if args.misses and not outcome(row, sc, args.threshold):
            args.misses -= 1
            top = sorted(sc.items(), key=lambda kv: -kv[1])[:2]
            cause = why(index_for(row), row, args.threshold) if row["expected"] else ""
            print(row["category"], cause, row["query"], row["expected"], top, file=sys.stderr)

    # Peers on a sample: the same rows for every peer (and Vigie's figures on that sample).
    rng = random.Random(2331)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_cat[row["category"]].append(i)
    sample = sorted(
        i for ids in by_cat.values() for i in rng.sample(ids, min(len(ids), args.peer_sample))
    )
    srows = [rows[i] for i in sample]
    if srows:
        report["peers_on_sample"] = run_sample(recs, full, search, sample, srows, args.threshold)
    keys = ("threshold", "recall", "fp_random", "fp_near_miss")
    curve = [
        {k: c[k] for k in keys} for c in (summary(rows, search, t / 100) for t in range(50, 100))
    ]
    report["curve"] = curve[::5]
    if args.guidance:
        dev = [r for r in eval_rows() if r["split"] == "dev"]
        dev_scores = (
            search if args.split == "dev" else [vigie_scores(index_for(r), r, floor) for r in dev]
        )
        dev_curve = [summary(dev, dev_scores, t / 100) for t in range(50, 100)]
        guidance.write(args.guidance, choose(dev_curve), curve, args.split)
        report["guidance"] = str(args.guidance)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
