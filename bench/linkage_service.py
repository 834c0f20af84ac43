"""The linkage SERVICE's incremental path end to end: N victims in the database (SQLite,
a fresh data directory), one full run (`vigie link run`), then 1,000 new victims linked by
``services.incremental`` (what the background job does after new cases arrive): reading
the changed cases' records, scoring them against the others, storing the candidates,
rebuilding the persons and the encrypted feature snapshot (ADR 1040).

Baseline in the same run: the previous round's path, which decrypted and prepared every
record again (forced here by removing the snapshot before a second batch of 1,000).
``python bench/linkage_service.py [--records 20000]`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from identification_common import start

NEW = 1000


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def insert(records: list[Any], orgs: dict[str, Any], prefix: str) -> list[int]:
    """Cases with one victim each, in bulk (the case service is not what is measured)."""
    from vigie.cases.models import Case, Victim
    from vigie.linkage.demo import SEX

    cases = Case.objects.bulk_create(
        [
            Case(
                organisation=orgs[r.org],
                reference=f"{prefix}{i:07d}",
                source_type="case_management",
                country="LY",
                identification_year=r.recorded_year,
            )
            for i, r in enumerate(records)
        ],
        batch_size=5000,
    )
    Victim.objects.bulk_create(
        [
            Victim(
                case=c,
                organisation_id=c.organisation_id,
                given_name=r.given_name,
                family_name=r.family_name,
                other_names=r.other_names or None,
                date_of_birth=r.date_of_birth if len(r.date_of_birth) == 10 else None,
                age_at_identification=r.age,
                phone=r.phone or None,
                document_number=r.document or None,
                address=r.place or None,
                sex=SEX[r.sex],
            )
            for c, r in zip(cases, records, strict=True)
        ],
        batch_size=5000,
    )
    return [c.pk for c in cases]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    load_before = os.getloadavg()
    start()
    from vigie.core.actor import Actor
    from vigie.core.models import Organisation
    from vigie.devtools import linkage_eval
    from vigie.linkage import services
    from vigie.linkage.models import FeatureSnapshot, Membership

    orgs = {
        code: Organisation.objects.get_or_create(
            code=f"ls-{code.lower()}", defaults={"name": code}
        )[0]
        for code in ("ORG-A", "ORG-B", "ORG-C")
    }
    recs = linkage_eval.generate(people=int((args.records + 2 * NEW) / 1.7) + 1, seed=7)
    base = recs[: args.records]
    batches = [
        recs[args.records : args.records + NEW],
        recs[args.records + NEW : args.records + 2 * NEW],
    ]
    t0 = time.monotonic()
    insert(base, orgs, "B")
    t_insert = time.monotonic() - t0
    actor = Actor.system("linkage service benchmark", orgs["ORG-A"].pk)
    t0, c0 = time.monotonic(), cpu()
    full = services.run(actor)
    t_full, c_full = time.monotonic() - t0, cpu() - c0
    print(f"full run: {t_full:.1f} s", file=sys.stderr, flush=True)

    def increment(batch: list[Any], prefix: str) -> dict[str, Any]:
        case_ids = insert(batch, orgs, prefix)
        t0, c0 = time.monotonic(), cpu()
        result = services.incremental(actor, case_ids)
        assert result is not None
        return {
            "seconds": round(time.monotonic() - t0, 2),
            "cpu_seconds": round(cpu() - c0, 2),
            "pairs": result.pairs,
        }

    with_snapshot = increment(batches[0], "N")
    print(f"increment (snapshot): {with_snapshot['seconds']} s", file=sys.stderr, flush=True)
    FeatureSnapshot.objects.all().delete()
    every_record = increment(batches[1], "M")
    print(f"increment (every record): {every_record['seconds']} s", file=sys.stderr, flush=True)
    out = {
        "bench": "linkage_service",
        "command": " ".join(["python", *sys.argv]),
        "records": args.records,
        "new_records": NEW,
        "cores": os.cpu_count(),
        "insert_seconds": round(t_insert, 2),
        "full_run": {
            "seconds": round(t_full, 2),
            "cpu_seconds": round(c_full, 2),
            "pairs": full.pairs,
            "persons": full.persons,
        },
        "incremental": with_snapshot,
        "baseline_incremental_reading_every_record": every_record,
        "ratio": round(with_snapshot["seconds"] / every_record["seconds"], 2),
        "ratio_cpu": round(with_snapshot["cpu_seconds"] / every_record["cpu_seconds"], 2),
        "memberships": Membership.objects.count(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
