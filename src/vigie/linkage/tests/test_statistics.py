"""Statistics count persons instead of records on request, and every figure says which."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vigie.analytics import snapshot
from vigie.analytics.engine import Engine, Query
from vigie.analytics.store import Store
from vigie.core.actor import Actor
from vigie.core.models import Organisation
from vigie.linkage import services
from vigie.linkage.models import Membership
from vigie.testing import World


def test_persons_are_counted_once_across_organisations(
    world: World,
    three: dict[str, Organisation],
    linked_cases: list[Any],
    all_seeing: Any,
    api: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.VIGIE_ANALYTICS_DIR = str(tmp_path / "analytics")
    services.run(Actor.system("tests", world.own.pk))
    snapshot.rebuild()
    engine = Engine(Store())
    records = engine.typology(Query((), {}, "victims", None)).cells[()].n
    persons = engine.typology(Query((), {}, "victims", None, "persons")).cells[()].n
    assert records == len(linked_cases)
    assert persons == Membership.objects.values("person").distinct().count() < records
    by_org = engine.typology(Query(("organisation",), {}, "victims", None, "persons"))
    assert sum(c.n for k, c in by_org.cells.items() if k != (None,)) == persons

    client = api(all_seeing)
    for unit in ("records", "persons"):
        body = client.get(f"/api/stats/typology/?by=sex&unit={unit}").json()
        assert any(f"Counted: {unit}" in note for note in body["notes"]), body["notes"]
        routes = client.get(f"/api/stats/routes/?unit={unit}").json()
        assert all(any(f"Counted: {unit}" in n for n in r["notes"]) for r in routes.values())
    bad = client.get("/api/stats/typology/?unit=people")
    assert bad.status_code == 400
