"""The synthetic generator: valid, deterministic, spread over situations; the demo loads."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from vigie.cases import records
from vigie.cases.models import Case, Incident, Victim
from vigie.devtools import case_records


def test_generated_records_are_valid_and_deterministic() -> None:
    first = list(case_records.synthetic_records(random.Random(7), 300))
    again = list(case_records.synthetic_records(random.Random(7), 300))
    assert first == again
    for record in first:
        problems = records.validate(record, allow_identity=True).problems
        assert not problems, problems
    situations = Counter(r["conflict_situation"] for r in first)
    assert len(situations) >= 10
    assert any(r.get("incidents") for r in first) and any(r.get("victims") for r in first)
    assert all("Demo-" in v["family_name"] for r in first for v in r.get("victims", []))


@pytest.mark.slow
def test_demo_loads_cases(db: object) -> None:
    from vigie.demo import load

    load(seed=3, records=60, echo=lambda *a: None)
    # the linkage demo adds its own cases of duplicated people (vigie.linkage.demo)
    # the generator's records (the linkage and network demos add their own few cases)
    assert Case.objects.filter(reference__regex=r"^DEMO-[0-9]{6}$").count() == 60
    assert Victim.objects.exists() and Incident.objects.exists()
    assert Case.objects.values("organisation").distinct().count() >= 4


def test_generated_records_are_plausible() -> None:
    """What a trafficking expert checks first: ages match the forms of exploitation, incidents
    reported as counts do not outweigh individual cases, summaries in the owner's language."""
    rs = list(case_records.synthetic_records(random.Random(11), 2000, ["en", "fr", "ar"]))
    child_only = {"child_labour", "child_recruitment_combat", "child_recruitment_support"}
    for r in rs:
        for v in r.get("victims", []):
            forms = {f for e in r["exploitations"] for f in e["forms"]}
            if v["age_at_identification"] >= 18:
                assert not forms & child_only, (v["age_at_identification"], forms)
    individuals = sum(len(r.get("victims", [])) for r in rs)
    counted = sum(i["total_reported"] for r in rs for i in r.get("incidents", []))
    assert 0 < counted < 0.15 * individuals
    # the most frequent form over persons is not an incident-only form
    by_form: Counter[str] = Counter()
    for r in rs:
        weight = sum(i["total_reported"] for i in r.get("incidents", [])) or 1
        for f in {f for e in r["exploitations"] for f in e["forms"]}:
            by_form[f] += weight
    assert by_form.most_common(1)[0][0] not in {"suicide_attack", "human_shield"}
    assert rs[0]["summary"].startswith("Synthetic demonstration record")
    assert rs[1]["summary"].startswith("Dossier de démonstration synthétique")
    assert rs[2]["summary"].startswith("سجل توضيحي اصطناعي")
