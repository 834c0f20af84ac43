"""Every API error is an RFC 9457 problem document; the CLI maps errors to exit statuses."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from rest_framework.exceptions import Throttled
from rest_framework.test import APIRequestFactory

from vigie.cases.tests.conftest import RECORD
from vigie.core import errors
from vigie.core.api.errors import exception_handler
from vigie.testing import World


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:vigie:error:{code}" and body["title"]
    return body


def test_401_403_404_405_are_problem_documents(world: World, api: Any) -> None:
    _problem(api().get("/api/cases/"), 401, "not_authenticated")
    body = _problem(
        api(world.users["screening_officer"]).get("/api/cases/"), 403, "permission_denied"
    )
    assert body["instance"] == "/api/cases/"
    manager = api(world.users["case_manager"])
    _problem(manager.get(f"/api/cases/{uuid.uuid4()}/"), 404, "not_found")
    _problem(manager.put("/api/cases/", {}, format="json"), 405, "method_not_allowed")


def test_validation_errors_list_fields_without_the_values(world: World, api: Any) -> None:
    record = copy.deepcopy(RECORD)
    record["victims"][0]["sex"] = "Martian"
    record["victims"][0]["family_name"] = "Secretfamily"
    body = _problem(
        api(world.users["case_manager"]).post("/api/cases/", record, format="json"),
        400,
        "record_invalid",
    )
    fields = {e["field"] for e in body["errors"]}
    assert "victims[0].sex" in fields
    assert "Secretfamily" not in str(body)
    # a DRF serializer's errors take the same shape
    body = _problem(
        api(world.users["analyst"]).post("/api/tokens/", {}, format="json"), 400, "invalid"
    )
    assert [e["field"] for e in body["errors"]] == ["name"]
    many = api(world.users["case_manager"]).post("/api/cases/bulk/", {"x": 1}, format="json")
    body = _problem(many, 400, "invalid")
    assert body["errors"] and all({"field", "message", "code"} <= set(e) for e in body["errors"])


def test_a_missing_permission_names_it(world: World, api: Any) -> None:
    officer = api(world.users["field_officer"])
    body = _problem(
        officer.post("/api/cases/", {"organisation": "other-org"}, format="json"),
        403,
        "permission_required",
    )
    assert body["detail"]["permission"] == "case.create"


def test_throttled_keeps_retry_after() -> None:
    request = APIRequestFactory().get("/api/cases/")
    response = exception_handler(Throttled(wait=7), {"request": request})
    assert response is not None and response.status_code == 429
    assert response.data["code"] == "throttled" and response["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.Invalid("x"), 2),
        (errors.Forbidden("x"), 3),
        (errors.NotFound("x"), 4),
        (errors.Conflict("x"), 5),
        (errors.Unavailable("x"), 1),
    ],
)
def test_exit_statuses(error: errors.VigieError, status: int) -> None:
    assert errors.exit_status(error) == status


def test_the_cli_prints_the_message_and_exits_with_the_error_status(tmp_path: Path) -> None:
    """A real `vigie` process: an unknown organisation is invalid input (2), no traceback."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(VIGIE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="vigie.settings.dev")
    run = [sys.executable, "-c", "from vigie.cli import main; main()"]
    assert (
        subprocess.run([*run, "migrate"], env=env, capture_output=True, check=False).returncode == 0
    )
    out = subprocess.run(
        [*run, "import", str(tmp_path / "none.csv"), "--as-system", "--org", "nope"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2, out.stderr
    assert "nope" in out.stderr and "Traceback" not in out.stderr
