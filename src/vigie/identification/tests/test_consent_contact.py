"""Consent to "contact by investigators" is enforced: when it is refused or withdrawn, a reader
who does not work on the case (an investigator) sees the victim's identity but not how to reach
them, on the page and through the API, and the access log records only what was shown."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case, Victim
from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.identification import services
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _victim(api: Any, user: Any, case: Case) -> dict[str, Any]:
    r = api(user).get(f"/api/cases/{case.uuid}/?include=identity")
    assert r.status_code == 200, r.content
    return dict(r.json()["victims"][0])


def test_refused_contact_consent_hides_phone_and_address_from_investigators(
    world: World, case: Case, officer: Actor, api: Any, web: Any
) -> None:
    Victim.objects.filter(case=case).update(phone="+218 91 000 0000", address="Camp 4, block 2")
    investigator = world.users["investigator"]
    assert _victim(api, investigator, case)["phone"] == "+218 91 000 0000"  # never asked
    services.record_consent(officer, case, "investigators", "refused")
    seen = _victim(api, investigator, case)
    assert "phone" not in seen and "address" not in seen and seen["contact_withheld"] is True
    assert seen["given_name"] == "Synthetic"  # identity itself is still permitted
    entry = AccessLogEntry.objects.filter(actor=investigator).order_by("-id").first()
    assert entry is not None and "Victim.phone" not in entry.fields
    assert "Victim.given_name" in entry.fields
    page = web(investigator).post(f"/cases/{case.uuid}/").content.decode()
    assert "+218 91 000 0000" not in page and 'data-testid="contact-withheld"' in page
    # the case worker who assists the person still reaches them
    worker = _victim(api, world.users["case_manager"], case)
    assert worker["phone"] == "+218 91 000 0000" and "contact_withheld" not in worker
    services.record_consent(officer, case, "investigators", "given")
    assert _victim(api, investigator, case)["address"] == "Camp 4, block 2"
    services.record_consent(officer, case, "investigators", "withdrawn")
    assert "address" not in _victim(api, investigator, case)
