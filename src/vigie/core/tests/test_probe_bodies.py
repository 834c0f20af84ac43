"""Attacker's probe (issue 15 item 3, ADR 0059): every write route of every app's
authorization matrix, asked by a role that holds its permission on a record of its own
organisation, with the matrix's body where every value is in turn an integer larger than 64
bits, ``nan``, a NUL byte, -1, ``1e309``, 20,000 characters or an object (and the id-like
names the code reads added), is refused (4xx) or accepted, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from vigie.discovery import app_modules
from vigie.testing import Endpoint, World, holder_of

ENDPOINTS: list[Endpoint] = [e for m in app_modules("tests.matrix") for e in m.ENDPOINTS]
WRITES = [e for e in ENDPOINTS if e.method in ("POST", "PUT", "PATCH")]
EXTRA = ("ids", "id", "case", "victim", "node", "account", "record", "threshold", "limit")


def _hostile(data: dict[str, Any], value: Any) -> dict[str, Any]:
    def swap(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v] or [value]
        return value

    out = {k: swap(v) for k, v in data.items()}
    for name in EXTRA:
        out.setdefault(name, [value] if name == "ids" else value)
    return out


@pytest.mark.django_db
@pytest.mark.slow
def test_no_write_route_fails_on_hostile_values(world: World) -> None:
    wrong: list[str] = []
    for endpoint in WRITES:
        user = holder_of(world, endpoint)
        if user is None:
            continue
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.own))
        url = reverse(endpoint.name, kwargs=kwargs)
        api = url.startswith("/api/")
        client = APIClient()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        send = getattr(client, endpoint.method.lower())
        for value in (10**23, "nan", "\x00", -1, "1e309", "x" * 20_000, {"a": 1}):
            if not api and not isinstance(value, str):
                value = str(value)  # a form posts text
            body = _hostile(endpoint.data or {}, value)
            try:
                got = send(url, body, format="json" if api else None)
            except Exception as exc:  # a crash the test client re-raises is a 500
                wrong.append(f"{endpoint.id} {value!r}: {type(exc).__name__}: {exc}"[:300])
                continue
            if got.status_code >= 500:
                wrong.append(f"{endpoint.id} {value!r}: {got.status_code}")
    assert len(WRITES) > 50  # the matrix was read
    assert not wrong, "\n".join(sorted(set(wrong)))
