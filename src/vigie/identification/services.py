"""Writes for identification interviews, consent, the case plan, closure and non-punishment.
Referrals are in :mod:`vigie.identification.referrals`, the directory in ``directory``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.cases.models import Case, Victim
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid
from vigie.core.events import announce
from vigie.core.models import Organisation
from vigie.identification import casebridge, indicators
from vigie.identification.models import Closure, Consent, Interview, NonPunishment, PlanItem

INTERVIEW = "identification.interview"
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "notes",
    "sex",
    "age",
    "citizenship",
    "displacement_status",
    "country",
    "conflict_situation",
)
IDENTITY_FIELDS = ("given_name", "family_name", "notes")
LANGUAGES = ("en", "fr", "ar")
NEEDS = (
    "shelter",
    "medical",
    "psychosocial",
    "legal_aid",
    "documentation",
    "family_tracing",
    "voluntary_return",
    "reintegration",
    "livelihood",
)
CLOSURE_REASONS = (
    "plan_completed",
    "transferred",
    "person_declined",
    "lost_contact",
    "relocated",
    "deceased",
    "not_a_victim",
)


def _org(actor: Actor) -> int:
    if actor.organisation_id is None:
        raise Invalid(_("Name the organisation this is for."), code="organisation_required")
    return actor.organisation_id


def _check_person(actor: Actor, org_id: int, data: dict[str, Any]) -> None:
    given = [k for k in IDENTITY_FIELDS if data.get(k)]
    if given and not actor.has_perm("victim.identity.view", org_id):
        raise Forbidden(
            _("You need the permission “%(perm)s” for this.") % {"perm": "victim.identity.view"},
            code="permission_required",
            detail={"permission": "victim.identity.view", "fields": given},
        )


def start_interview(actor: Actor, list_code: str, language: str = "en", **person: Any) -> Interview:
    org_id = _org(actor)
    actor.require(INTERVIEW, org_id)
    iset = indicators.indicator_set()
    iset.list(list_code)
    if language not in LANGUAGES:
        raise Invalid(
            _("Unknown language."), code="unknown_language", detail={"language": language}
        )
    _check_person(actor, org_id, person)
    with transaction.atomic():
        interview = Interview(
            organisation_id=org_id,
            interviewer=actor.user,
            list_code=list_code,
            language=language,
            indicator_set=iset.code,
        )
        for k in PERSON_FIELDS:
            if k in person:
                setattr(interview, k, person[k])
        interview.save()
        announce(
            "identification.interview",
            [interview.pk],
            actor,
            action="created",
            organisation_id=org_id,
        )
    return interview


def save_draft(actor: Actor, interview: Interview, **changes: Any) -> Interview:
    """Keep the answers given so far (the page saves after each step, so nothing is lost)."""
    actor.require(INTERVIEW, interview.organisation_id)
    if interview.status != Interview.Status.DRAFT:
        raise Conflict(_("This interview is already decided."), code="interview_decided")
    _check_person(actor, interview.organisation_id, changes)
    if "list_code" in changes:
        indicators.indicator_set(interview.indicator_set).list(changes["list_code"])
        interview.list_code = changes["list_code"]
    if "present" in changes:
        present = sorted(set(changes["present"]))
        indicators.score(interview.list_code, present, interview.indicator_set)
        interview.present = present
    if "language" in changes and changes["language"] in LANGUAGES:
        interview.language = changes["language"]
    for k in PERSON_FIELDS:
        if k in changes:
            setattr(interview, k, changes[k])
    with transaction.atomic():
        interview.save()
        announce(
            "identification.interview",
            [interview.pk],
            actor,
            organisation_id=interview.organisation_id,
        )
    return interview


def case_record(
    interview: Interview, result: indicators.Result, with_identity: bool
) -> dict[str, Any]:
    """The nested case record (vigie.cases.records) the interview's answers prefill."""
    victim: dict[str, Any] = {"key": "v1", "trafficking_status": "possible"}
    if interview.sex:
        victim["sex"] = interview.sex
    if interview.age is not None:
        victim["age_at_identification"] = interview.age
    if interview.citizenship:
        victim["citizenship"] = interview.citizenship
    if interview.displacement_status:
        victim["displacement_status"] = interview.displacement_status
    if with_identity:
        for k in ("given_name", "family_name"):
            if getattr(interview, k):
                victim[k] = getattr(interview, k)
    implied = indicators.prefill(interview.list_code, interview.present, interview.indicator_set)
    record: dict[str, Any] = {
        "source_type": "case_management",
        "identification_date": timezone.localdate().isoformat(),
        "victims": [victim],
        "exploitations": [{"victim": "v1", **implied}],
    }
    if interview.country:
        record["country"] = interview.country
    if interview.conflict_situation:
        record["conflict_situation"] = interview.conflict_situation
    return record


def decide(actor: Actor, interview: Interview, open_case: bool) -> Interview:
    """Score the answers with the set in force and either open a case (prefilled) or record
    that trafficking is not indicated. The result keeps the set's version."""
    actor.require(INTERVIEW, interview.organisation_id)
    if interview.status != Interview.Status.DRAFT:
        raise Conflict(_("This interview is already decided."), code="interview_decided")
    result = indicators.score(interview.list_code, interview.present, interview.indicator_set)
    if not open_case and result.indicated:
        raise Conflict(
            _("The indicators point to trafficking: open a case."),
            code="trafficking_indicated",
        )
    with transaction.atomic():
        interview.result = result.as_dict()
        interview.indicator_version = result.version
        interview.indicated = result.indicated
        interview.decided_at = timezone.now()
        if open_case:
            org = Organisation.objects.get(pk=interview.organisation_id)
            identity = actor.has_perm("victim.identity.view", org.pk)
            interview.case = casebridge.create_case(
                actor, org, case_record(interview, result, identity)
            )
            interview.status = Interview.Status.CASE_OPENED
        else:
            interview.status = Interview.Status.NOT_INDICATED
        interview.save()
        announce(
            "identification.interview",
            [interview.pk],
            actor,
            organisation_id=interview.organisation_id,
        )
    return interview


# consent ---------------------------------------------------------------------------------


def _is_child(case: Case, victim: Victim | None) -> bool:
    people = [victim] if victim is not None else list(Victim.objects.filter(case=case))
    return any(
        v.age_group_at_identification == "child"
        or (v.age_at_identification is not None and v.age_at_identification < 18)
        for v in people
    )


def record_consent(
    actor: Actor,
    case: Case,
    purpose: str,
    decision: str,
    *,
    recipient: Organisation | None = None,
    victim: Victim | None = None,
    given_by: str = Consent.GivenBy.PERSON,
    guardian_name: str = "",
    bid_reference: str = "",
    language: str = "en",
) -> Consent:
    """Record a consent decision. A child's consent is given by a guardian or a best-interests
    determination; withdrawing it marks the referrals already sent (their receivers see it)."""
    actor.require("referral.manage", case.organisation_id)
    if purpose not in Consent.Purpose.values or decision not in Consent.Decision.values:
        raise Invalid(_("Unknown purpose or decision."), code="invalid_consent")
    if given_by not in Consent.GivenBy.values:
        raise Invalid(_("Unknown consent giver."), code="invalid_consent")
    if purpose == Consent.Purpose.SHARING and recipient is None:
        raise Invalid(_("Sharing consent names the organisation."), code="recipient_required")
    if (
        decision == Consent.Decision.GIVEN
        and given_by == Consent.GivenBy.PERSON
        and _is_child(case, victim)
    ):
        raise Invalid(
            _(
                "A child's consent is given by a parent or guardian or by a best-interests "
                "determination."
            ),
            code="child_consent",
        )
    if given_by == Consent.GivenBy.BID and not bid_reference:
        raise Invalid(
            _("Give the best-interests determination reference."), code="bid_reference_required"
        )
    with transaction.atomic():
        consent = Consent.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            victim=victim,
            purpose=purpose,
            recipient=recipient,
            decision=decision,
            given_by=given_by,
            guardian_name=guardian_name or None,
            bid_reference=bid_reference,
            language=language,
            recorded_by=actor.user,
        )
        announce(
            "identification.consent",
            [consent.pk],
            actor,
            action="created",
            organisation_id=case.organisation_id,
        )
        if purpose == Consent.Purpose.STATISTICS:
            # the case's rows in the statistics change: consumers of case changes refresh it
            announce(
                "cases.case",
                [case.pk],
                actor,
                organisation_id=case.organisation_id,
                uuids=[case.uuid],
            )
        if decision == Consent.Decision.WITHDRAWN:
            from vigie.identification import referrals

            referrals.consent_withdrawn(actor, case, purpose, recipient)
    return consent


def consent_in_force(case: Case, purpose: str, recipient: Organisation | None = None) -> str | None:
    """The latest decision for the purpose (and recipient), or None when never asked."""
    qs = Consent.objects.filter(case=case, purpose=purpose)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    latest = qs.order_by("-recorded_at", "-id").values_list("decision", flat=True).first()
    return latest


# case plan, closure, non-punishment --------------------------------------------------------


def add_plan_item(actor: Actor, case: Case, need: str, **fields: Any) -> PlanItem:
    actor.require("case.change", case.organisation_id)
    if need not in NEEDS:
        raise Invalid(
            _("Unknown need."), code="unknown_need", detail={"need": need, "known": list(NEEDS)}
        )
    with transaction.atomic():
        item = PlanItem.objects.create(
            organisation_id=case.organisation_id, case=case, need=need, **fields
        )
        announce(
            "identification.planitem",
            [item.pk],
            actor,
            action="created",
            organisation_id=case.organisation_id,
        )
    return item


def update_plan_item(actor: Actor, item: PlanItem, **fields: Any) -> PlanItem:
    actor.require("case.change", item.organisation_id)
    if "status" in fields and fields["status"] not in PlanItem.Status.values:
        raise Invalid(_("Unknown status."), code="invalid_status")
    for k, v in fields.items():
        setattr(item, k, v)
    if item.status == PlanItem.Status.DONE and item.done_date is None:
        item.done_date = timezone.localdate()
    with transaction.atomic():
        item.save()
        announce("identification.planitem", [item.pk], actor, organisation_id=item.organisation_id)
    return item


def close_case(actor: Actor, case: Case, reason: str, note: str = "") -> Closure:
    actor.require("case.change", case.organisation_id)
    if reason not in CLOSURE_REASONS:
        raise Invalid(
            _("Unknown closure reason."),
            code="unknown_reason",
            detail={"known": list(CLOSURE_REASONS)},
        )
    if Closure.objects.filter(case=case).exists():
        raise Conflict(_("This case is already closed."), code="already_closed")
    with transaction.atomic():
        closure = Closure.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            reason=reason,
            note=note,
            closed_by=actor.user,
        )
        PlanItem.objects.filter(case=case, status__in=["planned", "in_progress"]).update(
            status="cancelled"
        )
        announce(
            "identification.closure",
            [closure.pk],
            actor,
            action="created",
            organisation_id=case.organisation_id,
        )
    return closure


RELEASE_CHECKLIST = (
    "assessed_individually",
    "screened_as_victim",
    "not_detained_for_association",
    "child_handed_to_child_protection",
    "medical_psychosocial_offered",
    "legal_counsel_offered",
    "family_tracing_started",
)


def assess_non_punishment(actor: Actor, case: Case, **fields: Any) -> NonPunishment:
    """Record or update the non-punishment assessment (S/2017/939 paras 26 and 75)."""
    actor.require("case.change", case.organisation_id)
    checklist = fields.get("checklist") or {}
    unknown = sorted(set(checklist) - set(RELEASE_CHECKLIST))
    if unknown:
        raise Invalid(
            _("Unknown checklist items."), code="unknown_checklist", detail={"items": unknown}
        )
    with transaction.atomic():
        obj, created = NonPunishment.objects.get_or_create(
            case=case, defaults={"organisation_id": case.organisation_id}
        )
        for k, v in fields.items():
            setattr(obj, k, v)
        obj.updated_by = actor.user
        obj.save()
        announce(
            "identification.nonpunishment",
            [obj.pk],
            actor,
            action="created" if created else "changed",
            organisation_id=case.organisation_id,
        )
    return obj
