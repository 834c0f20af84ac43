"""The snapshot built from case records: exact counts (no double counting), no identifying
field, and the background refresh after writes."""

from __future__ import annotations

import copy
import random
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from vigie.analytics import snapshot
from vigie.analytics.engine import Engine, Query
from vigie.analytics.models import PendingRefresh
from vigie.analytics.store import Store
from vigie.cases import services
from vigie.cases.models import Case, Exploitation, Incident, Perpetrator, RouteLeg, Victim
from vigie.cases.tests.conftest import RECORD
from vigie.core.models import Job
from vigie.testing import SYSTEM, World

SEXES = ["female", "male", "unknown"]
BANDS = ["0-8", "9-17", "18-20", "30-38", ""]
FORMS = ["sexual_exploitation", "forced_labour", "armed_recruitment", "forced_marriage"]


@pytest.fixture
def store(tmp_path: Path, settings: Any) -> Store:
    settings.VIGIE_ANALYTICS_DIR = str(tmp_path / "analytics")
    return Store()


def make_cases(world: World, n: int, seed: int = 1) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        org = world.own if i % 3 else world.other
        case = Case.objects.create(
            organisation=org,
            reference=f"T-{seed}-{i}",
            source_type=rng.choice(["case_management", "hotline"]),
            conflict_situation=rng.choice(["libya", "iraq"]),
            country=rng.choice(["LY", "IQ"]),
            identification_year=rng.choice([2016, 2017]),
        )
        RouteLeg.objects.create(case=case, sequence=1, country="NG", role="origin")
        RouteLeg.objects.create(case=case, sequence=2, country="NE", role="transit")
        RouteLeg.objects.create(case=case, sequence=3, country=case.country, role="destination")
        inc = None
        if rng.random() < 0.3:
            inc = Incident.objects.create(
                case=case,
                forms=[rng.choice(FORMS)],
                count_female_child=rng.randint(0, 20),
                count_male_adult=rng.randint(0, 9),
                total_reported=40,
            )
        for j in range(rng.randint(0, 3)):
            v = Victim.objects.create(
                case=case,
                given_name=f"Secretname{i}x{j}",
                family_name="Zzyzxfamily",
                sex=rng.choice(SEXES),
                age_band_at_identification=rng.choice(BANDS),
                citizenship="NG",
                incident=inc if j == 0 and inc is not None else None,
            )
            Exploitation.objects.create(
                case=case,
                victim=v,
                forms=sorted(set(rng.choices(FORMS, k=2))),
                country=case.country,
            )
        Perpetrator.objects.create(
            case=case, kind="group", perpetrator_type="armed_group", role="recruiter"
        )
        cases.append(case)
    return cases


def expected_by_sex(cases: list[Case]) -> Counter[str]:
    """Independent count: victims without an incident + every incident's total."""
    out: Counter[str] = Counter()
    for case in cases:
        for v in Victim.objects.filter(case=case, incident__isnull=True):
            out[v.sex or "unknown"] += 1
        for inc in Incident.objects.filter(case=case):
            out["female"] += inc.count_female_child
            out["male"] += inc.count_male_adult
            out["unknown"] += max(0, (inc.total_reported or 0) - inc.counted)
    return +out


@pytest.mark.django_db
def test_rebuild_counts_every_person_once(world: World, store: Store) -> None:
    cases = make_cases(world, 25)
    result = snapshot.rebuild(store)
    engine = Engine(store)
    table = engine.typology(Query(("sex",)))
    got = Counter({c[0]: cell.n for c, cell in table.cells.items() if c[0] and cell.n})
    assert got == expected_by_sex(cases)
    assert result["perpetrators"] == 25
    forms = engine.typology(Query(("form",), {"country": ("LY",)}))
    expected_forms: Counter[str] = Counter()
    for case in cases:
        if case.country != "LY":
            continue
        for v in Victim.objects.filter(case=case, incident__isnull=True):
            for f in {f for e in v.exploitations.all() for f in e.forms}:
                expected_forms[f] += 1
        for inc in Incident.objects.filter(case=case):
            total = max(inc.total_reported or 0, inc.counted)
            for f in inc.forms:
                expected_forms[f] += total
    assert {c[0]: x.n for c, x in forms.cells.items() if c[0] and x.n} == +expected_forms
    legs = engine.legs(Query())
    assert legs.cells[("O:NG", "T:NE")].n == sum(expected_by_sex(cases).values())


@pytest.mark.django_db
def test_snapshot_holds_no_identifying_field(world: World, store: Store) -> None:
    make_cases(world, 5)
    snapshot.rebuild(store)
    con = duckdb.connect()
    for part in store.parts("victims") + store.parts("perpetrators"):
        rows = con.sql("SELECT * FROM read_parquet(?)", params=[str(part)]).fetchall()
        text = repr(rows)
        assert "Secretname" not in text and "Zzyzxfamily" not in text and "T-1-" not in text
        columns = [
            d[0] for d in con.sql("SELECT * FROM read_parquet(?)", params=[str(part)]).description
        ]
        assert not {"given_name", "family_name", "date_of_birth", "reference", "name"} & set(
            columns
        )


@pytest.mark.django_db(transaction=False)
def test_writes_refresh_the_snapshot_in_the_background(
    world: World, store: Store, django_capture_on_commit_callbacks: Any
) -> None:
    cases = make_cases(world, 4, seed=9)
    snapshot.rebuild(store)
    engine = Engine(store)
    before = expected_by_sex(cases)
    record = copy.deepcopy(RECORD) | {"reference": "BG-1", "source_record_id": "bg-1"}
    record["victims"] = [{"key": "v1", "sex": "female"}, {"key": "v2", "sex": "male"}]
    for section in ("exploitations", "perpetrators", "referrals"):
        record[section] = []
    with django_capture_on_commit_callbacks(execute=True):
        added = services.save_record(SYSTEM, world.own, record)
    assert Job.objects.filter(kind="analytics.refresh").exists()
    assert not PendingRefresh.objects.exists()
    by_sex = {c[0]: x.n for c, x in engine.typology(Query(("sex",))).cells.items() if c[0] and x.n}
    assert by_sex == before | {
        "female": before.get("female", 0) + 1,
        "male": before.get("male", 0) + 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_case(SYSTEM, added)
    table = engine.typology(Query(("sex",)))
    assert {c[0]: x.n for c, x in table.cells.items() if c[0] and x.n} == before


def test_store_replaces_only_the_changed_cases(tmp_path: Path) -> None:
    from vigie.devtools import analytics_rows

    store = Store(tmp_path)
    rows = analytics_rows.victim_rows(200, seed=2)
    store.replace_all({"victims": analytics_rows.victims_table(rows)}, "t0")
    changed = [r for r in rows if r["case_key"] == rows[0]["case_key"]]
    for r in changed:
        r["sex"] = "male"
    store.upsert("victims", analytics_rows.victims_table(changed[:1]), built_at="t1")
    engine = Engine(store)
    assert engine.count(Query()) == sum(r["weight"] for r in rows) - sum(
        r["weight"] for r in changed[1:]
    )
    store.upsert("victims", analytics_rows.victims_table([]), [rows[5]["case_key"]], "t2")
    assert engine.snapshot_info()["version"] == 3
