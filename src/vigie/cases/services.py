"""Writes to case records. Views, the API, importers and the command line call only these."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils.translation import gettext as _

from vigie.cases import codelists, records
from vigie.cases.models import Case, Exploitation, Incident, Perpetrator, Victim
from vigie.cases.search import terms
from vigie.cases.signals import IdRanges
from vigie.core import events
from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid
from vigie.core.models import Organisation

#: The change event's record type: a case with its victims, incidents, exploitations,
#: perpetrators, route and referrals is one record (``vigie.core.events``).
KIND = "cases.case"


class RecordInvalid(Invalid):
    """A record failed validation: ``problems`` says where and why (and which value, for
    the form that shows it again); ``errors`` (the API's problem document) leaves the
    values out, since they may identify someone."""

    default_code = "record_invalid"

    def __init__(self, problems: list[records.Problem]) -> None:
        self.problems = problems
        self.errors = [
            {"field": p.path or "", "message": str(p.message), "code": "invalid"} for p in problems
        ]
        super().__init__(
            _("The record is not valid: see “errors”."),
            detail={"fields": sorted({p.path for p in problems if p.path})},
        )


def may_record_identity(actor: Actor, organisation: Organisation) -> bool:
    return actor.has_perm("victim.identity.view", organisation.pk)


def may_refer(actor: Actor, organisation: Organisation) -> bool:
    """Referring a victim to a service is a decision about that person, not data entry: it
    needs ``referral.manage`` beside the right to change the case (imports excepted)."""
    return actor.has_perm("referral.manage", organisation.pk)


def _kept_links(instance: Case | None, data: dict[str, Any]) -> dict[str, set[str]]:
    """The uuids of the victims and incidents an update keeps as they are (their list is not
    sent) and a sent row names (``PATCH {"referrals": [...]}``); read only for those."""
    if instance is None:
        return {}
    named = {
        target
        for rows in data.values()
        if isinstance(rows, list)
        for row in rows
        if isinstance(row, dict)
        for link, target in (("victim", "victims"), ("incident", "incidents"))
        if row.get(link) and target not in data
    }
    return {
        section: {str(u) for u in getattr(instance, section).values_list("uuid", flat=True)}
        for section in named
    }


def _touches_referrals(data: dict[str, Any], instance: Case | None) -> bool:
    """The record gives referrals, or an empty list that would remove the case's."""
    if "referrals" not in data:
        return False
    return bool(data["referrals"]) or (instance is not None and instance.referrals.exists())


def _new_reference() -> str:
    return "C-" + uuidlib.uuid4().hex[:10].upper()


def _check_rights(
    actor: Actor,
    organisation: Organisation,
    data: dict[str, Any],
    instance: Case | None,
    perm: str | None,
) -> None:
    actor.require(perm or ("case.change" if instance else "case.create"), organisation.pk)
    checked = perm != "case.import" and not may_refer(actor, organisation)
    if checked and _touches_referrals(data, instance):
        raise Forbidden(
            _(
                "referrals: you may not refer victims to services (permission "
                "“referral.manage”); leave “referrals” out to keep them as they are"
            ),
            code="permission_required",
            detail={"permission": "referral.manage", "field": "referrals"},
        )


def check_record(
    actor: Actor,
    organisation: Organisation,
    data: dict[str, Any],
    *,
    instance: Case | None = None,
    perm: str | None = None,
) -> records.Parsed:
    """What :func:`save_record` checks before it writes, in the same order: the permission,
    the right to refer (403), then the record itself (:func:`records.validate`: the model
    fields' own conversion, choices, code lists and validators, and the record's rules),
    raising :class:`RecordInvalid` with every problem. The case API's serializer validates
    through it; the uniqueness of the reference is checked when writing."""
    _check_rights(actor, organisation, data, instance, perm)
    parsed = records.validate(
        data,
        allow_identity=may_record_identity(actor, organisation),
        kept=_kept_links(instance, data),
    )
    if parsed.problems:
        raise RecordInvalid(parsed.problems)
    return parsed


def save_record(
    actor: Actor,
    organisation: Organisation,
    data: dict[str, Any],
    *,
    instance: Case | None = None,
    perm: str | None = None,
    parsed: records.Parsed | None = None,
) -> Case:
    """Create (or, with ``instance``, update) a case and its children from a nested record.

    Children listed with a ``uuid`` that exists are updated (fields left out keep their
    values, so a user who cannot see identities does not erase them); children without one
    are created; existing children missing from a given list are deleted.

    Adding, changing or removing referrals needs ``referral.manage`` too, except in an
    import (``perm="case.import"``: importing records is not referring anyone); a record that
    leaves ``referrals`` out keeps them as they are.
    """
    if parsed is None:
        parsed = check_record(actor, organisation, data, instance=instance, perm=perm)
    else:
        _check_rights(actor, organisation, data, instance, perm)
        if parsed.problems:
            raise RecordInvalid(parsed.problems)
    _check_unique(organisation, parsed, instance)
    with transaction.atomic():
        case = instance or Case(organisation=organisation, created_by=actor.user)
        for name, value in parsed.case.items():
            setattr(case, name, value)
        if not case.reference:
            case.reference = _new_reference()
        if instance is None:
            _create_all(case, parsed)
        else:
            case.save()
            _save_children(case, parsed, replace=True, given=set(data))
            refresh_index(case)
        events.announce(
            KIND,
            [case.pk],
            actor,
            action="changed" if instance else "created",
            organisation_id=organisation.pk,
        )
    return case


def _build(case: Case, parsed: records.Parsed) -> dict[str, list[Any]]:
    """Every row of a new case in memory (unsaved), and the case's filter index."""
    built: dict[str, list[Any]] = {}
    keyed: dict[str, dict[str, Any]] = {"victims": {}, "incidents": {}}
    for section in ORDER:
        model = records.CHILDREN[section]
        objs = []
        for row in parsed.children.get(section, []):
            obj: Any = model(case=case)
            obj.organisation_id = case.organisation_id
            for name, value in row.items():
                if name.startswith("_"):
                    continue
                if name in ("victim", "incident"):
                    group = keyed["victims" if name == "victim" else "incidents"]
                    setattr(obj, name, group[value] if value else None)
                else:
                    setattr(obj, name, value)
            if isinstance(obj, Victim):
                records.fill_derived(obj)
            if isinstance(obj, Perpetrator):
                _fill_perpetrator(obj)
            objs.append(obj)
            if section in keyed:
                keyed[section][row["_key"]] = obj
        built[section] = objs
    compute_index(
        case,
        incidents=built["incidents"],
        victims=built["victims"],
        exploitations=built["exploitations"],
        perpetrators=built["perpetrators"],
        route=built["route"],
    )
    return built


def _create_all(case: Case, parsed: records.Parsed) -> None:
    """A new case: build every row in memory, index it, then insert (no read queries)."""
    built = _build(case, parsed)
    case.save()
    terms.refresh(case)
    for section in ORDER:
        for obj in built[section]:
            obj.case = case
            for link in ("victim", "incident"):
                target = getattr(obj, link, None) if hasattr(obj, f"{link}_id") else None
                if target is not None:
                    setattr(obj, link, target)  # refresh the id now that the target is saved
            obj.save()


def import_built(
    actor: Actor,
    organisation: Organisation,
    built: Any,
    keep: Any = None,
    existing: Any = None,
    stage: int | None = None,
    copies: Any = None,
) -> list[int]:
    """Write the cases of an import batch already built by ``bulk.build``: new ones are
    inserted (only those whose relative id is in ``keep``, if given) and those in
    ``existing`` (``{relative id: bulk_write.Existing}``) replace the stored case, set-based;
    their ids. Call inside a transaction. With ``stage`` the new cases are staged
    (invisible): the change event is announced when the stage is published
    (vigie.cases.interchange.staging), not now; ``copies`` (``{relative id: Existing}``)
    are staged as the new versions of those stored cases (ADR 0047)."""
    from vigie.cases.interchange import bulk_write

    actor.require("case.import", organisation.pk)
    ids = bulk_write.write(built, keep, existing, stage=stage, copies=copies)
    if stage is not None:
        return ids
    written = IdRanges()
    written.add(ids)
    replaced = len(existing or {})
    action = "created" if not replaced else "changed" if replaced == len(ids) else "mixed"
    events.announce(KIND, written, actor, action=action, organisation_id=organisation.pk)
    return ids


ORDER = ["incidents", "victims", "exploitations", "perpetrators", "route", "referrals"]


def _check_unique(
    organisation: Organisation, parsed: records.Parsed, instance: Case | None
) -> None:
    """A reference, and a source record id per source type, are unique in an organisation."""
    others = Case.objects.filter(organisation=organisation)
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    problems = []
    reference = parsed.case.get("reference")
    if reference and others.filter(reference=reference).exists():
        problems.append(records.Problem("reference", reference, _("is already used")))
    source_id = parsed.case.get("source_record_id")
    source_type = parsed.case.get("source_type", instance.source_type if instance else "")
    if source_id and others.filter(source_type=source_type, source_record_id=source_id).exists():
        problems.append(
            records.Problem(
                "source_record_id", source_id, _("is already recorded for this source type")
            )
        )
    if problems:
        raise RecordInvalid(problems)


def _save_children(case: Case, parsed: records.Parsed, *, replace: bool, given: set[str]) -> None:
    saved: dict[str, dict[str, Model]] = {"victims": {}, "incidents": {}}
    for section in ORDER:
        model = records.CHILDREN[section]
        manager = getattr(case, section)
        existing = {str(o.uuid): o for o in manager.all()} if replace else {}
        if replace and section not in given:
            for old in existing.values():
                saved.get(section, {})[str(old.uuid)] = old
            continue
        kept: set[str] = set()
        rows = parsed.children.get(section, [])
        # rows left out go first, and kept route legs step aside, so that renumbered legs
        # never collide with the unique (case, victim, sequence) on the way
        wanted = {str(row.get("_uuid")) for row in rows if row.get("_uuid")}
        for key in [k for k in existing if k not in wanted]:
            existing.pop(key).delete()
        if section == "route" and existing:
            manager.filter(uuid__in=list(existing)).update(sequence=F("sequence") + 1000)
        for row in rows:
            obj: Any = existing.get(row.get("_uuid", "")) or model(case=case)
            for name, value in row.items():
                if name.startswith("_"):
                    continue
                if name in ("victim", "incident"):
                    target = saved["victims" if name == "victim" else "incidents"].get(value)
                    setattr(obj, name, target)
                else:
                    setattr(obj, name, value)
            if isinstance(obj, Victim):
                records.fill_derived(obj)
            if isinstance(obj, Perpetrator):
                _fill_perpetrator(obj)
            obj.save()
            kept.add(str(obj.uuid))
            if section in saved:
                saved[section][row["_key"]] = obj
                saved[section][str(obj.uuid)] = obj


def _fill_perpetrator(p: Perpetrator) -> None:
    if p.group_code:
        group = codelists.get("armed_groups")[p.group_code]
        if not p.sanctions_ref and group.attrs.get("un_sanctions_ref"):
            p.sanctions_ref = str(group.attrs["un_sanctions_ref"])
        if not p.perpetrator_type:
            p.perpetrator_type = str(group.attrs.get("perpetrator_type") or "")
        if not p.kind:
            p.kind = Perpetrator.Kind.GROUP
    if not p.kind:
        p.kind = Perpetrator.Kind.PERSON if p.name else Perpetrator.Kind.GROUP


def refresh_index(case: Case) -> None:
    """Recompute the case's filter tokens and searchable (non-identifying) text."""
    compute_index(
        case,
        incidents=list(Incident.objects.filter(case=case)),
        victims=list(Victim.objects.filter(case=case)),
        exploitations=list(Exploitation.objects.filter(case=case)),
        perpetrators=list(Perpetrator.objects.filter(case=case)),
        route=list(case.route.all()),
    )
    Case.objects.filter(pk=case.pk).update(
        codes_index=case.codes_index, search_text=case.search_text
    )
    terms.refresh(case)


#: The case's own fields that begin its search text, in this order (an import that updates a
#: stored case rebuilds this part alone: ``bulk.Built.keep_stored``).
SEARCH_HEAD = ("reference", "summary", "area", "source_record_id")


def compute_index(
    case: Case,
    *,
    incidents: list[Incident],
    victims: list[Victim],
    exploitations: list[Exploitation],
    perpetrators: list[Perpetrator],
    route: list[Any],
) -> None:
    """Set ``codes_index`` (" form:x country:IQ sex:female ... ") and ``search_text``."""
    tokens: set[str] = set()
    text: list[str] = [getattr(case, n) for n in SEARCH_HEAD]
    if case.country:
        tokens.add(f"country:{case.country}")
    for inc in incidents:
        tokens.update(f"form:{f}" for f in inc.forms)
        tokens.update(f"means:{m}" for m in inc.means)
        if inc.country:
            tokens.add(f"country:{inc.country}")
        if inc.armed_group:
            tokens.add(f"group:{inc.armed_group}")
        for cell in Incident.COUNT_FIELDS:
            if getattr(inc, cell):
                _count, sex, age = cell.split("_")
                tokens.update({f"sex:{sex}", f"age:{age}"})
        text += [inc.description, inc.area]
    for v in victims:
        if v.sex:
            tokens.add(f"sex:{v.sex}")
        tokens.add(f"age:{v.age_group_at_identification or 'unknown'}")
        if v.citizenship:
            tokens.add(f"citizenship:{v.citizenship}")
        if v.displacement_status:
            tokens.add(f"displacement:{v.displacement_status}")
    for e in exploitations:
        tokens.update(f"form:{f}" for f in e.forms)
        tokens.update(f"means:{m}" for m in e.means)
        if e.country:
            tokens.add(f"country:{e.country}")
        text += [e.area, e.place_description]
    for p in perpetrators:
        if p.group_code:
            tokens.add(f"group:{p.group_code}")
        text.append(p.group_name)
    for leg in route:
        tokens.add(f"country:{leg.country}")
        if leg.corridor:
            tokens.add(f"corridor:{leg.corridor}")
        text.append(leg.area)
    case.codes_index = " " + " ".join(sorted(tokens)) + " "
    case.search_text = " ".join(t for t in text if t).casefold()


def delete_case(actor: Actor, case: Case) -> None:
    actor.require("case.delete", case.organisation_id)
    with transaction.atomic():
        events.announce(
            KIND,
            [case.pk],
            actor,
            action="deleted",
            organisation_id=case.organisation_id,
            uuids=[case.uuid],
        )
        case.delete()
