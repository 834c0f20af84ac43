"""The case page's route: map data (ISO numeric ids the world map uses, coordinates when
recorded), the text list beside it, offline assets, and the empty state."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from django.contrib.staticfiles import finders

from vigie.cases.tests.conftest import RECORD
from vigie.cases.views import route_points
from vigie.testing import World


def _points(body: str) -> list[dict[str, Any]]:
    found = re.search(r'<script id="route-points" type="application/json">(.*?)</script>', body)
    assert found, "the route data block is missing"
    return json.loads(found.group(1))


def test_route_points_use_coordinates_else_the_country() -> None:
    legs = [
        {"country": "ER", "country_l": "Eritrea", "area": "", "role_l": "Origin"},
        {
            "country": "LY",
            "country_l": "Libya",
            "area": "Sabha",
            "latitude": 27.03,
            "longitude": 14.43,
        },
        {"country": "IT", "country_l": "Italy", "latitude": 37.5, "longitude": None},
    ]
    points = route_points(legs)
    assert [p["n"] for p in points] == [1, 2, 3]
    assert points[0]["numeric"] == "232" and points[0]["lat"] is None
    assert (points[1]["lat"], points[1]["lon"]) == (27.03, 14.43)
    assert points[1]["label"] == "Libya, Sabha"
    assert points[2]["lat"] is None  # half a coordinate is no coordinate: the country's centre


def test_case_page_draws_the_route_offline(web: Any, world: World, api: Any) -> None:
    record = copy.deepcopy(RECORD)
    record["route"][1].update({"latitude": 35.95, "longitude": 39.01})
    uuid = (
        api(world.users["case_manager"]).post("/api/cases/", record, format="json").json()["uuid"]
    )
    body = web(world.users["case_manager"]).get(f"/cases/{uuid}/").content.decode()
    points = _points(body)
    assert [(p["n"], p["numeric"]) for p in points] == [(1, "368"), (2, "760"), (3, "368")]
    assert (points[1]["lat"], points[1]["lon"]) == (35.95, 39.01)
    # the text alternative lists every leg in order, with its role
    legs = re.search(r'<ol class="route-legs".*?</ol>', body, re.S)
    assert legs is not None
    text = legs.group(0)
    assert text.index("Sinjar") < text.index("Raqqa") < text.index("Mosul")
    assert "35.95, 39.01<" in text
    # assets are Vigie's own static files: no other host, no inline script
    for src in re.findall(r'<script src="([^"]+)"', body):
        assert src.startswith("/static/"), src
    for asset in (
        "analytics/vendor/countries-110m.json",
        "analytics/vendor/topojson-client.min.js",
        "vigie/js/worldmap.js",
        "cases/route-map.js",
    ):
        assert finders.find(asset), asset
        assert f"/static/{asset}" in body


def test_case_without_route_has_an_empty_state(web: Any, world: World, api: Any) -> None:
    record = copy.deepcopy(RECORD)
    record["route"] = []
    uuid = (
        api(world.users["case_manager"]).post("/api/cases/", record, format="json").json()["uuid"]
    )
    client = web(world.users["case_manager"])
    body = client.get(f"/cases/{uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No route recorded for this case." in body
    assert f"/cases/{uuid}/edit/#step-route" in body
    assert 'id="route-points"' not in body and "route-map.js" not in body
    french = client.get(f"/cases/{uuid}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucun itinéraire enregistré pour ce dossier." in french
    french = client.get(f"/cases/{uuid}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucun itinéraire enregistré pour ce dossier." in french
