"""Referrals and transfers between organisations: what may be shared, the state machine,
deadlines, notifications and the consent that governs it all (docs/adr/0701, 0702).

States: sent -> acknowledged -> accepted | declined; accepted -> delivered; any open state ->
closed. The receiving organisation acknowledges, accepts, declines and delivers; the sending
organisation closes. Every open state that waits for someone has a deadline (``due_at``).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.cases.models import Case, Exploitation, Victim
from vigie.core import access
from vigie.core.actor import Actor
from vigie.core.audit import record_access
from vigie.core.errors import Conflict, Forbidden, Invalid, NotFound
from vigie.core.events import announce
from vigie.core.models import Membership, Organisation
from vigie.identification.models import Consent, Notification, Referral, ReferralEvent, Service

PERM = "referral.manage"
S = Referral.State
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SENT: frozenset({S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.CLOSED}),
    S.ACKNOWLEDGED: frozenset({S.ACCEPTED, S.DECLINED, S.CLOSED}),
    S.ACCEPTED: frozenset({S.DELIVERED, S.CLOSED}),
    S.DECLINED: frozenset({S.CLOSED}),
    S.DELIVERED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
BY_RECEIVER = frozenset({S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.DELIVERED})
WAITING = (S.SENT, S.ACKNOWLEDGED)  # waiting for the receiver's answer
OPEN = (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED)  # a deadline runs

# What may be shared: name -> (source, field, identifying)
SHAREABLE: dict[str, tuple[str, str, bool]] = {
    "reference": ("case", "reference", False),
    "country": ("case", "country", False),
    "area": ("case", "area", False),
    "conflict_situation": ("case", "conflict_situation", False),
    "sex": ("victim", "sex", False),
    "age": ("victim", "age_at_identification", False),
    "citizenship": ("victim", "citizenship", False),
    "displacement_status": ("victim", "displacement_status", False),
    "care_status": ("victim", "care_status", False),
    "has_disability": ("victim", "has_disability", False),
    "forms": ("exploitation", "forms", False),
    "means": ("exploitation", "means", False),
    "given_name": ("victim", "given_name", True),
    "family_name": ("victim", "family_name", True),
    "date_of_birth": ("victim", "date_of_birth", True),
    "phone": ("victim", "phone", True),
    "document_number": ("victim", "document_number", True),
}
IDENTIFYING = frozenset(k for k, v in SHAREABLE.items() if v[2])


@cache
def config() -> dict[str, Any]:
    path = Path(__file__).parent / "data" / "referrals.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def deadline(urgency: str, state: str, since: dt.datetime) -> dt.datetime | None:
    """When the next step of a referral in ``state`` is due, or None if nothing is awaited."""
    hours = config()["deadlines"][urgency]
    if state in WAITING:
        return since + dt.timedelta(hours=hours["answer"])
    if state == S.ACCEPTED:
        return since + dt.timedelta(hours=hours["deliver"])
    return None


def may_move(state: str, to: str) -> bool:
    return to in TRANSITIONS.get(state, frozenset())


def _victim(case: Case, victim: Victim | None) -> Victim | None:
    return victim if victim is not None else Victim.objects.filter(case=case).order_by("id").first()


def snapshot(case: Case, victim: Victim | None, fields: list[str]) -> dict[str, Any]:
    """The values of the chosen fields now (what the receiver will see, and nothing else)."""
    exploitation = Exploitation.objects.filter(case=case).order_by("id").first()
    sources: dict[str, Any] = {"case": case, "victim": victim, "exploitation": exploitation}
    out: dict[str, Any] = {}
    for name in fields:
        source, attr, _identifying = SHAREABLE[name]
        obj = sources[source]
        value = getattr(obj, attr, None) if obj is not None else None
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def _check_consent(case: Case, receiver: Organisation, identity: bool) -> None:
    from vigie.identification.services import consent_in_force

    decision = consent_in_force(case, Consent.Purpose.REFERRAL)
    if decision != Consent.Decision.GIVEN:
        raise Forbidden(
            _("The person has not consented to referral (%(state)s).")
            % {"state": decision or _("not asked")},
            code="consent_required",
            detail={"purpose": "referral", "consent": decision or "none"},
        )
    if identity:
        decision = consent_in_force(case, Consent.Purpose.SHARING, receiver)
        if decision != Consent.Decision.GIVEN:
            raise Forbidden(
                _("Identifying details need the person's consent to sharing with %(org)s.")
                % {"org": receiver.code},
                code="consent_required",
                detail={
                    "purpose": "sharing",
                    "organisation": receiver.code,
                    "consent": decision or "none",
                },
            )


def create_referral(
    actor: Actor,
    case: Case,
    receiver: Organisation,
    fields: list[str],
    *,
    service: Service | None = None,
    service_type: str = "",
    urgency: str = Referral.Urgency.MEDIUM,
    victim: Victim | None = None,
    kind: str = Referral.Kind.REFERRAL,
) -> Referral:
    """Refer (or transfer) a case to another organisation, sharing only ``fields``."""
    actor.require(PERM, case.organisation_id)
    unknown = sorted(set(fields) - set(SHAREABLE))
    if unknown:
        raise Invalid(
            _("Some fields cannot be shared."), code="unknown_field", detail={"fields": unknown}
        )
    if receiver.pk == case.organisation_id:
        raise Invalid(_("Refer to another organisation."), code="same_organisation")
    if urgency not in Referral.Urgency.values or kind not in Referral.Kind.values:
        raise Invalid(_("Unknown urgency or kind."), code="invalid_referral")
    if service is not None:
        service_type = service.service_type
        if service.organisation_id not in (None, receiver.pk):
            raise Invalid(
                _("The service belongs to another organisation."), code="service_mismatch"
            )
    if service_type not in config()["service_types"] and kind == Referral.Kind.REFERRAL:
        raise Invalid(_("Unknown service type."), code="unknown_service_type")
    identity = bool(IDENTIFYING & set(fields))
    if identity:
        actor.require("victim.identity.view", case.organisation_id)
    _check_consent(case, receiver, identity)
    now = timezone.now()
    shared = sorted(set(fields))
    with transaction.atomic():
        ref = Referral.objects.create(
            kind=kind,
            organisation_id=case.organisation_id,
            receiving_organisation=receiver,
            case=case,
            service=service,
            service_type=service_type,
            urgency=urgency,
            state=S.SENT,
            due_at=deadline(urgency, S.SENT, now),
            shared_fields=shared,
            includes_identity=identity,
            snapshot=json.dumps(snapshot(case, _victim(case, victim), shared), default=str),
            sent_by=actor.user,
            sent_at=now,
        )
        ReferralEvent.objects.create(
            referral=ref,
            to_state=S.SENT,
            at=now,
            actor=actor.user,
            organisation_id=case.organisation_id,
        )
        record_access(
            actor,
            "share",
            "identification.referral",
            str(ref.uuid),
            shared,
            organisation_code=receiver.code,
            detail={"case": str(case.uuid), "identity": identity},
        )
        _notify(receiver, ref, "referral_received")
        announce(
            "identification.referral",
            [ref.pk],
            actor,
            action="created",
            organisation_id=case.organisation_id,
        )
    return ref


def move(actor: Actor, ref: Referral, to: str, reason: str = "") -> Referral:
    """Move a referral to ``to`` if the state machine and the actor's side allow it."""
    if to not in TRANSITIONS:
        raise Invalid(_("Unknown state."), code="unknown_state", detail={"state": to})
    side = ref.receiving_organisation_id if to in BY_RECEIVER else ref.organisation_id
    actor.require(PERM, side)
    if not may_move(ref.state, to):
        raise Conflict(
            _("A referral cannot go from “%(from)s” to “%(to)s”.") % {"from": ref.state, "to": to},
            code="illegal_transition",
            detail={"from": ref.state, "to": to},
        )
    if to == S.DECLINED and not reason.strip():
        raise Invalid(_("Say why the referral is declined."), code="reason_required")
    now = timezone.now()
    with transaction.atomic():
        previous = ref.state
        ref.state = to
        ref.due_at = deadline(ref.urgency, to, now)
        if to in (S.ACCEPTED, S.DECLINED):
            ref.answered_at = now
            ref.answer_seconds = int((now - ref.sent_at).total_seconds())
        if to == S.DELIVERED:
            ref.delivered_at = now
            ref.delivery_seconds = int((now - ref.sent_at).total_seconds())
        if to == S.CLOSED:
            ref.closed_at = now
        if reason:
            ref.reason = reason
        ref.save()
        ReferralEvent.objects.create(
            referral=ref,
            from_state=previous,
            to_state=to,
            at=now,
            actor=actor.user,
            organisation_id=side,
            note=reason,
        )
        other = (
            ref.organisation_id
            if side == ref.receiving_organisation_id
            else ref.receiving_organisation_id
        )
        _notify(Organisation.objects.get(pk=other), ref, f"referral_{to}")
        announce("identification.referral", [ref.pk], actor, organisation_id=ref.organisation_id)
    return ref


def consent_withdrawn(
    actor: Actor, case: Case, purpose: str, recipient: Organisation | None
) -> int:
    """Mark the referrals already sent under a consent that was withdrawn, and tell their
    receivers (the data they hold stays theirs to handle; no new share is possible)."""
    qs = Referral.objects.filter(case=case, consent_withdrawn_at__isnull=True)
    if purpose == Consent.Purpose.SHARING and recipient is not None:
        qs = qs.filter(receiving_organisation=recipient, includes_identity=True)
    elif purpose != Consent.Purpose.REFERRAL:
        return 0
    refs = list(qs.select_related("receiving_organisation"))
    now = timezone.now()
    for ref in refs:
        ref.consent_withdrawn_at = now
        ref.save(update_fields=["consent_withdrawn_at"])
        _notify(ref.receiving_organisation, ref, "consent_withdrawn")
    if refs:
        announce(
            "identification.referral",
            [r.pk for r in refs],
            actor,
            organisation_id=case.organisation_id,
        )
    return len(refs)


MESSAGES = {
    "referral_received": "Referral {ref} received ({service}, urgency {urgency}).",
    "consent_withdrawn": "Consent withdrawn for referral {ref}: stop using the shared data.",
}


def _notify(org: Organisation, ref: Referral, kind: str) -> None:
    """A notice in the app and an e-mail to the organisation's referral managers. Never names
    the person: a referral reference and its state only."""
    template = MESSAGES.get(kind, "Referral {ref}: {state}.")
    message = template.format(
        ref=str(ref.uuid)[:8], service=ref.service_type, urgency=ref.urgency, state=ref.state
    )
    Notification.objects.create(organisation=org, referral=ref, kind=kind, message=message)
    emails = _emails_of(org)
    if emails:
        send_mail(
            f"[Vigie] {message}",
            message,
            getattr(settings, "DEFAULT_FROM_EMAIL", "vigie@localhost"),
            emails,
            fail_silently=True,
        )


def _emails_of(org: Organisation) -> list[str]:
    out = []
    from vigie.core.roles import catalogue

    roles = [code for code, r in catalogue().roles.items() if PERM in r.permissions]
    for m in Membership.objects.filter(organisation=org, role__in=roles).select_related("user"):
        if m.user.email and m.user.email not in out:
            out.append(m.user.email)
    return out


# reads -----------------------------------------------------------------------------------


def visible_referrals(actor: Actor) -> Any:
    """Referrals the actor's organisations sent or received."""
    qs = Referral.objects.all()
    orgs = actor.organisations_with(PERM)
    if orgs is access.ALL:
        return qs
    from django.db.models import Q

    return qs.filter(Q(organisation_id__in=orgs) | Q(receiving_organisation_id__in=orgs))


def get_referral_for(actor: Actor, uuid: Any) -> Referral:
    ref = (
        visible_referrals(actor)
        .select_related("organisation", "receiving_organisation")
        .filter(uuid=uuid)
        .first()
    )
    if ref is None:
        raise NotFound(_("No such referral."), code="referral_not_found")
    return ref


def shared_view(actor: Actor, ref: Referral) -> dict[str, Any]:
    """What was shared, exactly as it was at sharing time; every view is in the access log."""
    data: dict[str, Any] = json.loads(ref.snapshot or "{}")
    # under the organisation the viewer sees it through, so that its auditors see the view
    # (the sender's staff reading what they shared were logged under the receiver)
    orgs = actor.organisations_with(PERM)
    through = (
        ref.receiving_organisation
        if orgs is access.ALL or ref.receiving_organisation_id in orgs
        else ref.organisation
    )
    record_access(
        actor,
        "view",
        "identification.referral",
        str(ref.uuid),
        list(data),
        organisation_code=through.code,
        detail={"identity": ref.includes_identity},
    )
    return data


def overdue(actor: Actor, now: dt.datetime | None = None) -> Any:
    return visible_referrals(actor).filter(state__in=OPEN, due_at__lt=now or timezone.now())


def responsible_organisation(case: Case) -> Organisation:
    """Who is responsible for the case now: the receiver of the latest accepted transfer, else
    the organisation that owns the case (the case's rows stay with their owner; ADR 0701)."""
    ref = (
        Referral.objects.filter(
            case=case, kind=Referral.Kind.TRANSFER, state__in=[S.ACCEPTED, S.DELIVERED, S.CLOSED],
            answered_at__isnull=False,
        )
        .select_related("receiving_organisation")
        .order_by("-answered_at", "-id")
        .first()
    )  # fmt: skip
    return ref.receiving_organisation if ref is not None else case.organisation


def suggest_routes(case: Case) -> list[dict[str, Any]]:
    """Mandate-based suggestions (data/referrals.yaml "routing") for a case's victims."""
    victims = list(
        Victim.objects.filter(case=case).values(
            "displacement_status", "age_at_identification", "age_group_at_identification"
        )
    )
    out = []
    for rule in config()["routing"]:
        when = rule["when"]
        for v in victims:
            child = v["age_group_at_identification"] == "child" or (
                v["age_at_identification"] is not None and v["age_at_identification"] < 18
            )
            if v["displacement_status"] in when.get("displacement_status", ()) or (
                when.get("child") and child
            ):
                orgs = list(
                    Organisation.objects.filter(
                        code__in=rule["organisations"], is_active=True
                    ).values_list("code", flat=True)
                )
                out.append(
                    {"mandate": rule["mandate"], "organisations": orgs, "label": rule["label"]}
                )
                break
    return out
