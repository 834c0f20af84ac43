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


@pytest.mark.slow
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


# Exceptions that never reach a user: control flow inside one module, or click's own.
INTERNAL = {
    "vigie.cases.records._Slow",  # the fast path hands a record to the ORM path
    "vigie.cases.interchange.importer._Rollback",  # a dry run rolls its transaction back
    "vigie.finance.training._Rollback",
    "vigie.core.jobs.JobCancelled",  # a job stops at a checkpoint; its state says so
}


def _exception_classes() -> list[str]:
    """Every class defined under src/vigie whose name says it is an error, or that derives
    from an exception, found by reading the source (a new one cannot be forgotten)."""
    import ast

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        module = ".".join(("vigie", *path.relative_to(root).with_suffix("").parts))
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b) for b in node.bases]
            if any(b.endswith(("Exception", "Error", "Problem", "Exceeded")) for b in bases):
                found.append(f"{module}.{node.name}")
    return found


def test_every_error_raised_to_users_is_a_vigie_error() -> None:
    """Issue 14: one error model. An exception class that reaches the API or the command
    line derives from VigieError, so it has a stable code, a status and an exit status."""
    from importlib import import_module

    found = _exception_classes()
    assert len(found) > 20
    strays = []
    for name in found:
        if name in INTERNAL or name == "vigie.core.errors.VigieError":
            continue
        module, _, cls = name.rpartition(".")
        klass = getattr(import_module(module), cls)
        if issubclass(klass, click_exception()):
            continue  # click's usage errors, raised only while a command line is parsed
        if not issubclass(klass, errors.VigieError):
            strays.append(name)
    assert strays == []


def click_exception() -> type[Exception]:
    import click

    return click.ClickException


@pytest.mark.parametrize(
    ("path", "code", "status"),
    [
        ("vigie.evidence.bag.BagError", "bag_refused", 400),
        ("vigie.core.signing.SigningKeyProblem", "signing_key_problem", 503),
        ("vigie.core.audit.AuditKeyProblem", "audit_key_problem", 503),
        ("vigie.core.witness.WitnessError", "witness_failed", 503),
        ("vigie.cases.interchange.pipeline.WorkerDied", "import_worker_died", 503),
        ("vigie.analytics.privacy.BudgetExceeded", "privacy_budget_exceeded", 409),
    ],
)
def test_errors_have_stable_codes(path: str, code: str, status: int) -> None:
    from importlib import import_module

    module, _, cls = path.rpartition(".")
    error = getattr(import_module(module), cls)("x")
    assert isinstance(error, errors.VigieError)
    assert (error.code, error.status) == (code, status)
    assert code in (Path(__file__).resolve().parents[4] / "docs" / "errors.md").read_text()
