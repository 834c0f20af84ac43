"""Attacker's probe (issue 15 item 3, ADR 0059): malformed query parameters on every GET
route of every app's authorization matrix — numbers that are not finite, too large for a
database integer, dates that do not exist, bad cursors, NUL bytes, very long texts — are
refused (4xx) or ignored, never a 5xx.

Every parameter name the code reads (and the usual paging and filtering names) is sent at
once with each hostile value, then each name the code reads alone with the values most
likely to reach a conversion (``nan``, an integer over 64 bits), by a role that holds the
route's permission, on a record of its own organisation."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from vigie.discovery import app_modules
from vigie.testing import Endpoint, World, holder_of

ENDPOINTS: list[Endpoint] = [e for m in app_modules("tests.matrix") for e in m.ENDPOINTS]
GETS = [e for e in ENDPOINTS if e.method == "GET"]
NAMES = [
    "page",
    "page_size",
    "limit",
    "offset",
    "cursor",
    "after",
    "before",
    "threshold",
    "min_score",
    "score",
    "k",
    "epsilon",
    "depth",
    "days",
    "since",
    "until",
    "date",
    "date_from",
    "date_to",
    "from",
    "to",
    "year",
    "first",
    "second",
    "node",
    "hit",
    "batch",
    "run",
    "rule",
    "status",
    "kind",
    "ordering",
    "sort",
    "size",
    "max_age",
    "min_age",
    "case",
    "ids",
    "organisation",
    "org",
    "format",
    "as",
    "lang",
    "q",
    "unread",
    "overdue",
    "include",
    "identities",
    "log",
    "model",
    "panel",
    "profile",
    "output",
    "file",
    "case_ref",
    "perpetrator",
    "victim",
    "partial",
    "explanation",
    "rules",
    "reason",
    "top",
    "n",
    "bins",
]
HOSTILE = (
    "nan", "inf", "-inf", "1e309", "-1", "0", "99999999999999999999999",
    "99999999999999999999999_1", "1_1_1", "2026-13-45", "9999-12-31T99:99", "\x00",
    "%", "[]", "{}", "x" * 3000,
)  # fmt: skip
ALONE = ("nan", "99999999999999999999999")
READ = [
    "source",
    "target",
    "fmt",
    "page",
    "limit",
    "cursor",
    "after",
    "threshold",
    "min_score",
    "k",
    "epsilon",
    "depth",
    "days",
    "since",
    "until",
    "date_from",
    "date_to",
    "first",
    "second",
    "node",
    "hit",
    "batch",
    "run",
    "rule",
    "status",
    "kind",
    "case",
    "ids",
    "organisation",
    "org",
    "format",
    "as",
    "lang",
    "unread",
    "overdue",
    "include",
    "log",
    "model",
]  # the names views and serializers read: each alone, in case another is refused first


@pytest.mark.django_db
@pytest.mark.slow
def test_no_get_route_fails_on_a_malformed_parameter(world: World) -> None:
    wrong: list[str] = []
    clients: dict[int, APIClient] = {}
    for endpoint in GETS:
        user = holder_of(world, endpoint)
        if user is None:
            continue
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.own))
        base = reverse(endpoint.name, kwargs=kwargs)
        if user.pk not in clients:
            clients[user.pk] = APIClient()
            clients[user.pk].force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        client = clients[user.pk]
        queries = [dict.fromkeys(NAMES, v) for v in HOSTILE]
        if base.startswith("/api/") or endpoint.target is None:
            queries += [{name: v} for name in READ for v in ALONE]
        for query in queries:
            url = f"{base}?{urlencode(query)}"
            try:
                got = client.get(url)
            except Exception as exc:  # a crash the test client re-raises is a 500
                wrong.append(f"{endpoint.id} {_short(query)}: {type(exc).__name__}: {exc}")
                continue
            if got.status_code >= 500:
                wrong.append(f"{endpoint.id} {_short(query)}: {got.status_code}")
    assert len(GETS) > 100  # the matrix was read
    assert not wrong, "\n".join(sorted(set(wrong)))


def _short(query: dict[str, str]) -> str:
    if len(query) == 1:
        return urlencode(query)[:60]
    return f"all={next(iter(query.values()))[:30]!r}"
