"""Consent to "use in statistics" is enforced: a refusal or withdrawal takes the person out of
the statistics snapshot (through the same change event the case writers send); never asked
means counted (ADR 0702)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.analytics import snapshot
from vigie.analytics.engine import Engine, Query
from vigie.analytics.store import Store
from vigie.cases.models import Case, Victim
from vigie.core.actor import Actor
from vigie.identification import services
from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(tmp_path: Path, settings: Any) -> Store:
    settings.VIGIE_ANALYTICS_DIR = str(tmp_path / "analytics")
    return Store()


def by_sex(store: Store) -> dict[str, int]:
    table = Engine(store).typology(Query(("sex",)))
    return {c[0]: x.n for c, x in table.cells.items() if c[0] and x.n}


def test_refused_and_withdrawn_statistics_consent_leave_the_snapshot(
    world: World, case: Case, officer: Actor, store: Store, django_capture_on_commit_callbacks: Any
) -> None:
    Victim.objects.create(case=case, sex="male", age_at_identification=30)
    snapshot.rebuild(store)
    assert by_sex(store) == {"female": 1, "male": 1}  # never asked: counted
    with django_capture_on_commit_callbacks(execute=True):
        services.record_consent(officer, case, "statistics", "refused")
    assert by_sex(store) == {}  # the background refresh ran after the event
    with django_capture_on_commit_callbacks(execute=True):
        services.record_consent(officer, case, "statistics", "given")
    assert by_sex(store) == {"female": 1, "male": 1}
    with django_capture_on_commit_callbacks(execute=True):
        services.record_consent(officer, case, "statistics", "withdrawn")
    assert by_sex(store) == {}
    # a full rebuild obeys it too, not only the refresh
    snapshot.rebuild(store)
    assert by_sex(store) == {}


def test_one_victims_refusal_removes_only_that_victim(
    world: World, case: Case, officer: Actor, store: Store
) -> None:
    other = Victim.objects.create(case=case, sex="male", age_at_identification=30)
    services.record_consent(officer, case, "statistics", "refused", victim=other)
    services.record_consent(officer, case, "referral", "refused")  # another purpose: no effect
    snapshot.rebuild(store)
    assert by_sex(store) == {"female": 1}
