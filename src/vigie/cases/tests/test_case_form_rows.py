"""The case form's repeated rows: several exploitations, perpetrators and route legs; "Add
another" without JavaScript; removing a row; a failed submit keeps every row as typed."""

from __future__ import annotations

from typing import Any

from vigie.cases.models import Case, Exploitation, Perpetrator, RouteLeg
from vigie.testing import World

BASE = {
    "status": "active",
    "source_type": "hotline",
    "verification_status": "reported",
    "vic-0-sex": "female",
    "vic-0-trafficking_status": "possible",
}


def _rows(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_several_rows_of_each_kind(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    data = {
        **BASE,
        **_rows(
            "exp", [{"forms": ["forced_marriage"], "country": "SY"}, {"forms": ["sexual_slavery"]}]
        ),
        **_rows(
            "perp",
            [
                {"group_code": "isil", "role": "buyer"},
                {"perpetrator_type": "individual", "role": "recruiter"},
            ],
        ),
        **_rows(
            "leg",
            [
                {"country": "IQ", "role": "origin", "latitude": "36.32", "longitude": "41.87"},
                {"country": "SY", "role": "exploitation"},
                {},  # a blank row is ignored
            ],
        ),
    }
    page = client.post("/cases/new/", data)
    assert page.status_code == 302, page.content.decode()[:3000]
    case = Case.objects.get()
    assert sorted(e.forms[0] for e in Exploitation.objects.filter(case=case)) == [
        "forced_marriage",
        "sexual_slavery",
    ]
    assert sorted(p.role for p in Perpetrator.objects.filter(case=case)) == ["buyer", "recruiter"]
    legs = list(RouteLeg.objects.filter(case=case).order_by("sequence"))
    assert [(leg.sequence, leg.country) for leg in legs] == [(1, "IQ"), (2, "SY")]
    assert (legs[0].latitude, legs[0].longitude) == (36.32, 41.87)

    # the edit form shows every row; remove the first leg and add a third perpetrator
    form = client.get(f"/cases/{case.uuid}/edit/").content.decode()
    assert 'name="leg-1-country"' in form and 'name="perp-1-role"' in form
    assert str(legs[1].uuid) in form
    perps = list(Perpetrator.objects.filter(case=case).order_by("id"))
    edit = {
        **BASE,
        **_rows(
            "exp",
            [
                {"uuid": str(e.uuid), "forms": e.forms}
                for e in Exploitation.objects.filter(case=case)
            ],
            2,
        ),
        **_rows(
            "perp",
            [
                *({"uuid": str(p.uuid), "role": p.role, "group_code": p.group_code} for p in perps),
                {"group_name": "Local militia", "role": "transporter"},
            ],
            2,
        ),
        **_rows(
            "leg",
            [
                {"uuid": str(legs[0].uuid), "country": "IQ", "DELETE": "on"},
                {
                    "uuid": str(legs[1].uuid),
                    "country": "SY",
                    "role": "exploitation",
                    "area": "Raqqa",
                },
            ],
            2,
        ),
    }
    edit["vic-0-uuid"] = str(case.victims.get().uuid)  # the person's row, as the form sends it
    assert client.post(f"/cases/{case.uuid}/edit/", edit).status_code == 302
    legs_after = list(RouteLeg.objects.filter(case=case).order_by("sequence"))
    assert [(leg.sequence, leg.country, leg.area) for leg in legs_after] == [(1, "SY", "Raqqa")]
    assert legs_after[0].uuid == legs[1].uuid  # the same row, renumbered
    assert Perpetrator.objects.filter(case=case).count() == 3


def test_add_another_works_without_javascript(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    data = {
        **BASE,
        "source_type": "",  # not filled yet: no error shown on "Add another"
        **_rows("perp", [{"group_name": "Typed before adding"}]),
        "add_row": "perp",
    }
    page = client.post("/cases/new/", data)
    body = page.content.decode()
    assert page.status_code == 200 and Case.objects.count() == 0
    assert 'name="perp-1-role"' in body and 'value="Typed before adding"' in body
    assert 'data-focus="perp-1"' in body
    assert "errorlist" not in body and 'id="form-errors"' not in body


def test_failed_submit_keeps_every_row(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    data = {
        **BASE,
        **_rows("perp", [{"group_name": "First group"}, {"group_name": "Second group"}]),
        **_rows(
            "leg",
            [{"country": "ER", "area": "Asmara"}, {"country": "LY", "latitude": "95"}],
        ),
    }
    page = client.post("/cases/new/", data)
    body = page.content.decode()
    assert page.status_code == 400 and Case.objects.count() == 0
    assert 'value="First group"' in body and 'value="Second group"' in body
    assert 'value="Asmara"' in body and 'value="95"' in body
    assert 'id="id_leg-1-latitude_error"' in body  # the error is on the row's own field


def test_post_without_management_counts_still_reads_the_rows(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    page = client.post("/cases/new/", {**BASE, "leg-0-country": "NG", "leg-1-country": "NE"})
    assert page.status_code == 302
    assert list(RouteLeg.objects.order_by("sequence").values_list("country", flat=True)) == [
        "NG",
        "NE",
    ]
