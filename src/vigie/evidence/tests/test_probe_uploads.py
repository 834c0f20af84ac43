"""Probe (issue 15, round eleven, ADR 0070): a resumable upload is its user's alone.

The URL conf walk of ``core/tests/test_probe_idor.py`` names these routes as probed here: a
colleague holding ``evidence.add`` in the same organisation, and one of another
organisation, asking for, appending to or completing someone's upload get the answer of an
upload that never existed, and the upload is unchanged."""

from __future__ import annotations

import uuid
from typing import Any

from vigie.core.models import Membership, User
from vigie.evidence.models import Item, UploadSession
from vigie.testing import World


def _ask(client: Any, url: str) -> list[int]:
    chunk = client.generic(
        "PUT", url, b"z" * 10, content_type="application/octet-stream", HTTP_UPLOAD_OFFSET="0"
    )
    return [
        client.get(url).status_code,
        chunk.status_code,
        client.post(url + "complete/").status_code,
    ]


def test_probe_someone_elses_upload_is_as_if_it_never_existed(world: World, api: Any) -> None:
    owner = api(world.users["investigator"])
    started = owner.post(
        "/api/evidence/uploads/",
        {"filename": "a.jpg", "size": 10, "case_ref": "C-PROBE", "external_case": True},
        format="json",
    )
    assert started.status_code == 201, started.content
    url = f"/api/evidence/uploads/{started.json()['uuid']}/"
    never = f"/api/evidence/uploads/{uuid.uuid4()}/"
    colleague = User.objects.create(username="colleague")
    Membership.objects.create(user=colleague, organisation=world.own, role="investigator")
    stranger = User.objects.create(username="stranger")
    Membership.objects.create(user=stranger, organisation=world.other, role="investigator")
    for user in (colleague, stranger):
        client = api(user)
        assert _ask(client, url) == _ask(client, never) == [404, 404, 404]
    assert UploadSession.objects.get().received == 0 and Item.objects.count() == 0
