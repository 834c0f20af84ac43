"""A curious analyst of one organisation asking every list for another's rows (issue 15).

Every GET route of the authorization matrix that names no record (lists, searches, pages,
exports started from a page) is probed, so a route added later is probed too. The other
organisation holds one record of every kind the matrix factories make; each role of the own
organisation (up to three that hold the route's permission, and a user holding it here while
administering the other organisation) then asks the route with every organisation-choosing
parameter the code reads (``organisation``, ``org``, ``organisation_id``), record filters
pointing at the other organisation's records (``case``, ``ids``) and a ``q`` search. No
response may carry the id of any of the other organisation's records, nor its marked case
reference; none may be a 5xx.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from vigie.cases.models import Case
from vigie.core.models import Membership, User
from vigie.core.roles import catalogue
from vigie.discovery import app_modules
from vigie.testing import PUBLIC, Endpoint, World

ALL_ENDPOINTS: list[Endpoint] = [e for m in app_modules("tests.matrix") for e in m.ENDPOINTS]
LISTS = [e for e in ALL_ENDPOINTS if e.method == "GET" and e.target is None and not e.kwargs]
MARK = "Mkzqxwvotherorg"  # in the other organisation's case reference and summary
MAX_ROLES = 3
FAKE = {"00000000-0000-4000-8000-000000000000"}  # kwargs of routes whose record is not made


def _other_world(world: World) -> list[str]:
    """Make the other organisation's records (every matrix factory) and return their ids."""
    ids: set[str] = set()
    for endpoint in ALL_ENDPOINTS:
        if endpoint.target is None:
            continue
        for key, value in endpoint.target(world, world.other).items():
            if key not in {"code", "org"} and len(str(value)) >= 12 and str(value) not in FAKE:
                ids.add(str(value))
    Case.objects.create(
        organisation=world.other, reference=f"R-{MARK}", source_type="mrm", summary=MARK
    )
    return sorted(ids)


def _roles(endpoint: Endpoint) -> list[str]:
    roles = catalogue().roles
    anyone = endpoint.perm in (None, PUBLIC)
    out = [
        r
        for r, d in roles.items()
        if d.scope != "system" and (anyone or endpoint.perm in d.permissions)
    ]
    out.sort(key=lambda r: "victim.identity.view" not in roles[r].permissions)
    return out[:MAX_ROLES]


def test_no_list_gives_another_organisations_rows(world: World) -> None:
    """One test for every list (the other organisation's records are made once)."""
    theirs = _other_world(world)
    other_case = Case.objects.filter(organisation=world.other).first()
    assert other_case is not None
    wrong: list[str] = []
    for endpoint in LISTS:
        wrong += _probe(endpoint, world, theirs, str(other_case.uuid))
    assert len(LISTS) > 50  # the matrix was read
    assert not wrong, "\n".join(wrong)


def _probe(endpoint: Endpoint, world: World, theirs: list[str], case_uuid: str) -> list[str]:
    query = {
        "organisation": world.other.code,
        "org": world.other.code,
        "organisation_id": world.other.pk,
        "case": case_uuid,
        "ids": ",".join(theirs[:5]),
        "q": f"R-{MARK}",
        "status": "all",
    }
    url = f"{reverse(endpoint.name)}?{urlencode(query)}"
    asked = {case_uuid, *theirs[:5]}  # an echoed filter value is no leak: not looked for
    wrong: list[str] = []
    askers = {role: world.users[role] for role in _roles(endpoint)}
    admin = catalogue().roles["org_admin"].permissions
    if askers and endpoint.perm not in (None, PUBLIC) and endpoint.perm not in admin:
        # the route's permission here, administering the other organisation: no sum
        askers["two_hats"] = _two_hats(world, next(iter(askers)))
    for role, user in askers.items():
        client = APIClient()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        got = client.get(url)
        if got.status_code >= 500:
            wrong.append(f"{role}: server error {got.status_code}")
            continue
        body = b"".join(got.streaming_content) if got.streaming else got.content
        body = body.replace(f"R-{MARK}".encode(), b"ECHO")  # the search box shows its text
        leaked = [i for i in [*theirs, MARK] if i not in asked and i.encode() in body]
        if leaked:
            wrong.append(f"{role}: {got.status_code} carries {leaked}")
    return [f"{endpoint.id} {url}: {w}" for w in wrong]


def _two_hats(world: World, role: str) -> User:
    user, created = User.objects.get_or_create(username=f"two-hats-{role}")
    if created:
        Membership.objects.create(user=user, organisation=world.own, role=role)
        Membership.objects.create(user=user, organisation=world.other, role="org_admin")
    return user


def test_an_unknown_id_filter_is_no_5xx(world: World) -> None:
    """Malformed filter values (ids that are not ids) are refused or ignored, never a 5xx."""
    client = APIClient()
    client.force_login(world.users["case_manager"], backend=settings.AUTHENTICATION_BACKENDS[0])
    wrong = []
    for endpoint in LISTS:
        if not reverse(endpoint.name).startswith("/api/"):
            continue
        for value in ("zz", "-1", "99999999999999999999999", str(uuid.uuid4()), "1,a,,"):
            query = urlencode({"case": value, "ids": value, "page": value, "organisation": value})
            got = client.get(f"{reverse(endpoint.name)}?{query}")
            if got.status_code >= 500:
                wrong.append(f"{endpoint.id} {value!r}: {got.status_code}")
    assert not wrong, "\n".join(wrong)
