"""The one writer of designation dossiers (the aggregate: a dossier with its aliases,
identifiers, linked cases, facts, review steps and exports).

Every function takes the :class:`~vigie.core.actor.Actor` first, checks its permission in the
dossier's organisation, writes in one transaction and announces ``dossiers.dossier`` (ADR
0008). Content changes only while the dossier is a draft; the review workflow is
draft -> under review -> submitted, and back to draft with a reason. Four eyes: the person
who sent a dossier to review cannot submit it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access, events
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid, NotFound
from vigie.core.models import Organisation
from vigie.dossiers import regimes
from vigie.dossiers.models import Alias, Dossier, Export, Fact, Identifier, LinkedCase, Transition

KIND = "dossiers.dossier"
EDIT, REVIEW, VIEW, EXPORT = "dossier.edit", "dossier.review", "dossier.view", "dossier.export"
SOURCE_KINDS = ("case", "evidence", "hit", "document")
EDITABLE = [
    "primary_name",
    "birth_date",
    "birth_place",
    "title",
    "designation",
    "address",
    "narrative",
    "other_information",
    "nationalities",
    "gender",
]


class DossierError(Invalid):
    """A dossier request that cannot be honoured as given (400)."""

    default_code = "dossier_invalid"


class NotDraft(Conflict):
    """The dossier has left the draft state: its content is frozen (409)."""

    default_code = "dossier_not_draft"


class FourEyes(Forbidden):
    """The person who sent a dossier to review cannot also submit it (403)."""

    default_code = "four_eyes"


def _announce(dossier: Dossier, actor: Actor, action: str = "changed") -> None:
    events.announce(
        KIND,
        [dossier.pk],
        actor,
        action=action,
        organisation_id=dossier.organisation_id,
        uuids=[dossier.uuid],
    )


def _editable(actor: Actor, dossier: Dossier) -> None:
    actor.require(EDIT, dossier.organisation_id)
    if dossier.status != Dossier.Status.DRAFT:
        raise NotDraft(
            _("This dossier is %(status)s: only a draft can change.")
            % {"status": dossier.get_status_display()},
            detail={"status": dossier.status},
        )


def _clean(value: Any, limit: int = 20000) -> str:
    """Trimmed text (whitespace collapsed in short values); control characters and the two
    non-characters are refused: an XML export could not carry them."""
    raw = str(value or "")
    if any(
        (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r") or ch in "\ufffe\uffff"
        for ch in raw
    ):
        raise DossierError(_("A value contains control characters."), code="control_characters")
    text = " ".join(raw.split()) if limit <= 500 else raw.strip()
    if len(text) > limit:
        raise DossierError(_("A value is too long."), detail={"limit": limit})
    return text


def _countries(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    out = []
    for v in values or []:
        code = str(v).strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise DossierError(
                _("Countries are two-letter ISO 3166 codes."), detail={"value": code[:8]}
            )
        if code not in out:
            out.append(code)
    return out


def script_of(text: str) -> str:
    """The ISO 15924 code of the first letter's script (Latn, Arab, Ethi, Cyrl...)."""
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for word, code in (
            ("ARABIC", "Arab"),
            ("ETHIOPIC", "Ethi"),
            ("CYRILLIC", "Cyrl"),
            ("HEBREW", "Hebr"),
            ("CJK", "Hani"),
            ("HANGUL", "Hang"),
            ("DEVANAGARI", "Deva"),
            ("LATIN", "Latn"),
        ):
            if name.startswith(word):
                return code
        return "Zyyy"
    return "Zyyy"


def _next_reference(org: Organisation) -> str:
    year = timezone.now().year
    prefix = f"DOS-{org.code.upper()[:12]}-{year}-"
    taken = Dossier.objects.filter(reference__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def create_dossier(
    actor: Actor,
    *,
    kind: str,
    regime: str,
    primary_name: str,
    organisation_id: int | None = None,
    **fields: Any,
) -> Dossier:
    """Open a draft dossier on a person or entity for ``regime`` (a code of regimes.yaml)."""
    org_id = organisation_id or actor.organisation_id
    if org_id is None:
        raise DossierError(_("Say which organisation the dossier is for."))
    actor.require(EDIT, org_id)
    if kind not in Dossier.Kind.values:
        raise DossierError(_("A dossier is on an individual or an entity."), detail={"kind": kind})
    cat = regimes.catalogue()
    cat.get(regime)
    name = _clean(primary_name, 300)
    if not name:
        raise DossierError(_("The subject's name is required."), detail={"field": "primary_name"})
    org = Organisation.objects.get(pk=org_id)
    with transaction.atomic():
        dossier = Dossier(
            organisation=org,
            reference=_next_reference(org),
            kind=kind,
            regime=str(regime),
            regime_version=cat.version,
            primary_name=name,
            created_by=actor.user,
        )
        _apply(dossier, fields)
        dossier.save()
        _announce(dossier, actor, "created")
    return dossier


def _apply(dossier: Dossier, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DossierError(_("Unknown fields."), detail={"fields": sorted(unknown)})
    for name, value in fields.items():
        if name == "nationalities":
            dossier.nationalities = _countries(value)
        elif name == "gender":
            gender = _clean(value, 10).lower()
            if gender not in ("", "male", "female", "unknown"):
                raise DossierError(_("Gender is male, female or unknown."))
            dossier.gender = gender
        elif name in ("narrative", "other_information", "address"):
            setattr(dossier, name, _clean(value) or None)
        elif name == "primary_name":
            text = _clean(value, 300)
            if not text:
                raise DossierError(_("The subject's name is required."))
            dossier.primary_name = text
        else:
            setattr(dossier, name, _clean(value, 300) or None)


def update_dossier(actor: Actor, dossier: Dossier, **fields: Any) -> Dossier:
    """Change the subject's particulars or the narrative (drafts only)."""
    _editable(actor, dossier)
    with transaction.atomic():
        _apply(dossier, fields)
        dossier.save()
        _announce(dossier, actor)
    return dossier


def add_alias(
    actor: Actor, dossier: Dossier, name: str, *, kind: str | None = None, quality: str = "good"
) -> Alias:
    """Another name of the subject; its script is detected, and a name in a script other
    than the primary name's is, unless ``kind`` says otherwise, the Consolidated List's
    "name in original script"."""
    _editable(actor, dossier)
    text = _clean(name, 300)
    if not text:
        raise DossierError(_("The alias is empty."), detail={"field": "name"})
    script = script_of(text)
    if kind is None:
        other = script != script_of(dossier.primary_name)
        kind = Alias.Kind.ORIGINAL_SCRIPT if other else Alias.Kind.ALIAS
    # the Consolidated List separates aliases with ";" and original-script names with ","
    separator = "," if kind == Alias.Kind.ORIGINAL_SCRIPT else ";"
    if separator in text:
        raise DossierError(
            _("This name cannot contain “%(sep)s”: the Consolidated List uses it between names.")
            % {"sep": separator},
            code="name_separator",
        )
    if kind not in Alias.Kind.values or quality not in Alias.Quality.values:
        raise DossierError(_("Unknown alias kind or quality."))
    with transaction.atomic():
        alias = Alias.objects.create(
            dossier=dossier, name=text, kind=kind, quality=quality, script=script
        )
        _announce(dossier, actor)
    return alias


def add_identifier(
    actor: Actor,
    dossier: Dossier,
    *,
    type: str,
    number: str,
    country: str = "",
    issued: str = "",
    note: str = "",
) -> Identifier:
    _editable(actor, dossier)
    if type not in Identifier.Type.values:
        raise DossierError(_("Unknown document type."), detail={"type": type[:20]})
    number = _clean(number, 100)
    if not number:
        raise DossierError(_("The document number is required."), detail={"field": "number"})
    with transaction.atomic():
        ident = Identifier.objects.create(
            dossier=dossier,
            type=type,
            number=number,
            country=(_countries([country])[0] if country else ""),
            issued=_clean(issued, 20) or None,
            note=_clean(note, 300) or None,
        )
        _announce(dossier, actor)
    return ident


def link_case(
    actor: Actor, dossier: Dossier, case_uuid: Any, perpetrator_uuid: Any = None
) -> LinkedCase:
    """Record that the subject appears in a case the actor may see (``case.view`` in the
    case's organisation), optionally as one of its perpetrator records."""
    from vigie.cases.models import Case, Perpetrator

    _editable(actor, dossier)
    case = _visible(actor, Case.objects.all(), case_uuid, "case.view")
    perpetrator = None
    if perpetrator_uuid:
        perpetrator = Perpetrator.objects.filter(case=case, uuid=_uuid(perpetrator_uuid)).first()
        if perpetrator is None:
            raise NotFound(_("No such perpetrator in this case."), code="perpetrator_not_found")
    with transaction.atomic():
        link, _created = LinkedCase.objects.update_or_create(
            dossier=dossier,
            case=case,
            defaults={"perpetrator": perpetrator, "linked_by": actor.user},
        )
        _announce(dossier, actor)
    return link


def _uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DossierError(_("Not a valid identifier."), code="invalid_uuid") from None


def _visible(actor: Actor, qs: Any, uuid_value: Any, perm: str) -> Any:
    record = qs.filter(uuid=_uuid(uuid_value)).first()
    if record is None or not actor.has_perm(perm, record.organisation_id):
        raise NotFound(_("No such record."), code="not_found")
    return record


def _check_sources(actor: Actor, dossier: Dossier, sources: list[dict[str, Any]]) -> list[dict]:
    from vigie.evidence.models import Item
    from vigie.screening.models import Hit

    if not sources:
        raise DossierError(_("Each fact names at least one source."), detail={"field": "sources"})
    linked = {
        str(u)
        for u in LinkedCase.objects.filter(dossier=dossier).values_list("case__uuid", flat=True)
    }
    out = []
    for src in sources:
        kind = str(src.get("kind", ""))
        ref = _clean(src.get("ref", ""), 200)
        if kind not in SOURCE_KINDS or not ref:
            raise DossierError(
                _("A source is a case, an evidence item, a screening hit or a document."),
                detail={"kinds": list(SOURCE_KINDS)},
            )
        if kind == "case" and str(_uuid(ref)) not in linked:
            raise DossierError(_("Link the case to the dossier before citing it."))
        if kind == "evidence":
            _visible(actor, Item.objects.all(), ref, "evidence.view")
        if kind == "hit":
            hit = Hit.objects.filter(pk=_uuid(ref)).first()
            if hit is None or not actor.has_perm("screening.review", hit.organisation_id):
                raise NotFound(_("No such record."), code="not_found")
        out.append({"kind": kind, "ref": str(_uuid(ref)) if kind != "document" else ref})
    return out


def add_fact(
    actor: Actor,
    dossier: Dossier,
    *,
    criterion: str,
    statement: str,
    sources: list[dict[str, Any]],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Fact:
    """A fact about the subject, the regime's criterion it supports, and its sources."""
    _editable(actor, dossier)
    regimes.catalogue().get(dossier.regime).criterion(criterion)
    text = _clean(statement)
    if not text:
        raise DossierError(_("The fact is empty."), detail={"field": "statement"})
    if date_from and date_to and date_to < date_from:
        raise DossierError(_("The period ends before it starts."))
    checked = _check_sources(actor, dossier, sources)
    with transaction.atomic():
        fact = Fact.objects.create(  # type: ignore[misc]  # JSON in an encrypted field
            dossier=dossier,
            criterion=criterion,
            statement=text,
            sources=checked,
            date_from=date_from,
            date_to=date_to,
            created_by=actor.user,
        )
        _announce(dossier, actor)
    return fact


def remove_fact(actor: Actor, dossier: Dossier, fact_uuid: Any) -> None:
    _editable(actor, dossier)
    with transaction.atomic():
        deleted, _n = Fact.objects.filter(dossier=dossier, uuid=_uuid(fact_uuid)).delete()
        if not deleted:
            raise NotFound(_("No such fact."), code="not_found")
        _announce(dossier, actor)


# The review workflow -------------------------------------------------------------------

ACTIONS = {
    # action: (from, to, permission)
    "send_to_review": (Dossier.Status.DRAFT, Dossier.Status.UNDER_REVIEW, EDIT),
    "return_to_draft": (Dossier.Status.UNDER_REVIEW, Dossier.Status.DRAFT, REVIEW),
    "submit": (Dossier.Status.UNDER_REVIEW, Dossier.Status.SUBMITTED, REVIEW),
}


def record_transition(actor: Actor, dossier: Dossier, action: str, reason: str) -> Transition:
    """Move the dossier along the workflow, with the reason (required)."""
    if action not in ACTIONS:
        raise DossierError(_("Unknown action."), detail={"actions": list(ACTIONS)})
    source, target, perm = ACTIONS[action]
    actor.require(perm, dossier.organisation_id)
    reason = _clean(reason, 2000)
    if not reason:
        raise DossierError(_("Give the reason."), detail={"field": "reason"})
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status != source:
            raise Conflict(
                _("This dossier is %(status)s.") % {"status": locked.get_status_display()},
                code="dossier_wrong_state",
                detail={"status": locked.status, "action": action},
            )
        if action == "send_to_review" and not locked.facts.exists():
            raise DossierError(_("A dossier goes to review with at least one fact."))
        if action == "send_to_review" and not (locked.narrative or "").strip():
            raise DossierError(_("Write the narrative summary before the review."))
        if action == "submit":
            sender = (
                locked.transitions.filter(to_status=Dossier.Status.UNDER_REVIEW)
                .order_by("-id")
                .values_list("actor_id", flat=True)
                .first()
            )
            if actor.user is not None and sender == actor.user.pk:
                raise FourEyes(
                    _("Someone other than the person who sent it to review must submit it.")
                )
        step = Transition.objects.create(
            dossier=locked, from_status=source, to_status=target, actor=actor.user, reason=reason
        )
        locked.status = target
        locked.submitted_at = timezone.now() if target == Dossier.Status.SUBMITTED else None
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        _announce(locked, actor)
    dossier.status, dossier.submitted_at = locked.status, locked.submitted_at
    return step


def record_export(
    actor: Actor,
    dossier: Dossier,
    *,
    fmt: str,
    language: str,
    sha256: str,
    identity_fields: dict[str, list[str]],
) -> Export:
    """Note an export: one access-log entry for the dossier (its subject's identity) and
    one per case organisation whose victims' identities it carried."""
    from vigie.core import audit

    actor.require(EXPORT, dossier.organisation_id)
    codes = dict(Organisation.objects.values_list("code", "pk"))
    with transaction.atomic():
        export = Export.objects.create(
            dossier=dossier,
            format=fmt,
            language=language,
            with_identities=bool(identity_fields),
            sha256=sha256,
            exported_by=actor.user,
        )
        audit.record_access(
            actor,
            "export",
            KIND,
            str(dossier.uuid),
            ["primary_name", "aliases", "identifiers", "birth_date", "narrative"],
            organisation_code=dossier.organisation.code,
            detail={"format": fmt, "language": language, "sha256": sha256, "actor": actor.label},
        )
        for code, fields in sorted(identity_fields.items()):
            if (
                codes.get(code) is None
                or actor.user is None  # the system exports no identities (it never did)
                or not access.has_perm(actor.user, "victim.identity.export", codes[code])
            ):  # a provider must never get here; refuse rather than log a leak
                raise Forbidden(_("Victims' identities may not be exported."))
            audit.record_access(
                actor,
                "export",
                "cases.victim",
                str(dossier.uuid),
                fields,
                organisation_code=code,
                detail={"dossier": dossier.reference, "format": fmt},
            )
        _announce(dossier, actor)
    return export
