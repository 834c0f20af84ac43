"""The synthetic generator: valid, deterministic, spread over situations; the demo loads."""

from __future__ import annotations

import random
from collections import Counter

from vigie.cases import generate, records
from vigie.cases.models import Case, Incident, Victim


def test_generated_records_are_valid_and_deterministic() -> None:
    first = list(generate.synthetic_records(random.Random(7), 300))
    again = list(generate.synthetic_records(random.Random(7), 300))
    assert first == again
    for record in first:
        problems = records.validate(record, allow_identity=True).problems
        assert not problems, problems
    situations = Counter(r["conflict_situation"] for r in first)
    assert len(situations) >= 10
    assert any(r.get("incidents") for r in first) and any(r.get("victims") for r in first)
    assert all("Demo-" in v["family_name"] for r in first for v in r.get("victims", []))


def test_demo_loads_cases(db: object) -> None:
    from vigie.demo import load

    load(seed=3, records=60, echo=lambda *a: None)
    # the linkage demo adds its own cases of duplicated people (vigie.linkage.demo)
    assert Case.objects.exclude(source_record_id__startswith="src-org-").count() == 60
    assert Victim.objects.exists() and Incident.objects.exists()
    assert Case.objects.values("organisation").distinct().count() >= 4
