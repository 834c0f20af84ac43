"""An insider of one organisation guessing the ids of another's records (issue 15).

Every route of the authorization matrix that names one organisation's record (``target``) is
probed, so a route added later is probed too. A record is made in the other organisation by
the app's own matrix factory; then every role of the own organisation that holds the route's
permission (they pass the permission gate and meet only the organisation check), one role
that does not, and a user holding the permission here and another role (without it) in the
record's organisation, ask for it with the route's method. The probe expects:

- a refusal (401, 403 or 404), never a 5xx;
- nothing of the record in the body (its id, outside the echoed request path);
- the same answer as for an id that never existed: same status, same problem ``code`` and
  ``title`` (API) or the same page (web), so that guessing ids confirms nothing.

Organisation codes are public (``/api/organisations/``): routes that name only an
organisation are checked for refusal, not for existence.

``test_every_route_taking_an_id_is_probed`` walks Django's URL conf (not the matrices): a
route with an id in its path, and every method its view answers, must be probed here (a
matrix entry with a ``target``) or be one of ``PROBED_ELSEWHERE``, each saying where and why
(ADR 0070).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from vigie.core.models import Membership, User
from vigie.core.roles import catalogue
from vigie.discovery import app_modules
from vigie.testing import PUBLIC, Endpoint, World

ENDPOINTS: list[Endpoint] = [
    e
    for m in app_modules("tests.matrix")
    for e in m.ENDPOINTS
    if e.target is not None and e.perm != PUBLIC
]
DENIED = {401, 403, 404}
PUBLIC_KWARGS = {"code", "org"}  # organisation codes: listed to every logged-in user


def never_existed(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same kwargs with every record id swapped for one that was never issued."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in PUBLIC_KWARGS:
            out[key] = value
        elif isinstance(value, uuid.UUID):
            out[key] = uuid.uuid4()
        elif isinstance(value, int):
            out[key] = value + 7_654_321
        elif re.fullmatch(r"[0-9a-f-]{32,36}", str(value)):
            out[key] = str(uuid.uuid4()) if "-" in str(value) else uuid.uuid4().hex
        else:
            out[key] = f"{value}-never{uuid.uuid4().hex[:6]}"
    return out


def call(client: APIClient, endpoint: Endpoint, url: str) -> Any:
    method = getattr(client, endpoint.method.lower())
    if endpoint.method in {"POST", "PUT", "PATCH"}:
        return method(url, endpoint.data or {}, format="json" if url.startswith("/api/") else None)
    return method(url)


def shape(response: Any, url: str) -> tuple[Any, ...]:
    """What a response tells about the record: status, and the body without the echoed URL
    (problem documents: their code and title; pages: the text with the path removed)."""
    content_type = response.get("Content-Type", "")
    body = getattr(response, "content", b"") if not response.streaming else b""
    if "json" in content_type:
        data = response.json()
        if isinstance(data, dict):
            return (response.status_code, data.get("code"), data.get("title"), sorted(data))
        return (response.status_code, type(data).__name__)
    text = body.decode(errors="replace").replace(url, "URL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r"<code>[0-9a-f]{32}</code>", "", text)  # the support reference
    main = re.search(r"<main.*</main>", text, re.S)
    return (response.status_code, main.group(0) if main else text)


def _short(found: tuple[Any, ...]) -> str:
    return re.sub(r"\s+", " ", str(found[:3]))[:300]


def probing_roles(endpoint: Endpoint) -> list[str]:
    """Roles that hold the route's permission (they meet the organisation check): the first
    that sees identities and the first that does not; then one role that does not hold it
    (it must be refused the same way for both ids)."""
    roles = catalogue().roles
    mine = [r for r, d in roles.items() if d.scope != "system"]
    holders = [r for r in mine if endpoint.perm in roles[r].permissions]
    if endpoint.perm is None:  # any logged-in user
        holders = list(mine)
    seeing = [r for r in holders if "victim.identity.view" in roles[r].permissions]
    blind = [r for r in holders if r not in seeing]
    others = [r for r in mine if r not in holders]
    return seeing[:1] + blind[:1] + others[:1]


def _two_hats(endpoint: Endpoint, world: World) -> User | None:
    """A user who holds the route's permission here and another role, without it, in the
    record's organisation: the two grants must not add up (ADR 0057)."""
    roles = catalogue().roles
    here = [r for r in probing_roles(endpoint) if endpoint.perm in roles[r].permissions]
    there = [
        r
        for r in ("org_admin", "auditor", "linkage_unit", "screening_officer")
        if endpoint.perm is not None and endpoint.perm not in roles[r].permissions
    ]
    if not here or not there:
        return None
    user = User.objects.create(username="two-hats")
    Membership.objects.create(user=user, organisation=world.own, role=here[0])
    Membership.objects.create(user=user, organisation=world.other, role=there[0])
    return user


def ids_of(kwargs: dict[str, Any]) -> list[str]:
    return [str(v) for k, v in kwargs.items() if k not in PUBLIC_KWARGS and len(str(v)) >= 8]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_another_organisations_record_is_refused_as_if_it_never_existed(
    endpoint: Endpoint, world: World
) -> None:
    assert endpoint.target is not None
    theirs = endpoint.target(world, world.other)
    url = reverse(endpoint.name, kwargs={**endpoint.kwargs, **theirs})
    never_url = reverse(endpoint.name, kwargs={**endpoint.kwargs, **never_existed(theirs)})
    wrong: list[str] = []
    askers = {role: world.users[role] for role in probing_roles(endpoint)}
    two_hats = _two_hats(endpoint, world)
    if two_hats is not None:
        askers["two_hats"] = two_hats
    for role, user in askers.items():
        client = APIClient()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        got = call(client, endpoint, url)
        if got.status_code not in DENIED:
            wrong.append(f"{role}: {got.status_code}, expected refused")
            continue
        body = b"" if got.streaming else got.content.replace(url.encode(), b"URL")
        leaked = [i for i in ids_of(theirs) if i.encode() in body]
        if leaked:
            wrong.append(f"{role}: the refusal names {leaked}")
        if never_url == url:
            continue
        never = call(client, endpoint, never_url)
        if shape(got, url) != shape(never, never_url):
            wrong.append(
                f"{role}: existing elsewhere {_short(shape(got, url))} differs from never "
                f"existed {_short(shape(never, never_url))}"
            )
    assert not wrong, f"{endpoint.id} {url}:\n  " + "\n  ".join(wrong)


# Routes whose id names what one *person* owns (a job, an upload, a token) or public data;
# the organisation check above does not apply, and each is probed where named.
_JOBS = "core/tests/test_probe_sessions.py::test_another_persons_job_is_not_theirs"
PROBED_ELSEWHERE: dict[str, str] = {
    "cases:import-status": _JOBS,
    "screening:job": _JOBS,
    "screening:batch-hits": _JOBS,
    "screening:job-download": _JOBS,
    "evidence:export-job": _JOBS,
    "evidence:export-download": _JOBS,
    "evidence-api:export-download": _JOBS,
    "finance:job": _JOBS,
    "core-api:token-revoke": "test_probe_sessions.py::test_nobody_revokes_or_lists_anothers_token",
    "cases:import-preview": "an upload token signed for its user (cases/tests/test_web.py)",
    "evidence-api:upload": "evidence/tests/test_probe_uploads.py (a session is its user's)",
    "evidence-api:upload-complete": "evidence/tests/test_probe_uploads.py",
    "screening:version": "a watchlist version: public list data, the same for everyone",
    "screening-api:version": "a watchlist version: public list data, the same for everyone",
    "collection:or-form": "collection/tests/test_probe_form_ids.py (ids per organisation)",
    "collection:or-manifest": "collection/tests/test_probe_form_ids.py",
}


def _routes(patterns: list[Any], namespace: str, prefix: str) -> Any:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            view = getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)
            if getattr(view or p.callback, "__module__", "").startswith("vigie."):
                yield f"{namespace}{p.name}", prefix + str(p.pattern), p.callback, view


def _methods(callback: Any, view: Any) -> set[str]:
    """The methods a view answers (a view set: its actions; a class: its handlers; a
    function: unknown, hence none; the matrix lists them)."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {m.upper() for m in actions}
    if view is None:
        return set()
    return {m.upper() for m in view.http_method_names if hasattr(view, m)} - {"OPTIONS", "HEAD"}


def test_every_route_taking_an_id_is_probed() -> None:
    matrix: dict[str, list[Endpoint]] = {}
    for m in app_modules("tests.matrix"):
        for e in m.ENDPOINTS:
            matrix.setdefault(e.name, []).append(e)
    wrong: list[str] = []
    for name, pattern, callback, view in _routes(get_resolver().url_patterns, "", ""):
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern)) - PUBLIC_KWARGS
        if not params or name in PROBED_ELSEWHERE:
            continue
        listed = {e.method: e for e in matrix.get(name, [])}
        for method in sorted(_methods(callback, view) | set(listed)):
            entry = listed.get(method)
            if entry is None:
                wrong.append(f"{method} {pattern} ({name}): not in any tests/matrix.py")
            elif entry.target is None and entry.perm != PUBLIC:
                wrong.append(f"{method} {pattern} ({name}): no target, never probed here")
    stale = sorted(
        set(PROBED_ELSEWHERE) - {r[0] for r in _routes(get_resolver().url_patterns, "", "")}
    )
    assert not stale, f"PROBED_ELSEWHERE names routes that are gone: {stale}"
    assert not wrong, "routes taking an id that no probe asks:\n  " + "\n  ".join(wrong)
