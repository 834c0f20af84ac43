"""Identification interview scoring: p95 per submission of the ILO-EC decision rule
(vigie.identification.indicators.score + the stored result dict), over random submissions on
the four lists, against a baseline in the same run: a bare loop that only counts the answers
by strength per element (the least any scoring must do).

``python bench/identification_scoring.py [--submissions 5000] [--seed 1]`` prints one JSON
line. Target: p95 under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from identification_common import p, start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--submissions", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    start()
    from vigie.identification import indicators

    iset = indicators.indicator_set()
    rng = random.Random(args.seed)
    subs = []
    for _ in range(args.submissions):
        code = rng.choice(sorted(iset.lists))
        keys = sorted(iset.lists[code].weights)
        subs.append((code, rng.sample(keys, rng.randint(0, min(25, len(keys))))))
    indicators.score(*subs[0]).as_dict()  # warm-up: the first call pays one-time imports
    timings, bare = [], []
    for code, answers in subs:
        t = time.perf_counter()
        indicators.score(code, answers).as_dict()
        timings.append((time.perf_counter() - t) * 1000)
    for code, answers in subs:
        weights = iset.lists[code].weights
        t = time.perf_counter()
        counts: dict[tuple[str, str], int] = {}
        for key in answers:
            w = weights[key]
            counts[w] = counts.get(w, 0) + 1
        bare.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "bench": "identification_scoring",
                "submissions": len(subs),
                "set": f"{iset.code} v{iset.version}",
                "score_ms": {
                    "p50": p(timings, 50),
                    "p95": p(timings, 95),
                    "max": round(max(timings), 3),
                },
                "baseline_bare_count_ms": {"p50": p(bare, 50), "p95": p(bare, 95)},
                "ratio_p95": round(p(timings, 95) / max(p(bare, 95), 1e-6), 1),
                "target_p95_ms": 5,
            }
        )
    )


if __name__ == "__main__":
    main()
