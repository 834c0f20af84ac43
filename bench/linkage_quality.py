"""Record linkage quality on the held-out part of the synthetic evaluation set.

Prints one JSON line: precision, recall and F1 of the full (Splink) linkage, of the linkage
of Bloom-filter encodings (Dice), and of an exact-match baseline (same romanised given and
family name and same birth date), all on the same records in the same run. Beside them:
the blocking recall (the share of true pairs that any blocking rule reaches, so that the
model scores them at all), the encoded linkage's candidate recall (the same for the linkage
unit's candidate selection), and the F1 of the persons (the pairs within each group that
vigie.linkage.clustering builds from the links at the threshold, as the service does).
``--split dev`` scores the development part instead (the one used while choosing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")

import django

django.setup()

from vigie.devtools import linkage_eval  # noqa: E402
from vigie.linkage import clustering, encoding, engine, features  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--split", default="heldout", choices=["heldout", "dev"])
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--encoded-threshold", type=float, default=0.7)
    parser.add_argument(
        "--pools",
        default="wide",
        choices=["wide", "narrow"],
        help="names with realistic frequencies (wide) or the second round's few dozen (narrow)",
    )
    args = parser.parse_args()
    recs = [
        r
        for r in linkage_eval.generate(args.people, pools=args.pools)
        if linkage_eval.split_of(r.person) == args.split
    ]
    truth = linkage_eval.true_pairs(recs)
    dicts = [{**r.__dict__, "unique_id": r.record_key} for r in recs]

    t0 = time.monotonic()
    rows = [features.row(d) for d in dicts]
    data = engine.table(rows)
    model = engine.train(data)
    pairs = engine.predict(data, model, floor=0.0)  # every blocked pair
    full = {tuple(sorted((a, b))) for a, b, p, _ in pairs if p >= args.threshold}
    t_full = time.monotonic() - t0
    blocked = {tuple(sorted((a, b))) for a, b, _, _ in pairs}
    groups = clustering.cluster(
        [r["unique_id"] for r in rows], [(a, b, p) for a, b, p, _ in pairs if p >= args.threshold]
    )
    persons = {tuple(sorted((a, b))) for g in groups for a in g for b in g if a < b}

    t0 = time.monotonic()
    secret = b"agreed between the three organisations"
    uploads = {
        org: encoding.encode_all([d for d in dicts if d["org"] == org], secret, "record_key")
        for org in linkage_eval.ORGS
    }
    matched = encoding.match(uploads, threshold=0.0)  # every candidate pair
    encoded = {tuple(sorted((a, b))) for _, a, _, b, p in matched if p >= args.encoded_threshold}
    candidates = {tuple(sorted((a, b))) for _, a, _, b, _ in matched}
    t_enc = time.monotonic() - t0

    by_key: dict[tuple[str, str, str | None], list[str]] = {}
    for r in rows:
        if r["given_rom"] and r["family_rom"] and r["dob"]:
            by_key.setdefault((r["given_rom"], r["family_rom"], r["dob"]), []).append(
                r["unique_id"]
            )
    exact = {
        tuple(sorted((a, b)))
        for ids in by_key.values()
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    }
    out = {
        "bench": "linkage_quality",
        "split": args.split,
        "pools": args.pools,
        "people": len({r.person for r in recs}),
        "records": len(recs),
        "true_pairs": len(truth),
        "threshold": args.threshold,
        "encoded_threshold": args.encoded_threshold,
        "full": {
            **linkage_eval.scores(full, truth),
            "seconds": round(t_full, 2),
            "blocking_recall": round(len(blocked & truth) / len(truth), 4),
            "blocked_pairs": len(blocked),
        },
        "persons": linkage_eval.scores(persons, truth),
        "encoded": {
            **linkage_eval.scores(encoded, truth),
            "seconds": round(t_enc, 2),
            "candidate_recall": round(len(candidates & truth) / len(truth), 4),
            "candidate_pairs": len(candidates),
        },
        "exact_baseline": linkage_eval.scores(exact, truth),
    }
    out["encoded_minus_full_f1"] = round(out["encoded"]["f1"] - out["full"]["f1"], 4)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
