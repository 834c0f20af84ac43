"""`vigie orgs` and `vigie users`: an administrator's day-one script, through the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.cli import _add_app_commands, cli
from vigie.core.cli_accounts import ORG_KINDS
from vigie.core.models import Membership, Organisation, User
from vigie.testing import build_world

PASSWORD = "a-long-enough-passphrase-2331"


def vigie(*args: str, **env: str) -> Any:
    _add_app_commands()
    return CliRunner().invoke(cli, list(args), env={"VIGIE_USER_PASSWORD": PASSWORD, **env})


@pytest.mark.django_db
def test_day_one_script_as_system() -> None:
    result = vigie("orgs", "create", "iom", "--name", "IOM", "--kind", "un_entity", "--as-system")
    assert result.exit_code == 0, result.output
    assert Organisation.objects.get(code="iom").kind == "un_entity"
    result = vigie(
        "users", "create", "ana", "--org", "iom", "--role", "analyst", "--role", "field_officer",
        "--as-system",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="ana")
    assert user.check_password(PASSWORD)
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    assert roles == {"analyst", "field_officer"}

    listed = vigie("users", "list", "--org", "iom", "--json", "--as-system")
    assert [json.loads(line) for line in listed.output.splitlines()] == [
        {"username": "ana", "active": True, "roles": {"iom": ["analyst", "field_officer"]}}
    ]
    assert vigie("users", "roles", "ana", "--role", "case_manager", "--as-system").exit_code == 0
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [
        "case_manager"
    ]
    assert "ana in iom: case_manager" in vigie("users", "roles", "ana", "--as-system").output

    assert vigie("users", "deactivate", "ana", "--as-system").exit_code == 0
    assert not User.objects.get(username="ana").is_active
    assert vigie("orgs", "deactivate", "iom", "--as-system").exit_code == 0
    assert not Organisation.objects.get(code="iom").is_active
    assert "iom" not in vigie("orgs", "list").output
    assert "(inactive)" in vigie("orgs", "list", "--all").output


@pytest.mark.django_db
def test_who_acts_must_be_said_once() -> None:
    result = vigie("orgs", "create", "x", "--name", "X")
    assert result.exit_code == 2 and "--user NAME [--org CODE], or --as-system" in result.output
    build_world()
    result = vigie("orgs", "create", "x", "--name", "X", "--as-system", "--user", "u-org_admin")
    assert result.exit_code == 2


@pytest.mark.django_db
def test_who_acts_is_audited() -> None:
    """Issue 14: the accounts commands resolve who acts with vigie.core.acting, like every
    other command: one access-log entry naming the command and the actor."""
    from vigie.core.models import AccessLogEntry

    build_world()
    assert vigie("orgs", "create", "iom", "--name", "IOM", "--as-system").exit_code == 0
    assert vigie("users", "list", "--org", "own-org", "--user", "u-org_admin").exit_code == 0
    entries = list(AccessLogEntry.objects.filter(action="command").order_by("seq"))
    assert [(e.object_id, e.detail["actor"][:6]) for e in entries] == [
        ("orgs create", "system"),
        ("users list", "u-org_"),
    ]


@pytest.mark.django_db
def test_a_user_acts_within_their_permissions() -> None:
    world = build_world()
    # An organisation administrator may not create organisations: Forbidden, exit 3.
    result = vigie("orgs", "create", "x", "--name", "X", "--user", "u-org_admin")
    assert result.exit_code == 3
    assert "system.orgs.manage" in result.output
    assert not Organisation.objects.filter(code="x").exists()
    # ... but manages the users of their own organisation,
    result = vigie(
        "users", "create", "new", "--org", world.own.code, "--role", "field_officer",
        "--user", "u-org_admin",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # not of another one,
    result = vigie(
        "users", "create", "new2", "--org", world.other.code, "--role", "field_officer",
        "--user", "u-org_admin",
    )  # fmt: skip
    assert result.exit_code == 3 and "org.users.manage" in result.output
    # and may not hand out a system role.
    result = vigie(
        "users", "create", "boss", "--org", world.own.code, "--role", "system_admin",
        "--user", "u-org_admin",
    )  # fmt: skip
    assert result.exit_code == 3
    assert not User.objects.filter(username__in=["new2", "boss"]).exists()


@pytest.mark.django_db
def test_errors_say_what_to_do_next() -> None:
    build_world()
    result = vigie("users", "create", "z", "--org", "nowhere", "--role", "analyst", "--as-system")
    assert result.exit_code == 1 and "vigie orgs list" in result.output
    result = vigie("users", "create", "z", "--org", "own-org", "--role", "chief", "--as-system")
    assert result.exit_code == 1 and "Unknown role chief" in result.output
    result = vigie("users", "create", "z", "--org", "own-org", "--as-system")
    assert result.exit_code == 2 and "vigie roles" in result.output
    result = vigie(
        "users", "create", "z", "--org", "own-org", "--role", "analyst", "--as-system",
        VIGIE_USER_PASSWORD="123",
    )  # fmt: skip
    assert result.exit_code == 1 and "short" in result.output
    result = vigie("orgs", "create", "own-org", "--name", "Again", "--as-system")
    assert result.exit_code == 1 and "exists" in result.output


def test_kinds_spelled_out_for_help_are_the_models() -> None:
    assert set(ORG_KINDS) == set(Organisation.Kind.values)
