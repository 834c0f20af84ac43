"""Debarment lists load beside the sanctions lists: CSV (development banks' headers, stable
references without identifiers) and FollowTheMoney JSON lines; their hits reach the queue."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from vigie.core.actor import Actor
from vigie.screening.cli import lists
from vigie.screening.models import ListEntry, Watchlist
from vigie.screening.parsers import parse
from vigie.suppliers import services
from vigie.suppliers.models import Alert
from vigie.testing import World

FIXTURES = Path(__file__).parent / "fixtures"


def test_csv_debarment_references_are_stable(tmp_path: Path, db: Any) -> None:
    parsed = parse(FIXTURES / "debarred-firms.csv", "debarment")
    assert parsed.source == "debarment" and len(parsed.entries) == 3
    person = next(e for e in parsed.entries if e.caption == "Amadou Synthetique")
    assert person.schema == "Person" and person.regime == "Corrupt practice"
    assert person.listed_on == "2025-01-01"
    out = CliRunner().invoke(
        lists,
        [
            "load",
            str(FIXTURES / "debarred-firms.csv"),
            "--source",
            "debarment",
            "--json",
            "--as-system",
        ],
    )
    assert out.exit_code == 0, out.output
    first = json.loads(out.output)
    assert first["entries"] == 3
    # the next publication lists the same firms in another order: nothing added or removed
    lines = (FIXTURES / "debarred-firms.csv").read_text().splitlines()
    again = tmp_path / "debarred-firms.csv"
    again.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    out = CliRunner().invoke(
        lists, ["load", str(again), "--source", "debarment", "--json", "--as-system"]
    )
    result = json.loads(out.output)
    assert (result["added"], result["removed"], result["amended"]) == (0, 0, 0)
    assert Watchlist.objects.get().source == "debarment"


def test_ftm_debarment_hits_reach_the_queue(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_supplier(
            actor,
            world.own,
            services.SupplierData(
                reference="FTM-1",
                name="Imaginary Cocoa Traders SA",
                country="CI",
                parties=[services.PartyData("Nadia Fictive", "director")],
            ),
        )
    path = tmp_path / "debarred.ftm.json"
    shutil.copy(FIXTURES / "debarred.ftm.jsonl", path)
    with django_capture_on_commit_callbacks(execute=True):
        out = CliRunner().invoke(
            lists, ["load", str(path), "--code", "syn-debarment", "--json", "--as-system"]
        )
    assert out.exit_code == 0, out.output
    entry = ListEntry.objects.get(reference="syn-db-1")
    assert "debarment" in entry.regime.lower()
    alerts = Alert.objects.order_by("entry_reference")
    assert [(a.entry_reference, a.change, a.party is None) for a in alerts] == [
        ("syn-db-1", "new", True),
        ("syn-db-2", "new", False),
    ]
