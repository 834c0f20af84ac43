"""The service directory: search by need, place and eligibility; 4W import and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid
from vigie.identification import directory
from vigie.identification.cli import services as services_cli
from vigie.identification.models import Service
from vigie.testing import World

pytestmark = pytest.mark.django_db

HEADER = (
    "who,org_code,what,service,country,admin1,admin2,start,end,min_age,max_age,sexes,"
    "legal_statuses,nationalities,languages,capacity,contact_phone\n"
)
FILE = HEADER + (
    "Safe House Tripoli,own-org,shelter,Women's shelter,LY,Tripoli,Tajura,2026-01-01,,18,,"
    "female,,,ar en,20,+000 1\n"
    "Safe House Tripoli,own-org,shelter,Women's shelter,LY,Misrata,,2026-01-01,,18,,"
    "female,,,ar en,20,+000 1\n"
    "Child Line,,family_tracing,Tracing,NG,Borno,,,,0,17,,,,en ha,,\n"
    "Legal Aid Iraq,,legal_aid,Counsel,IQ,,,,,,,,refugee asylum_seeker,SY IQ,ar ku,,\n"
)


def _load(
    world: World, tmp_path: Path, text: str = FILE, user: str = "org_admin"
) -> dict[str, int]:
    path = tmp_path / "4w.csv"
    path.write_text(text, encoding="utf-8")
    actor = Actor(world.users[user], world.own.pk)
    return directory.import_services(actor, path)


def test_import_groups_areas_and_search_filters(world: World, tmp_path: Path) -> None:
    assert _load(world, tmp_path) == {"created": 3, "updated": 0, "rows": 4}
    shelter = Service.objects.get(service_type="shelter")
    assert sorted((a.admin1, a.admin2) for a in shelter.areas.all()) == [
        ("Misrata", ""),
        ("Tripoli", "Tajura"),
    ]
    assert shelter.organisation == world.own and shelter.sexes == " female "

    def names(**need: Any) -> list[str]:
        return [s.name for s in directory.search(directory.Need(**need))]

    assert names(
        service_type="shelter",
        country="LY",
        admin1="Tripoli",
        admin2="Tajura",
        age=30,
        sex="female",
    ) == ["Women's shelter"]
    assert names(service_type="shelter", country="LY", sex="male") == []  # women only
    assert names(service_type="shelter", country="LY", age=16) == []  # adults only
    assert names(service_type="shelter", country="LY", admin1="Benghazi") == []  # not served
    assert names(country="NG", admin1="Borno", admin2="Maiduguri", age=12) == [
        "Tracing"
    ]  # whole admin1
    assert names(country="IQ", admin1="Ninewa", legal_status="refugee", nationality="SY") == [
        "Counsel"
    ]
    assert names(country="IQ", legal_status="migrant") == []
    assert names(language="ha") == ["Tracing"]


def test_bad_file_changes_nothing_and_needs_permission(world: World, tmp_path: Path) -> None:
    bad = FILE + "Broken,,no_such_type,X,LY,,,,,,,,,,,,\n"
    with pytest.raises(Invalid) as err:
        _load(world, tmp_path, bad)
    assert err.value.detail == {"line": 6, "column": "what"}
    assert not Service.objects.exists()
    with pytest.raises(Forbidden):
        _load(world, tmp_path, user="field_officer")


def test_export_round_trip_csv_and_xlsx_and_cli(world: World, tmp_path: Path) -> None:
    _load(world, tmp_path)
    for name in ("out.csv", "out.xlsx"):
        out = CliRunner().invoke(services_cli, ["export", str(tmp_path / name)])
        assert out.exit_code == 0, out.output
        assert '"rows": 4' in out.output
    # re-importing the export updates the same services (service_id), creates none
    res = CliRunner().invoke(
        services_cli, ["import", str(tmp_path / "out.xlsx"), "--user", "u-org_admin"]
    )
    assert res.exit_code == 0, res.output
    assert '"created": 0, "updated": 3' in res.output
    assert Service.objects.count() == 3
    denied = CliRunner().invoke(
        services_cli, ["import", str(tmp_path / "out.csv"), "--user", "u-field_officer"]
    )
    assert denied.exit_code == 3


def test_api_search_and_create(world: World, api: Any, tmp_path: Path) -> None:
    _load(world, tmp_path)
    r = api(world.users["analyst"]).get("/api/services/?need=shelter&country=LY&sex=female&age=20")
    assert r.status_code == 200 and [s["name"] for s in r.json()] == ["Women's shelter"]
    assert api(world.users["analyst"]).get("/api/services/?need=nonsense").status_code == 400
    body = {
        "provider_name": "Clinic",
        "service_type": "medical",
        "name": "Clinic",
        "areas": [{"country": "ly", "admin1": "Sabha"}],
    }
    r = api(world.users["org_admin"]).post("/api/services/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["areas"] == [{"country": "LY", "admin1": "Sabha", "admin2": ""}]
    assert (
        api(world.users["field_officer"]).post("/api/services/", body, format="json").status_code
        == 403
    )


def test_an_area_without_a_country_is_a_400(world: World, api: Any) -> None:
    """Found by schemathesis with every role's write token: it was a 500 (KeyError)."""
    body = {"provider_name": "Clinic", "service_type": "medical", "name": "Clinic"}
    for areas in ([{}], [{"admin1": "Sabha"}], [{"country": "LYB"}]):
        r = api(world.users["org_admin"]).post(
            "/api/services/", {**body, "areas": areas}, format="json"
        )
        assert r.status_code == 400, (areas, r.content)


def test_search_page(world: World, web: Any, tmp_path: Path) -> None:
    _load(world, tmp_path)
    page = web(world.users["field_officer"]).get("/services/?need=legal_aid&country=IQ")
    assert page.status_code == 200 and "Counsel" in page.content.decode()
