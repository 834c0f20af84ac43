"""Identity values seen by roles without the identity permission, everywhere (issue 15).

test_identity_leaks follows a marked identity through a fixed list of API reads, exports,
tables and files. These probes walk the routes instead, so a page or endpoint added later
is probed too:

- every GET route of the authorization matrix (web pages and API, lists and the own
  organisation's records, with ``?include=identity`` and a search for the marker), for
  every role that may open it but lacks ``victim.identity.view``, after a case with marked
  victim identities and a marked perpetrator, and an evidence file named with the marker,
  were recorded in its organisation (the matrix's own case of the organisation is that
  case, so each app's pages about a case show it);
- the OpenAPI schema;
- every API write of the matrix, sent by a role that holds its permission with every
  identity field of every model filled with a marked value that is invalid where a format
  is checked: a refusal never echoes the value.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD
from vigie.core.classification import identity_fields
from vigie.core.models import Membership, Organisation, OrganisationShare, User
from vigie.core.roles import catalogue
from vigie.discovery import app_modules
from vigie.testing import PUBLIC, Endpoint, World

MARK = "Mkidprobeqzjwx"
MODELS = ("victim", "perpetrator", "case", "item", "interview", "subject")
FORMATS = ("csv", "xlsx", "json", "htcds", "htcds-csv", "htcds-xlsx", "ctdc", "graphml", "gexf")
ENDPOINTS: list[Endpoint] = [e for m in app_modules("tests.matrix") for e in m.ENDPOINTS]
BACKEND = settings.AUTHENTICATION_BACKENDS[0]
NO_IDENTITY = [
    r
    for r, d in catalogue().roles.items()
    if "victim.identity.view" not in d.permissions and d.scope != "system"
]


def _seed(world: World, api: Any, capture: Any, org: Organisation | None = None) -> Case:
    """A case with marked identities in ``org`` (the own organisation), recorded by a field
    officer there through the API, with an evidence file named with the marker."""
    org = org or world.own
    officer = world.users["field_officer"]
    if org != world.own:
        officer = User.objects.create(username=f"officer-{org.code}")
        Membership.objects.create(user=officer, organisation=org, role="field_officer")
    record = copy.deepcopy(RECORD)
    record.update(reference="IDP-1", source_record_id="idp-1")
    record["victims"][0].update(
        given_name=f"{MARK}given",
        family_name=f"{MARK}family",
        other_names=f"{MARK}alias",
        document_number=f"{MARK}-doc",
        phone=f"+964 {MARK}",
        address=f"{MARK} street",
    )
    record["perpetrators"] = [
        *record["perpetrators"],
        {"kind": "person", "name": f"{MARK} Perp", "role": "recruiter"},
    ]
    with capture(execute=True):
        made = api(officer).post("/api/cases/", record, format="json")
        assert made.status_code == 201, made.content
        photo = SimpleUploadedFile(f"{MARK}.txt", b"probe evidence", "text/plain")
        added = api(officer).post(
            "/api/evidence/items/", {"file": photo, "case_ref": "IDP-1"}, format="multipart"
        )
        assert added.status_code == 201, added.content
    case = Case.objects.get(uuid=made.json()["uuid"])
    for key in ("case", "ident-case", "finance-case"):  # each app's case of the organisation
        world.objects[f"{key}-{org.code}"] = case
    return case


def _roles(endpoint: Endpoint) -> list[str]:
    roles = catalogue().roles
    if endpoint.perm in (None, PUBLIC):  # pages for anyone: the roles that see the most
        return ["panel_expert", "auditor", "analyst", "org_admin"]
    return [r for r in NO_IDENTITY if endpoint.perm in roles[r].permissions]


def _body(response: Any) -> bytes:
    """The response's bytes; a zip (XLSX, bags) with its members inflated."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data += b"".join(zf.read(name) for name in zf.namelist())
    return data


@pytest.mark.django_db
def test_no_page_or_endpoint_shows_an_identity_without_the_permission(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _seed(world, api, django_capture_on_commit_callbacks)
    audit = reverse("core:audit")
    urls: list[tuple[str, list[str]]] = [
        ("/api/schema/", ["analyst"]),
        *[(f"{audit}?log=changes&model={m}", ["org_admin", "auditor"]) for m in ("", "victim")],
        *[(f"/api/audit/changes/?model={m}", ["org_admin", "auditor"]) for m in MODELS],
    ]
    for endpoint in ENDPOINTS:
        if endpoint.method != "GET":
            continue
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.own))
        url = reverse(endpoint.name, kwargs=kwargs)
        reveal = f"include=identity&identities=1&q={MARK}"
        urls.append((f"{url}?{reveal}", _roles(endpoint)))
        if "export" in endpoint.name:  # every format a download offers
            urls += [(f"{url}?{reveal}&format={f}&as={f}", _roles(endpoint)) for f in FORMATS]
    wrong: list[str] = []
    clients: dict[str, APIClient] = {}
    for url, roles in urls:
        for role in roles:
            if role not in clients:
                clients[role] = APIClient()
                clients[role].force_login(world.users[role], backend=BACKEND)
            got = clients[role].get(url)
            if got.status_code >= 500:
                wrong.append(f"{role} {url}: {got.status_code}")
                continue
            body = (
                _body(got)
                .replace(f"q={MARK}".encode(), b"")
                .replace(f'value="{MARK}"'.encode(), b"")
            )
            if MARK.encode() in body:
                wrong.append(f"{role} {url}: {got.status_code} shows the marker")
    assert len(urls) > 100
    assert not wrong, "\n".join(wrong)


def _clients(world: World) -> dict[str, APIClient]:
    out = {}
    for role in NO_IDENTITY:
        out[role] = APIClient()
        out[role].force_login(world.users[role], backend=BACKEND)
    return out


@pytest.mark.django_db
def test_no_search_confirms_a_name(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _seed(world, api, django_capture_on_commit_callbacks)
    _no_search_confirms_a_name(world, _clients(world))


@pytest.mark.django_db
def test_no_action_reveals_an_identity(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _seed(world, api, django_capture_on_commit_callbacks)
    _no_action_reveals_an_identity(world, _clients(world))


def _no_action_reveals_an_identity(world: World, clients: dict[str, APIClient]) -> None:
    """Every POST of the matrix (reveal buttons, decisions, downloads started by a form) by
    the roles without the identity permission that may use it: no identity in the answer."""
    wrong: list[str] = []
    for endpoint in ENDPOINTS:
        if endpoint.method != "POST":
            continue
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.own))
        url = reverse(endpoint.name, kwargs=kwargs)
        for role in _roles(endpoint)[:2]:
            client = clients.get(role)
            if client is None:
                continue
            data = endpoint.data or {}
            got = (
                client.post(url, data, format="json")
                if url.startswith("/api/")
                else client.post(url, data)
            )
            if got.status_code >= 500 or MARK.encode() in _body(got):
                wrong.append(f"{role} POST {url}: {got.status_code}")
    assert not wrong, "\n".join(wrong)


def _normalised(response: Any, *queries: str) -> bytes:
    body = _body(response)
    for q in queries:
        body = body.replace(q.encode(), b"Q")
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)
    body = re.sub(rb'nonce="[^"]*"', b"", body)
    return re.sub(rb"<code>[0-9a-f]{32}</code>", b"", body)


def _no_search_confirms_a_name(world: World, clients: dict[str, APIClient]) -> None:
    """Searching every list for a victim's exact name, document or phone gives the same
    answer as searching for a name nobody has: a role without the identity permission cannot
    learn who is in which case by searching (an existence oracle)."""
    wrong: list[str] = []
    lists = [e for e in ENDPOINTS if e.method == "GET" and e.target is None and not e.kwargs]
    for endpoint in lists:
        url = reverse(endpoint.name)
        roles = _roles(endpoint)
        if not roles:
            continue
        # the role that may see the most records (without identities) of those allowed here
        client = clients[max(roles, key=lambda r: len(catalogue().roles[r].permissions))]
        # a first request may change what the next one shows (a statistics page records
        # what it released, and earlier tests of the process may have left a snapshot):
        # made once, so that the two compared below differ only in what is searched
        client.get(f"{url}?q=Mkzzzzzzzzzzzzwarm")
        for value in (f"{MARK}given", f"{MARK}-doc"):  # ``q``: the one search parameter read
            nobody = "Mkzzzzzzzzzzzz" + value[len(MARK) :]
            a, b = client.get(f"{url}?q={value}"), client.get(f"{url}?q={nobody}")
            if a.status_code != b.status_code or _normalised(a, value) != _normalised(b, nobody):
                wrong.append(f"{url}?q={value}")
    assert not wrong, "a search confirms a name:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_a_share_without_identities_shows_none(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The other organisation shares its cases without identities: the own organisation's
    roles that see identities at home see none of the partner's, on any page or endpoint
    about the partner's records (or any list)."""
    _seed(world, api, django_capture_on_commit_callbacks, world.other)
    OrganisationShare.objects.create(owner=world.other, partner=world.own, scope="case")
    roles = catalogue().roles
    wrong: list[str] = []
    clients: dict[str, APIClient] = {}
    for endpoint in ENDPOINTS:
        if endpoint.method != "GET":
            continue
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.other))
        url = f"{reverse(endpoint.name, kwargs=kwargs)}?include=identity"
        for role in ("field_officer", "case_manager", "investigator"):
            if endpoint.perm not in (None, PUBLIC) and endpoint.perm not in roles[role].permissions:
                continue
            if role not in clients:
                clients[role] = APIClient()
                clients[role].force_login(world.users[role], backend=BACKEND)
            got = clients[role].get(url)
            if got.status_code >= 500 or MARK.encode() in _body(got):
                wrong.append(f"{role} {url}: {got.status_code}")
    assert not wrong, "\n".join(wrong)


def _identity_names() -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        if model.__module__.startswith("vigie."):
            names.update(identity_fields(model))
    return names


def _marked_body(names: set[str]) -> dict[str, Any]:
    """Every identity field name with a marked value that no date, number, e-mail or
    choice accepts, also inside the nested lists the APIs take."""
    value = f"{MARK}-13-45"
    flat = {name: value for name in sorted(names)}
    return {**flat, "victims": [flat], "perpetrators": [flat], "items": [flat], "rows": [flat]}


@pytest.mark.django_db
def test_a_refusal_never_echoes_an_identity_value(world: World) -> None:
    body = _marked_body(_identity_names())
    assert {"given_name", "date_of_birth", "phone"} <= set(body)
    wrong: list[str] = []
    writes = [e for e in ENDPOINTS if e.method in {"POST", "PUT", "PATCH"}]
    for endpoint in writes:
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.own))
        url = reverse(endpoint.name, kwargs=kwargs)
        if not url.startswith("/api/"):
            continue
        for role in _roles_holding(endpoint)[:2]:
            client = APIClient()
            client.force_login(world.users[role], backend=BACKEND)
            data = {**(endpoint.data or {}), **body}
            got = getattr(client, endpoint.method.lower())(url, data, format="json")
            if got.status_code >= 500:
                wrong.append(f"{endpoint.id} {role}: {got.status_code}")
            elif got.status_code >= 400 and MARK.encode() in got.content:
                wrong.append(
                    f"{endpoint.id} {role}: {got.status_code} echoes {got.content[:300]!r}"
                )
    assert not wrong, "\n".join(wrong)


def _roles_holding(endpoint: Endpoint) -> list[str]:
    roles = catalogue().roles
    return [
        r
        for r, d in roles.items()
        if endpoint.perm in (None, PUBLIC) or endpoint.perm in d.permissions
    ]
