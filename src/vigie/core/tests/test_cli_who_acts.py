"""`vigie grants` and `vigie jobs` say who acts (issue 14, item 3): ``--user NAME`` or
``--as-system``, audited; the system is nobody's second pair of eyes for a role that sees
identities."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from vigie.core.models import AccessLogEntry, Job, Membership, PendingGrant, User
from vigie.core.tests.test_cli_accounts import vigie
from vigie.testing import World

IDENTITY_ROLE = "case_manager"  # sees identities: four-eyes


def _commands() -> list[tuple[str, str]]:
    return [
        (e.object_id, e.detail["actor"][:6])
        for e in AccessLogEntry.objects.filter(action="command").order_by("seq")
    ]


def test_neither_user_nor_system_is_refused(world: World) -> None:
    job = Job.objects.create(kind="test.count", params={"n": 1})
    for args in (["grants", "approve", "1"], ["jobs", "cancel", str(job.pk)], ["jobs", "recover"]):
        result = vigie(*args)
        assert result.exit_code == 2 and "--as-system" in result.output, (args, result.output)


def test_a_system_request_still_waits_for_a_person(world: World) -> None:
    result = vigie(
        "grants", "request", "--as-system", "--organisation", "own-org",
        "--member", "u-analyst", "--role", IDENTITY_ROLE,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    grant = PendingGrant.objects.get()
    assert grant.status == "pending" and grant.requested_by is None
    assert not Membership.objects.filter(user=world.users["analyst"], role=IDENTITY_ROLE).exists()
    # the system may not approve it: a clear error, exit 3 (forbidden), nothing granted
    with translation.override("en"):
        denied = vigie("grants", "approve", str(grant.pk), "--as-system")
    assert denied.exit_code == 3, denied.output
    assert "approved by a person, not by the system" in denied.output
    assert PendingGrant.objects.get().status == "pending"
    # a person (an administrator of the organisation) approves it
    ok = vigie("grants", "approve", str(grant.pk), "--user", "u-org_admin")
    assert ok.exit_code == 0 and "approved" in ok.output, ok.output
    assert Membership.objects.filter(user=world.users["analyst"], role=IDENTITY_ROLE).exists()
    assert _commands() == [
        ("grants request", "system"),
        ("grants approve", "system"),
        ("grants approve", "u-org_"),
    ]


def test_jobs_by_their_owner_an_administrator_or_the_system(world: World) -> None:
    owner: User = world.users["analyst"]
    job = Job.objects.create(
        kind="test.count", params={"n": 1}, created_by=owner, organisation=world.own
    )
    with translation.override("en"):
        stranger = vigie("jobs", "cancel", str(job.pk), "--user", "u-field_officer")
    assert stranger.exit_code == 3 and "may not cancel this job" in stranger.output
    assert Job.objects.get(pk=job.pk).status == "queued"
    mine = vigie("jobs", "cancel", str(job.pk), "--user", owner.username)
    assert mine.exit_code == 0 and "cancellation requested" in mine.output, mine.output
    other = Job.objects.create(kind="test.count", params={"n": 1}, organisation=world.own)
    system = vigie("jobs", "cancel", str(other.pk), "--as-system")
    assert system.exit_code == 0, system.output
    # recovering dead workers: a system administrator or the system, not an analyst
    assert vigie("jobs", "recover", "--user", owner.username).exit_code == 3
    assert vigie("jobs", "recover", "--as-system").exit_code == 0
    # every command run is in the access log with who acted (one refused by the job's own
    # rule too; one refused for want of the command's permission never ran)
    assert _commands() == [
        ("jobs cancel", "u-fiel"),
        ("jobs cancel", "u-anal"),
        ("jobs cancel", "system"),
        ("jobs recover", "system"),
    ]


@pytest.fixture(autouse=True)
def _db(db: Any) -> None:
    """Every test here uses the database (the world fixture builds it)."""
