"""The command line and the Consolidated List XML: create, export, read back with the list
parser that screening uses, and the bytes checked for a victim's identity."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases.models import Case
from vigie.core.models import AccessLogEntry
from vigie.dossiers.cli import dossier
from vigie.dossiers.tests.test_api import build
from vigie.screening.parsers import parse
from vigie.screening.parsers.base import ORGANIZATION, PERSON
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _run(*args: str) -> Any:
    result = CliRunner().invoke(dossier, list(args), catch_exceptions=False)
    return result


def test_xml_round_trips_through_the_consolidated_list_parser(
    api: Any, world: World, cases: list[Case], tmp_path: Path, marker: str
) -> None:
    d = build(api, world, cases)
    out = tmp_path / "entry.xml"
    result = _run(
        "export", d["uuid"], "--format", "xml", "--user", "u-panel_expert", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert marker.encode() not in out.read_bytes()
    parsed = parse(out, "un")
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.schema == PERSON
    assert entry.caption == "Orlan Vesk Tamarind"
    assert entry.reference.startswith("LYi.DOS-")
    assert entry.regime == "Libya"
    names = {(n["name"], n["kind"], n["quality"]) for n in entry.names}
    assert ("أورلان فيسك", "original_script", "good") in names
    assert ("Abu Vesk", "alias", "low") in names
    assert entry.birth_dates == ["1979"]
    assert entry.nationalities == ["Eritrea"]
    assert entry.documents[0]["number"] == "P0000123"
    assert entry.documents[0]["country"] == "Eritrea"
    assert entry.comments == "Leads a synthetic smuggling and trafficking network."
    assert entry.extra["gender"] == "Male"
    assert AccessLogEntry.objects.filter(
        action="export", object_type="dossiers.dossier", object_id=d["uuid"]
    ).exists()


def test_entity_round_trips(world: World, tmp_path: Path) -> None:
    result = _run(
        "create", "--regime", "1533", "--kind", "entity", "--name",
        "Synthetic Transport Cooperative",
        "--narrative", "Moves abducted children.", "--user", "u-panel_expert",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    reference = result.output.split()[0]
    out = tmp_path / "e.xml"
    result = _run(
        "export", reference, "--format", "xml", "--user", "u-panel_expert", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    entry = parse(out, "un").entries[0]
    assert entry.schema == ORGANIZATION
    assert entry.caption == "Synthetic Transport Cooperative"
    assert entry.reference.startswith("CDe.")
    assert entry.regime == "DRC"


def test_cli_refuses_without_permission(world: World, tmp_path: Path) -> None:
    result = _run("create", "--regime", "1970", "--name", "X", "--user", "u-sanctions_analyst")
    assert result.exit_code == 3
    result = _run("create", "--regime", "9999", "--name", "X", "--user", "u-panel_expert")
    assert result.exit_code == 2
    _run("create", "--regime", "1970", "--name", "Listed Later", "--user", "u-panel_expert")
    listed = _run("list", "--user", "u-sanctions_analyst", "--json")
    assert "Listed Later" in listed.output
    denied = _run("list", "--user", "u-field_officer", "--json")
    assert "Listed Later" not in denied.output


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.split())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES, alias=NAMES)
def test_any_name_round_trips_through_the_xml(world: World, name: str, alias: str) -> None:
    """Whatever the script and punctuation (&, <, quotes, right-to-left marks...), the list
    parser reads back the name the dossier holds, and an alias unless it holds the separator
    the list format reserves (refused with a clear error)."""
    from vigie.core.actor import Actor
    from vigie.dossiers import exports, services
    from vigie.dossiers.models import Dossier
    from vigie.dossiers.services import DossierError

    expert = Actor(world.users["panel_expert"], world.own.pk)
    d = services.create_dossier(expert, kind="individual", regime="2206", primary_name=name)
    try:
        services.add_alias(expert, d, alias, kind="alias")
        kept = True
    except DossierError as exc:
        assert exc.code == "name_separator" and ";" in alias
        kept = False
    d = Dossier.objects.get(pk=d.pk)
    path = Path(tempfile.mkdtemp()) / "x.xml"
    path.write_bytes(exports.render_xml(d))
    entry = parse(path, "un").entries[0]
    assert entry.caption == " ".join(name.split())
    if kept:
        assert " ".join(alias.split()) in {n["name"] for n in entry.names}
