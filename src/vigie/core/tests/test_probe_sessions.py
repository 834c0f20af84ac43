"""Token, session and organisation-choice abuse by an insider (issue 15).

- another person's job (an import, a screening batch and its download, an evidence export,
  a financial import): refused to a colleague with the same role, to every role of another
  organisation, and to a user who administers the job's organisation while holding the
  app's permission only in another organisation (two grants must not add up);
- a token after its owner's grant is withdrawn, after a password change; a read-only token
  writing; a token on web pages; a token that tries to create tokens or revoke another's;
- every way a request names the organisation it acts for (``organisation``, ``org``) pointed
  at an organisation where the user lacks the permission; a user with grants in two
  organisations sees each one's records only through that organisation's grant;
- every web form and API write posted with a session and no CSRF token.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from vigie.cases import services as case_services
from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD
from vigie.core import tokens
from vigie.core.actor import Actor
from vigie.core.models import Job, Membership, Organisation, User
from vigie.core.roles import catalogue
from vigie.discovery import app_modules
from vigie.testing import PUBLIC, World

DENIED = {401, 403, 404}
MARK = "Mkprobesessnqj"
BACKEND = settings.AUTHENTICATION_BACKENDS[0]

# route name -> (job kind, permission the route needs, result stored by the job)
JOB_ROUTES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "cases:import-status": ("cases.import", "case.import", {"rows": 1, "rejected": 0}),
    "screening:job": ("screening.batch", "screening.run", {"results": "x-results.csv"}),
    "screening:job-download": ("screening.batch", "screening.run", {"results": "x-results.csv"}),
    "screening:batch-hits": ("screening.batch", "screening.run", {"results": "x-results.csv"}),
    "evidence:export-job": ("evidence.export", "evidence.export", {}),
    "evidence:export-download": ("evidence.export", "evidence.export", {}),
    "evidence-api:export-download": ("evidence.export", "evidence.export", {}),
    "finance:job": ("finance.import", "finance.view", {}),
}


def _login(user: User, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user, backend=BACKEND)
    return client


def _user(name: str, org: Organisation, *roles: str) -> User:
    user = User.objects.create(username=name)
    for role in roles:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def _job(org: Organisation, kind: str, result: dict[str, Any], by: User) -> Job:
    """A finished job of ``kind``; a screening batch's results file holds the marker."""
    params = {"path": "/nonexistent/upload.json", "format": "htcds", "partial": False}
    job = Job.objects.create(
        kind=kind, organisation=org, created_by=by, status="succeeded", params=params
    )
    if "results" in result:
        from vigie.screening.tasks import batch_dir

        result = {**result, "results": f"{job.pk}-results.csv"}
        batch_dir().mkdir(parents=True, exist_ok=True)
        (batch_dir() / result["results"]).write_text(f"name\n{MARK}\n")
    Job.objects.filter(pk=job.pk).update(result={**result, "note": MARK})
    return job


def _holders(perm: str) -> list[str]:
    roles = catalogue().roles
    return [r for r, d in roles.items() if d.scope != "system" and perm in d.permissions]


@pytest.mark.parametrize("route", sorted(JOB_ROUTES))
def test_another_persons_job_is_not_theirs(route: str, world: World) -> None:
    kind, perm, result = JOB_ROUTES[route]
    colleague = _user(f"colleague-{kind}", world.own, *_holders(perm)[:1])
    stranger = _user(f"stranger-{kind}", world.other, *_holders(perm)[:1])
    mine = _job(world.own, kind, result, colleague)
    theirs = _job(world.other, kind, result, stranger)
    # a user who administers the other organisation, with the app's permission only here
    two_hats = _user(f"two-hats-{kind}", world.own, *_holders(perm)[:1])
    Membership.objects.create(user=two_hats, organisation=world.other, role="org_admin")
    key = "job" if route == "cases:import-status" else "pk"
    never = reverse(route, kwargs={key: uuid.uuid4()})
    wrong: list[str] = []
    askers = [(r, world.users[r]) for r in _holders(perm)] + [("two_hats", two_hats)]
    for job in (mine, theirs):
        url = reverse(route, kwargs={key: job.pk})
        for label, user in askers:
            if label == "two_hats" and job is mine:
                continue
            client = _login(user)
            got = client.get(url)
            body = b"" if got.streaming else got.content
            where = f"{label} on {job.organisation.code}'s job"
            if got.status_code not in DENIED or MARK.encode() in body:
                wrong.append(f"{where}: {got.status_code}")
            elif got.status_code != client.get(never).status_code:
                wrong.append(f"{where}: {got.status_code}, unlike a job that never existed")
    assert not wrong, f"{route}:\n  " + "\n  ".join(wrong)


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _marked_case(org: Organisation, reference: str) -> Case:
    record = copy.deepcopy(RECORD)
    record.update(reference=reference, source_record_id=reference)
    record["victims"][0].update(given_name=f"{MARK}given", family_name=f"{MARK}family")
    return case_services.save_record(Actor.system("probe", org.pk), org, record)


@pytest.mark.django_db
def test_a_token_follows_its_owners_grants_and_password(world: World) -> None:
    owner = _user("token-owner", world.own, "case_manager")
    case = _marked_case(world.own, "TOK-1")
    _token, secret = tokens.issue(Actor(owner, world.own.pk), name="probe", access="read")
    url = f"/api/cases/{case.uuid}/?include=identity"
    assert MARK in APIClient().get(url, **_bearer(secret)).content.decode()
    # the grant is withdrawn: the token sees nothing of the organisation any more
    Membership.objects.filter(user=owner).delete()
    for path in (url, "/api/cases/", "/api/audit/access/"):
        got = APIClient().get(path, **_bearer(secret))
        assert got.status_code in DENIED or MARK not in got.content.decode(), path
        assert "TOK-1" not in got.content.decode(), path
    # a read-only token never writes, whatever the owner may do
    Membership.objects.create(user=owner, organisation=world.own, role="case_manager")
    wrote = APIClient().post(
        "/api/cases/", {**RECORD, "reference": "TOK-W"}, format="json", **_bearer(secret)
    )
    assert wrote.status_code == 403 and not Case.objects.filter(reference="TOK-W").exists()
    # a token cannot make tokens (it would outlive its own revocation)
    assert (
        APIClient()
        .post("/api/tokens/", {"name": "x"}, format="json", **_bearer(secret))
        .status_code
        in DENIED
    )
    # the password changes: every token of the user stops working
    owner.set_password("another-correct-horse")
    owner.save()
    assert APIClient().get(url, **_bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_a_token_carries_only_the_permissions_it_names(world: World) -> None:
    """A case manager's token made for case.view alone: no identities, no writes, nothing
    of another app, whatever the owner may do with a session."""
    owner = world.users["case_manager"]
    case = _marked_case(world.own, "TOK-S")
    _token, secret = tokens.issue(
        Actor(owner, world.own.pk), name="narrow", access="write", permissions=["case.view"]
    )
    seen = APIClient().get(f"/api/cases/{case.uuid}/?include=identity", **_bearer(secret))
    assert seen.status_code == 200 and MARK not in seen.content.decode()
    new = {**RECORD, "reference": "TOK-N"}
    wrote = APIClient().post("/api/cases/", new, format="json", **_bearer(secret))
    assert wrote.status_code == 403 and not Case.objects.filter(reference="TOK-N").exists()
    for url in ("/api/evidence/items/", "/api/identification/interviews/", "/api/jobs/"):
        got = APIClient().get(url, **_bearer(secret))
        assert got.status_code in DENIED or MARK not in got.content.decode(), url
    assert APIClient().get("/api/evidence/items/", **_bearer(secret)).status_code in DENIED


@pytest.mark.django_db
def test_nobody_revokes_or_lists_anothers_token(world: World) -> None:
    token, secret = tokens.issue(Actor(world.users["analyst"], world.own.pk), name="theirs")
    for role in ("org_admin", "case_manager"):
        client = APIClient()
        client.force_login(world.users[role], backend=BACKEND)
        assert client.delete(f"/api/tokens/{token.pk}/").status_code == 404
        assert client.delete(f"/api/tokens/{token.pk + 7_654_321}/").status_code == 404
        assert str(token.pk) not in str(client.get("/api/tokens/").json())
    _other, other_secret = tokens.issue(Actor(world.users["investigator"]), name="mine")
    assert (
        APIClient().delete(f"/api/tokens/{token.pk}/", **_bearer(other_secret)).status_code
        in DENIED
    )
    token.refresh_from_db()
    assert token.revoked_at is None
    assert APIClient().get("/api/cases/", **_bearer(secret)).status_code == 200


@pytest.mark.django_db
def test_a_token_is_no_web_login(world: World) -> None:
    """Web pages know sessions only: a token (even a write token) opens none of them."""
    _token, secret = tokens.issue(Actor(world.users["case_manager"], world.own.pk), name="web")
    pages = [
        e
        for m in app_modules("tests.matrix")
        for e in m.ENDPOINTS
        if e.method == "GET" and e.target is None and not e.kwargs and e.perm != PUBLIC
    ]
    wrong = []
    for endpoint in pages:
        url = reverse(endpoint.name)
        if url.startswith("/api/") or url == "/":
            continue
        got = Client().get(url, **_bearer(secret))
        if not (
            got.status_code in DENIED
            or (got.status_code == 302 and "/accounts/login/" in got["Location"])
        ):
            wrong.append(f"{url}: {got.status_code}")
    assert len(pages) > 40 and not wrong, wrong


def _org_rows(org: Organisation) -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "organisation" in names and model._meta.app_label != "auditlog":
            counts[model._meta.label] = model._default_manager.filter(organisation=org).count()
    return counts


@pytest.mark.django_db
def test_naming_another_organisation_writes_nothing_there(world: World) -> None:
    """Every API write of the matrix, by each role that holds its permission, naming the
    other organisation every way a request may (body ``organisation``/``org``, query
    ``?organisation=``/``?org=``): nothing is written in the other organisation (a row of
    any model with an organisation, jobs included), no 5xx. A 2xx is the route acting for
    the user's own organisation (searches, a network rebuild), which the row count checks."""
    before = _org_rows(world.other)
    writes = [
        e
        for m in app_modules("tests.matrix")
        for e in m.ENDPOINTS
        if e.method in {"POST", "PUT", "PATCH"} and e.target is None and not e.kwargs
    ]
    code = world.other.code
    wrong = []
    for endpoint in writes:
        url = reverse(endpoint.name)
        if not url.startswith("/api/"):
            continue
        data = {**(endpoint.data or {}), "organisation": code, "org": code, "organisations": [code]}
        if endpoint.name == "cases-api:cases":
            data = {**RECORD, "reference": "ORG-W", "organisation": code}
        for role in _holders(endpoint.perm or "case.view")[:3]:
            client = APIClient()
            client.force_login(world.users[role], backend=BACKEND)
            got = getattr(client, endpoint.method.lower())(
                f"{url}?organisation={code}&org={code}", data, format="json"
            )
            if got.status_code >= 500:
                wrong.append(f"{endpoint.id} {role}: {got.status_code}")
    assert len(writes) > 10
    assert not wrong, "\n".join(wrong)
    assert _org_rows(world.other) == before


@pytest.mark.django_db
def test_two_grants_do_not_add_up(world: World, tmp_path: Any) -> None:
    """Case manager here, analyst there: the other organisation's cases without identities,
    in the API, the case page, the list and an identity export."""
    from vigie.cases.interchange import exporter

    two = _user("two-orgs", world.own, "case_manager")
    Membership.objects.create(user=two, organisation=world.other, role="analyst")
    theirs = _marked_case(world.other, "TWO-1")
    mine = _marked_case(world.own, "TWO-2")
    client = APIClient()
    client.force_login(two, backend=BACKEND)
    assert MARK in client.get(f"/api/cases/{mine.uuid}/?include=identity").content.decode()
    for url in (
        f"/api/cases/{theirs.uuid}/?include=identity",
        f"/api/cases/?organisation={world.other.code}",
        f"/cases/{theirs.uuid}/",
    ):
        got = client.get(url)
        assert got.status_code == 200 and MARK not in got.content.decode(), url
    revealed = client.post(f"/cases/{theirs.uuid}/", {})
    assert MARK not in revealed.content.decode()
    out = tmp_path / "two.json"
    exporter.export(two, "json", out, identity=True)
    text = out.read_text()
    assert "TWO-1" in text and text.count(MARK) == 2  # the own case's two names only
    # naming the other organisation to create a case there: refused (no case.create there)
    res = client.post(
        "/api/cases/",
        {**RECORD, "reference": "TWO-W", "organisation": world.other.code},
        format="json",
    )
    assert res.status_code == 403 and not Case.objects.filter(reference="TWO-W").exists()


CSRF_WRITES = [
    e
    for m in app_modules("tests.matrix")
    for e in m.ENDPOINTS
    if e.method in {"POST", "PUT", "PATCH", "DELETE"} and e.perm != PUBLIC
]


@pytest.mark.django_db
def test_no_write_without_csrf_in_a_session(world: World) -> None:
    """A page of another site posting with the victim's session cookie: every web form and
    API write of the matrix answers 403 before doing anything."""
    wrong = []
    for endpoint in CSRF_WRITES:
        kwargs = dict(endpoint.kwargs)
        if endpoint.target is not None:
            kwargs.update(endpoint.target(world, world.own))
        url = reverse(endpoint.name, kwargs=kwargs)
        role = (_holders(endpoint.perm) or ["system_admin"])[0] if endpoint.perm else "case_manager"
        client = _login(world.users[role], csrf=True)
        method = getattr(client, endpoint.method.lower())
        got = (
            method(url, endpoint.data or {}, content_type="application/json")
            if url.startswith("/api/")
            else method(url, endpoint.data or {})
        )
        if got.status_code != 403:
            wrong.append(f"{endpoint.id} {role}: {got.status_code}")
    assert len(CSRF_WRITES) > 80 and not wrong, "\n".join(wrong)
