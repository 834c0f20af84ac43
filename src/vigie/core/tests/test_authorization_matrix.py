"""Every role x every Vigie endpoint x own / other organisation: allowed or denied.

Each app lists its endpoints in ``<app>/tests/matrix.py``; a route missing from every list
fails ``test_every_route_is_in_the_matrix``, so new routes cannot skip this test.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from vigie.core.roles import catalogue
from vigie.discovery import app_modules
from vigie.testing import PUBLIC, Endpoint, World, expected_allowed, vigie_route_names

ENDPOINTS: list[Endpoint] = [e for m in app_modules("tests.matrix") for e in m.ENDPOINTS]
ROLES = list(catalogue().roles)
DENIED = {401, 403, 404}


def _call(client: APIClient, endpoint: Endpoint, url: str) -> Any:
    method = getattr(client, endpoint.method.lower())
    if endpoint.method in {"POST", "PUT", "PATCH"}:
        path_is_api = url.startswith("/api/")
        return method(url, endpoint.data or {}, format="json" if path_is_api else None)
    return method(url)


def _url(endpoint: Endpoint, world: World, side: str) -> str:
    kwargs = dict(endpoint.kwargs)
    if endpoint.target is not None:
        kwargs.update(endpoint.target(world, world.own if side == "own" else world.other))
    return reverse(endpoint.name, kwargs=kwargs)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_matrix(endpoint: Endpoint, world: World) -> None:
    sides = ["own", "other"] if endpoint.target is not None else ["own"]
    wrong: list[str] = []
    for side in sides:
        url = _url(endpoint, world, side)
        anonymous = _call(APIClient(), endpoint, url)
        if endpoint.perm == PUBLIC:
            if anonymous.status_code in DENIED:
                wrong.append(f"anonymous {side}: {anonymous.status_code}, expected allowed")
        else:
            to_login = anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
            if not (to_login or anonymous.status_code in {401, 403}):
                wrong.append(f"anonymous {side}: {anonymous.status_code}, expected denied")
        for role in ROLES:
            client = APIClient()
            client.force_login(world.users[role], backend=settings.AUTHENTICATION_BACKENDS[0])
            status = _call(client, endpoint, url).status_code
            allowed = expected_allowed(world, role, endpoint, side)
            if status >= 500:
                wrong.append(f"{role} {side}: server error {status}")
            elif allowed and status in {401, 403}:
                wrong.append(f"{role} {side}: {status}, expected allowed")
            elif not allowed and status not in DENIED:
                wrong.append(f"{role} {side}: {status}, expected denied")
    assert not wrong, f"{endpoint.id}:\n  " + "\n  ".join(wrong)


def test_every_route_is_in_the_matrix() -> None:
    covered = {e.name for e in ENDPOINTS}
    missing = sorted(set(vigie_route_names()) - covered)
    assert not missing, f"routes missing from every app's tests/matrix.py: {missing}"
