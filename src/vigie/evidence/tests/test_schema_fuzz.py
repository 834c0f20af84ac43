"""No request the OpenAPI schema describes for the evidence API makes the server fail, when
sent by an investigator who may do everything there (schemathesis)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from vigie.core import tokens
from vigie.core.actor import Actor
from vigie.evidence import services
from vigie.testing import build_world


@pytest.mark.django_db(transaction=True)
def test_evidence_api_never_fails_with_5xx() -> None:
    from vigie.wsgi import application

    world = build_world()
    item = services.ingest(
        Actor.system("test", world.own.pk),
        world.own,
        io.BytesIO(b"fuzz target"),
        name="f.txt",
        collection=services.Collection(case_ref="FUZZ", external_case=True),
    ).item
    _token, secret = tokens.issue(Actor(world.users["investigator"]), name="fuzz")
    api = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures: list[str] = []
    succeeded: set[str] = set()
    for result in api.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/evidence/"):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def exercise(case: Any) -> None:
            if case.path_parameters and "uuid" in case.path_parameters:
                case.path_parameters["uuid"] = str(item.uuid)
            response = case.call(headers={"Authorization": f"Bearer {secret}"})
            if response.status_code < 300:
                succeeded.add(f"{case.method} {case.operation.path}")
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} "
                    f"{response.text[:200]}"
                )

        exercise()
    assert not failures, "\n".join(sorted(set(failures)))
    # The token worked and the fuzzing reached the views (not only the authentication).
    for reached in (
        "GET /api/evidence/items/",
        "GET /api/evidence/items/{uuid}/custody/",
        "GET /api/evidence/log/",
    ):
        assert reached in succeeded, sorted(succeeded)
