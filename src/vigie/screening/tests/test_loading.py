"""Loading versions: the diff between the two real UN snapshots, history, atomic refusal,
through the service and the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.cli import _add_app_commands, cli
from vigie.core.models import AccessLogEntry
from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening import services
from vigie.screening.models import EntryChange, ListEntry, ListVersion
from vigie.screening.parsers import ListFormatError
from vigie.screening.tests.factories import SAMPLE, un_individual, un_xml, write
from vigie.testing import World

UN = SHARED_DATA / "un-sanctions"


def _run(*args: str) -> Any:
    _add_app_commands()
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.shared_data
@pytest.mark.django_db
def test_two_real_un_snapshots_diff_by_reference() -> None:
    first = services.load_list(UN / "UN_consolidated_2020-11-30.xml")
    assert first.version.number == 1 and len(first.added) == 1018
    second = services.load_list(UN / "UN_consolidated_2025-04-19.xml")
    v2 = second.version
    assert v2.number == 2 and v2.status == "active"
    first.version.refresh_from_db()
    assert first.version.status == "superseded"
    assert (v2.added, v2.removed) == (len(second.added), len(second.removed))
    # every 2020 reference is still in the 2025 list, removed, or there was none
    assert ListEntry.objects.filter(is_active=True).count() == 877
    assert ListEntry.objects.count() == 1018 + v2.added
    assert v2.added > 0 and v2.removed > 0 and v2.amended > 0
    removed = EntryChange.objects.filter(version=v2, kind="removed").first()
    assert removed is not None and removed.before and not removed.entry.is_active
    amended = EntryChange.objects.filter(version=v2, kind="amended").first()
    assert amended is not None and amended.fields and amended.before != amended.entry.data
    # the Libya trafficking designations are there in both
    assert ListEntry.objects.get(reference="LYi.021").is_active


@pytest.mark.shared_data
@pytest.mark.django_db
def test_same_file_twice_is_not_a_new_version() -> None:
    path = UN / "UN_consolidated_2025-04-19.xml"
    services.load_list(path)
    again = services.load_list(path)
    assert again.unchanged_file and ListVersion.objects.count() == 1


@pytest.mark.django_db
def test_bad_file_leaves_the_version_in_force(tmp_path: Path) -> None:
    good = write(tmp_path, "good.xml", un_xml(SAMPLE))
    services.load_list(good)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes()[:-60])
    with pytest.raises(ListFormatError, match=r"bad\.xml, line"):
        services.load_list(bad)
    assert ListVersion.objects.get().number == 1
    assert ListEntry.objects.filter(is_active=True).count() == 2


@pytest.mark.django_db
def test_re_added_entry_counts_as_added(tmp_path: Path) -> None:
    services.load_list(write(tmp_path, "a.xml", un_xml(SAMPLE)))
    services.load_list(write(tmp_path, "b.xml", un_xml(SAMPLE[:1])))
    third = services.load_list(
        write(tmp_path, "c.xml", un_xml([*SAMPLE, un_individual("LYi.903", "Nuevo")]))
    )
    assert sorted(third.added) == ["LYi.902", "LYi.903"]


@pytest.mark.django_db
def test_cli_load_show_and_refusal(tmp_path: Path) -> None:
    res = _run(
        "lists", "load", str(write(tmp_path, "l.xml", un_xml(SAMPLE))), "--json", "--as-system"
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["ok"] and body["watchlist"] == "un-sc" and body["added"] == 2
    bad = write(tmp_path, "trunc.xml", un_xml(SAMPLE)[:300])
    res = _run("lists", "load", str(bad), "--json", "--as-system")
    assert res.exit_code == 1
    assert json.loads(res.output)["error"].startswith("trunc.xml, line")
    res = _run("lists", "show", "--json")
    assert [r["version"] for r in json.loads(res.output)] == [1]


@pytest.mark.django_db
def test_cli_screen_name_and_batch(tmp_path: Path) -> None:
    _run("lists", "load", str(write(tmp_path, "l.xml", un_xml(SAMPLE))), "--as-system")
    res = _run("screen", "Ermias Gebray", "--json")
    matches = json.loads(res.output)["matches"]
    assert matches[0]["reference"] == "LYi.901"
    batch = write(
        tmp_path,
        "b.csv",
        "id,name,schema,birth_date,country\nS1,Ermias Gebray,Person,1980-04-15,ER\n"
        "S2,Zzyzx Quorlby,Person,,\nS3,محمد عبد القادر,,,\n",
    )
    res = _run("screen", "--batch", str(batch), "--json")
    rows = json.loads(res.output)
    assert [r["id"] for r in rows] == ["S1", "S2", "S3"]
    assert rows[0]["matches"][0]["reference"] == "LYi.901"
    assert "same date of birth" in " ".join(rows[0]["matches"][0]["explanation"]["reasons"])
    assert rows[1]["matches"] == []
    assert rows[2]["matches"][0]["reference"] == "LYi.902"


def test_cli_load_says_who_acts_and_is_audited(world: World, tmp_path: Path) -> None:
    path = str(write(tmp_path, "l.xml", un_xml(SAMPLE)))
    _add_app_commands()
    refused = CliRunner().invoke(cli, ["lists", "load", path])
    assert refused.exit_code != 0 and "--as-system" in refused.output
    res = _run("lists", "load", path, "--json", "--user", world.users["screening_officer"].username)
    assert res.exit_code == 0, res.output
    version = ListVersion.objects.get()
    assert version.loaded_by == world.users["screening_officer"]
    assert AccessLogEntry.objects.filter(action="command", object_id="lists load").exists()
    other = CliRunner().invoke(
        cli, ["lists", "load", path, "--user", world.users["investigator"].username]
    )
    assert other.exit_code != 0  # an investigator does not manage lists
