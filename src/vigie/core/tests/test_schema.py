"""The OpenAPI schema is part of the contract: it loads, and no request it describes makes
the server fail (schemathesis, authenticated as a system administrator)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from vigie.core import tokens
from vigie.core.actor import Actor
from vigie.testing import build_world


def test_schema_is_served_and_valid(client: Any, db: Any) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/organisations/" in schema["paths"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_are_served_without_cdn_or_inline_script(client: Any, db: Any, url: str) -> None:
    page = client.get(url).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower() and "googleapis" not in page
    # The Content-Security-Policy allows script files from Vigie only.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


def test_swagger_initialiser_is_a_script_file(client: Any, db: Any) -> None:
    response = client.get("/api/docs/?script")
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_api_never_fails_with_5xx() -> None:
    from vigie.wsgi import application

    world = build_world()
    _token, secret = tokens.issue(Actor(world.users["system_admin"]), name="fuzz")
    api = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures: list[str] = []
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        def exercise(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {secret}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        exercise()
    assert not failures, "\n".join(sorted(set(failures)))
