"""Probe (issue 15, ADR 0053): every view of an identity is in the access log under the
organisation whose auditors must see it. The interview page logged the names it showed
without an organisation, and the sender's staff reading a referral's shared values were
logged under the receiver: neither organisation's own auditor saw those views."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.identification.tests.conftest import give
from vigie.identification.tests.test_interview import _start
from vigie.identification.tests.test_referrals import _refer
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_probe_an_interviews_names_are_logged_under_its_organisation(
    world: World, web: Any, api: Any
) -> None:
    body = _start(api, world.users["field_officer"], given_name="Synthetic")
    web(world.users["field_officer"]).get(f"/identification/{body['uuid']}/")
    entry = AccessLogEntry.objects.get(object_type="identification.interview")
    assert entry.organisation_code == world.own.code


def test_probe_a_referrals_shared_values_are_logged_under_the_viewers_side(
    world: World, api: Any, case: Case, receiver: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    give(officer, case, "sharing", recipient=receiver[0])
    uuid = _refer(api, world, case, ["sex", "given_name"]).json()["uuid"]
    assert api(receiver[1]).get(f"/api/referrals/{uuid}/").status_code == 200
    assert api(world.users["field_officer"]).get(f"/api/referrals/{uuid}/").status_code == 200
    views = AccessLogEntry.objects.filter(
        object_type="identification.referral", object_id=uuid, action="view"
    ).order_by("seq")
    assert [(e.actor, e.organisation_code) for e in views] == [
        (receiver[1], receiver[0].code),
        (world.users["field_officer"], world.own.code),
    ]
