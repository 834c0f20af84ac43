"""Referrals between organisations: consent enforced, only the chosen fields shared, the
receiver sees the snapshot and nothing else, every share and view logged, withdrawal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid
from vigie.core.models import AccessLogEntry
from vigie.identification import referrals
from vigie.identification.models import Notification, Referral
from vigie.identification.tests.conftest import give
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _refer(api: Any, world: World, case: Case, fields: list[str], to: str = "recv-org") -> Any:
    return api(world.users["field_officer"]).post(
        "/api/referrals/",
        {
            "case": str(case.uuid),
            "receiving_organisation": to,
            "service_type": "shelter",
            "shared_fields": fields,
            "urgency": "high",
        },
        format="json",
    )


def test_share_without_consent_is_refused_with_the_reason(
    world: World, api: Any, case: Case, receiver: Any
) -> None:
    r = _refer(api, world, case, ["sex", "age"])
    assert r.status_code == 403
    assert r.json()["code"] == "consent_required" and r.json()["detail"]["purpose"] == "referral"
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral", decision="refused")
    assert _refer(api, world, case, ["sex"]).json()["detail"]["consent"] == "refused"
    assert not Referral.objects.exists()


def test_identity_needs_sharing_consent_for_that_organisation(
    world: World, api: Any, case: Case, receiver: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    r = _refer(api, world, case, ["sex", "given_name"])
    assert r.status_code == 403 and r.json()["detail"]["purpose"] == "sharing"
    give(officer, case, "sharing", recipient=world.other)  # consent for another organisation
    assert _refer(api, world, case, ["sex", "given_name"]).status_code == 403
    give(officer, case, "sharing", recipient=receiver[0])
    r = _refer(api, world, case, ["sex", "given_name"])
    assert r.status_code == 201, r.content
    assert r.json()["includes_identity"] is True


def test_receiver_sees_exactly_what_was_shared(
    world: World, api: Any, case: Case, receiver: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    mail.outbox.clear()
    r = _refer(api, world, case, ["sex", "age", "forms"])
    assert r.status_code == 201, r.content
    uuid = r.json()["uuid"]
    assert Notification.objects.filter(organisation=receiver[0], kind="referral_received").exists()
    assert mail.outbox and "Synthetic" not in mail.outbox[0].body
    # the case changes after sharing: the receiver still sees the values shared then
    case.victims.update(age_at_identification=25)
    got = api(receiver[1]).get(f"/api/referrals/{uuid}/").json()
    assert got["shared"] == {"sex": "female", "age": 24, "forms": ["forced_labour"]}
    assert got["case"] is None  # the receiver does not learn the case's identifier
    # the receiver cannot read the case itself, nor consents, nor its plan
    assert api(receiver[1]).get(f"/api/cases/{case.uuid}/").status_code in (403, 404)
    assert (
        api(receiver[1]).get(f"/api/identification/cases/{case.uuid}/consents/").status_code == 404
    )
    # a third organisation sees nothing
    third = world.users["field_officer"]
    assert api(third).get(f"/api/referrals/{uuid}/").status_code == 200  # sender
    log = list(
        AccessLogEntry.objects.filter(
            object_type="identification.referral", object_id=uuid
        ).order_by("seq")
    )
    assert [e.action for e in log] == ["share", "view", "view"]
    assert log[0].fields == ["age", "forms", "sex"]


def test_withdrawn_consent_stops_the_next_share_and_is_shown(
    world: World, api: Any, case: Case, receiver: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    uuid = _refer(api, world, case, ["sex"]).json()["uuid"]
    r = api(world.users["field_officer"]).post(
        f"/api/identification/cases/{case.uuid}/consents/",
        {"purpose": "referral", "decision": "withdrawn", "language": "ar"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert _refer(api, world, case, ["sex"]).status_code == 403
    seen = api(receiver[1]).get(f"/api/referrals/{uuid}/").json()
    assert seen["consent_withdrawn_at"] is not None
    assert Notification.objects.filter(organisation=receiver[0], kind="consent_withdrawn").exists()


def test_child_consent_needs_guardian_or_best_interests(world: World, case: Case) -> None:
    from vigie.identification import services

    case.victims.update(age_at_identification=15)
    officer = Actor(world.users["field_officer"], world.own.pk)
    with pytest.raises(Invalid):
        services.record_consent(officer, case, "referral", "given")
    with pytest.raises(Invalid):
        services.record_consent(officer, case, "referral", "given", given_by="best_interests")
    services.record_consent(
        officer, case, "referral", "given", given_by="best_interests", bid_reference="BID-7"
    )
    services.record_consent(
        officer,
        case,
        "statistics",
        "given",
        given_by="guardian",
        guardian_name="Synthetic Guardian",
    )


def test_workflow_sides_and_reasons(world: World, api: Any, case: Case, receiver: Any) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    ref = referrals.create_referral(officer, case, receiver[0], ["sex"], service_type="medical")
    recv = Actor(receiver[1], receiver[0].pk)
    with pytest.raises(Forbidden):  # the sender does not accept its own referral
        referrals.move(officer, ref, "accepted")
    with pytest.raises(Invalid):  # declining says why
        referrals.move(recv, ref, "declined")
    with pytest.raises(Conflict):
        referrals.move(recv, ref, "delivered")
    referrals.move(recv, ref, "acknowledged")
    referrals.move(recv, ref, "accepted")
    assert ref.due_at is not None and ref.answered_at is not None
    referrals.move(recv, ref, "delivered")
    referrals.move(officer, ref, "closed")
    assert [e.to_state for e in ref.events.all()] == [
        "sent",
        "acknowledged",
        "accepted",
        "delivered",
        "closed",
    ]


def test_routing_suggestions_by_mandate(world: World, api: Any, case: Case) -> None:
    from vigie.core.models import Organisation

    Organisation.objects.get_or_create(code="iom", defaults={"name": "IOM"})
    Organisation.objects.get_or_create(code="unicef", defaults={"name": "UNICEF"})
    r = api(world.users["field_officer"]).get(f"/api/identification/cases/{case.uuid}/routes/")
    assert [x["mandate"] for x in r.json()] == ["migrants"]
    case.victims.update(age_at_identification=12)
    r = api(world.users["field_officer"]).get(f"/api/identification/cases/{case.uuid}/routes/")
    assert [(x["mandate"], x["organisations"]) for x in r.json()] == [
        ("migrants", ["iom"]),
        ("children", ["unicef"]),
    ]


def test_overdue_list_api_and_cli(world: World, api: Any, case: Case, receiver: Any) -> None:
    import datetime as dt

    from click.testing import CliRunner
    from django.utils import timezone

    from vigie.identification.cli import referrals as group

    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    late = referrals.create_referral(
        officer, case, receiver[0], ["sex"], service_type="medical", urgency="high"
    )
    referrals.create_referral(
        officer, case, receiver[0], ["sex"], service_type="shelter", urgency="low"
    )
    Referral.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    got = api(world.users["field_officer"]).get("/api/referrals/?overdue=1").json()
    assert [x["uuid"] for x in got] == [str(late.uuid)] and got[0]["overdue"] is True
    out = CliRunner().invoke(group, ["list", "--overdue", "--json", "--user", "recv-officer"])
    assert out.exit_code == 0, out.output
    assert [line for line in out.output.splitlines() if line.startswith("{")] and str(
        late.uuid
    ) in out.output
    out = CliRunner().invoke(group, ["list", "--user", "nobody"])
    assert out.exit_code != 0


def test_transfer_of_responsibility(world: World, case: Case, receiver: Any, web: Any) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    assert referrals.responsible_organisation(case) == world.own
    ref = referrals.create_referral(officer, case, receiver[0], ["sex", "age"], kind="transfer")
    assert referrals.responsible_organisation(case) == world.own  # not until accepted
    referrals.move(Actor(receiver[1], receiver[0].pk), ref, "accepted")
    assert referrals.responsible_organisation(case) == receiver[0]
    page = web(world.users["field_officer"]).get(f"/referrals/case/{case.uuid}/")
    assert 'data-testid="responsible">recv-org<' in page.content.decode()
    notices = web(receiver[1]).get("/caseload/").content.decode()
    assert 'data-testid="notifications"' in notices


def test_notifications_api_in_the_readers_language_and_marked_read(
    world: World, case: Case, receiver: Any, api: Any
) -> None:
    officer = Actor(world.users["field_officer"], world.own.pk)
    give(officer, case, "referral")
    ref = referrals.create_referral(
        officer, case, receiver[0], ["sex"], service_type="medical", urgency="high"
    )
    client = api(receiver[1])
    got = client.get("/api/referrals/notifications/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert [n["kind"] for n in got] == ["referral_received"]
    assert got[0]["referral"] == str(ref.uuid) and got[0]["read_at"] is None
    assert (
        got[0]["text"] == f"Orientation {str(ref.uuid)[:8]} reçue (Soins médicaux, urgence haute)."
    )
    # the sender has its own notices only: nothing yet
    assert api(world.users["field_officer"]).get("/api/referrals/notifications/").json() == []
    referrals.move(Actor(receiver[1], receiver[0].pk), ref, "accepted")
    sender = api(world.users["field_officer"])
    texts = [
        n["text"]
        for n in sender.get("/api/referrals/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    ]
    assert texts == [f"Referral {str(ref.uuid)[:8]} accepted."]
    # marking another organisation's notice read does nothing
    theirs = got[0]["id"]
    assert sender.post(
        "/api/referrals/notifications/", {"ids": [theirs]}, format="json"
    ).json() == {"marked": 0}
    assert client.post("/api/referrals/notifications/", {}, format="json").json() == {"marked": 1}
    assert client.get("/api/referrals/notifications/?unread=1").json() == []
    assert (
        client.post("/api/referrals/notifications/", {"ids": ["x"]}, format="json").status_code
        == 400
    )
