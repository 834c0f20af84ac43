from __future__ import annotations

import pytest
from click.testing import CliRunner

from vigie.collection.cli import forms
from vigie.collection.models import Device
from vigie.collection.tests.conftest import HTCDS, VERSION
from vigie.testing import World

pytestmark = pytest.mark.django_db


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(forms, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_publish_list_issue_revoke(world: World) -> None:
    out = run("publish", str(HTCDS), "--org", "own-org", "--user", "u-case_manager")
    assert f"htcds_xlsform version {VERSION}" in out
    assert "own-org:" + VERSION in run("list", "--user", "u-case_manager")
    assert "own-org:" + VERSION in run("list", "--as-system")
    out = run("credentials", "issue", "--org", "own-org", "--user", "u-org_admin", "--label", "T")
    username = out.split("username: ")[1].split()[0]
    assert Device.objects.get(username=username).revoked_at is None
    run("credentials", "revoke", username, "--user", "u-org_admin")
    assert Device.objects.get(username=username).revoked_at is not None


def test_errors_exit_with_status(world: World) -> None:
    run("publish", str(HTCDS), "--org", "other-org", "--user", "u-case_manager", code=3)
    run("publish", str(HTCDS), "--org", "own-org", "--user", "u-analyst", code=3)
    d = run("credentials", "issue", "--org", "own-org", "--user", "u-org_admin", "--label", "T")
    username = d.split("username: ")[1].split()[0]
    run("credentials", "revoke", username, "--user", "u-analyst", code=3)


def test_publish_to_a_team_and_issue_a_team_device(world: World) -> None:
    run("publish", str(HTCDS), "--org", "own-org", "--team", "North", "--user", "u-case_manager")
    out = run("credentials", "issue", "--org", "own-org", "--team", "South", "--label", "S",
              "--user", "u-org_admin")  # fmt: skip
    device = Device.objects.get(username=out.split("username: ")[1].split()[0])
    assert device.team is not None and device.team.name == "South"
    out = run("publish", str(HTCDS), "--org", "own-org", "--also", "other-org", "--as-system")
    assert "own-org, other-org" in out or "other-org, own-org" in out
