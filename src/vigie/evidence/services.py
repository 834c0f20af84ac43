"""Writes to the vault: ingest, custody events, sealing and approvals, transfer.

Every state change appends its custody entry in the same database transaction, so there is
never an item without its log entries nor a log entry without its item.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.cases.models import Case
from vigie.core import audit, events
from vigie.core.actor import Actor, Viewer
from vigie.core.errors import Forbidden, Invalid
from vigie.core.models import Organisation
from vigie.evidence import log, metadata
from vigie.evidence.models import (
    AccessApproval,
    Blob,
    Item,
    ItemLink,
    TechnicalMetadata,
    first_custody,
)
from vigie.evidence.store import ObjectStore, default_store

APPROVAL_HOURS = 24
KIND = "evidence.item"  # the change event's record type (vigie.core.events)
APPROVAL_KIND = "evidence.accessapproval"
IDENTIFYING_FIELDS = ("description", "collected_by", "place", "consent")


class EvidenceError(Invalid):
    """A request the vault refuses; the message says why (400 unless a subclass says)."""

    default_code = "evidence_refused"


@dataclass
class Collection:
    """How, when, where, by whom and under what consent an item was obtained."""

    case_ref: str
    description: str = ""
    collected_at: dt.datetime | None = None
    collected_by: str = ""
    place: str = ""
    consent: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    # Perpetrators and incidents of the case (each by its UUID or its number).
    perpetrators: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)
    # True: ``case_ref`` is a reference outside Vigie (another system, a court file) and is
    # kept as given; False (the default): it must name a case record the user may see.
    external_case: bool = False


@dataclass
class Ingested:
    item: Item
    duplicate_of: Item | None
    created_object: bool
    warning: str = ""


_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def who(actor: Actor) -> dict[str, Any]:
    """The custody log's actor fields: the user, or the system's label."""
    return {"user": actor.user, "actor_name": "" if actor.user is not None else actor.label}


def announce(item: Item, actor: Actor, action: str, kind: str = KIND, pk: Any = None) -> None:
    """The change event of one item (or of its access approval ``pk``), in the transaction."""
    events.announce(
        kind,
        [item.pk if pk is None else pk],
        actor,
        action=action,
        organisation_id=item.organisation_id,
    )


def _person(actor: Actor) -> Any:
    """The user behind a decision that needs a person (a request, an approval, a release)."""
    if actor.user is None:
        raise EvidenceError(_("a person must do this, not the system"))
    return actor.user


def safe_name(name: str) -> str:
    """The last path component only (no traversal), without control characters, <= 255."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE.sub("", base).strip().lstrip(".") or "unnamed"
    return base[:255]


def _check_collection(c: Collection) -> None:
    ref = (c.case_ref or "").strip()
    if not ref:
        raise EvidenceError(_("a case reference is required (--case)"))
    if len(ref) > 100:
        raise EvidenceError(
            _("case reference %(ref)s…: longer than 100 characters") % {"ref": ref[:20]}
        )
    if c.collected_at and c.collected_at > timezone.now() + dt.timedelta(minutes=5):
        raise EvidenceError(
            _("collected at %(when)s: in the future") % {"when": c.collected_at.isoformat()}
        )
    for kind, _ref in c.links:
        if kind not in ItemLink.Kind.values:
            raise EvidenceError(f"link kind {kind!r}: expected one of {ItemLink.Kind.values}")


def resolve_case(actor: Actor, organisation: Organisation, collection: Collection) -> Any:
    """The cases.Case that ``collection.case_ref`` names in ``organisation``, or None for an
    external reference. The system (``--as-system``): any case of the organisation;
    a user: only a case they may see (cases selectors).

    Raises EvidenceError naming the reference when no such case exists and the reference is
    not declared external."""
    from vigie.cases.selectors import visible_cases

    ref = (collection.case_ref or "").strip()
    if not ref:
        raise EvidenceError(_("a case reference is required (--case)"))
    if collection.external_case:
        return None
    qs = visible_cases(actor.user) if actor.user is not None else Case.objects.all()
    case = qs.filter(organisation=organisation, reference=ref).first()
    if case is None:
        raise EvidenceError(
            _(
                "case %(ref)s: no such case in organisation %(org)s that you may see; "
                "give an existing case reference, or declare it an external reference"
            )
            % {"ref": ref, "org": organisation.code}
        )
    return case


def resolve_links(case: Any, collection: Collection) -> list[ItemLink]:
    """Unsaved links (besides the case link) for ``collection``: its free references and the
    perpetrators and incidents it names, which must belong to ``case`` (the user may see
    the case, so may link to its records). Raises EvidenceError naming a bad reference."""
    from vigie.cases.models import Incident, Perpetrator

    out = [ItemLink(kind=kind, reference=ref[:100]) for kind, ref in collection.links]
    wanted = [("perpetrator", r, Perpetrator) for r in collection.perpetrators] + [
        ("incident", r, Incident) for r in collection.incidents
    ]
    for kind, ref, model in wanted:
        ref = str(ref).strip()
        if case is None:
            raise EvidenceError(
                _(
                    "%(kind)s %(ref)s: only a case record (not an external reference) "
                    "has perpetrators and incidents to link to"
                )
                % {"kind": kind, "ref": ref}
            )
        qs = model.objects.filter(case=case)
        record = None
        if ref.isdigit():
            record = qs.filter(pk=int(ref)).first()
        elif len(ref) == 36:
            try:
                record = qs.filter(uuid=ref).first()
            except ValidationError:
                record = None
        if record is None:
            raise EvidenceError(
                _("%(kind)s %(ref)s: no such record in case %(case)s")
                % {"kind": kind, "ref": ref, "case": case.reference}
            )
        link = ItemLink(kind=kind, reference=str(record.uuid))
        setattr(link, kind, record)
        if all(o.reference != link.reference for o in out):
            out.append(link)
    return out


def ingest(
    actor: Actor,
    organisation: Organisation,
    source: BinaryIO,
    *,
    name: str,
    collection: Collection,
    derived_from: Item | None = None,
    derivation: str = "",
    sign: bool = True,
    store: ObjectStore | None = None,
) -> Ingested:
    """Store ``source`` and create its item with its first custody entries."""
    actor.require("evidence.add", organisation.pk)
    _check_collection(collection)
    case = resolve_case(actor, organisation, collection)
    links = resolve_links(case, collection)
    if derived_from is not None:
        if derived_from.organisation_id != organisation.pk:
            raise EvidenceError("a derived item belongs to its source's organisation")
        if derivation not in Item.Derivation.values or not derivation:
            raise EvidenceError(
                f"derivation {derivation!r}: expected one of redacted, "
                "transcript, translation, conversion, other"
            )
    store = store or default_store()
    stored = store.put(source)
    clean_name = safe_name(name)
    ftype = metadata.detect(stored.head, clean_name)
    warning = metadata.mismatch(clean_name, ftype)
    extracted: metadata.Extracted | None = None
    if not Blob.objects.filter(sha256=stored.sha256).exists():
        raw = None
        if stored.size <= metadata.MAX_EXTRACT_BYTES and (
            ftype.mime_type.startswith("image/") or ftype.mime_type == "application/pdf"
        ):
            raw = b"".join(store.open(stored.sha256))
        extracted = (
            metadata.extract(None, raw, ftype)
            if raw is not None
            else metadata.Extracted("none", {"note": "no extractor for this type or too large"})
        )
    with transaction.atomic():
        blob, created = Blob.objects.get_or_create(
            sha256=stored.sha256,
            defaults={
                "sha512": stored.sha512,
                "size": stored.size,
                "key_id": stored.key_id,
                "mime_type": ftype.mime_type[:120],
                "type_name": ftype.name[:200],
                "extension": ftype.extension[:20],
            },
        )
        if created:
            ex = extracted or metadata.Extracted("none")
            TechnicalMetadata.objects.create(
                blob=blob,
                extractor=ex.extractor,
                data=cast(Any, ex.data),  # EncryptedJSONField: a dict, stored encrypted
                problems="\n".join(ex.problems),
            )
        # the same bytes are linked to the organisation's own original only: naming another
        # organisation's item would tell the uploader that it holds this file (issue 15)
        first = (
            Item.objects.filter(blob=blob, organisation=organisation, duplicate_of__isnull=True)
            .order_by("id")
            .first()
        )
        item = Item.objects.create(
            organisation=organisation,
            case_ref=collection.case_ref.strip(),
            blob=blob,
            original_name=clean_name,
            description=collection.description or None,
            collected_at=collection.collected_at,
            collected_by=collection.collected_by or None,
            place=collection.place or None,
            consent=collection.consent or None,
            source=derived_from,
            derivation=derivation if derived_from else "",
            duplicate_of=first,
            added_by=actor.user,
        )
        ItemLink.objects.create(item=item, kind="case", reference=item.case_ref, case=case)
        for link in links:
            link.item = item
        ItemLink.objects.bulk_create(links)
        by = who(actor)
        collected, received = first_custody(
            item.record(),
            sha512=blob.sha512,
            size=blob.size,
            mime_type=blob.mime_type,
            duplicate_of=str(first.uuid) if first else "",
            source=str(derived_from.uuid) if derived_from else "",
        )
        log.append(item, "collected", **by, detail=collected)
        log.append(item, "received", **by, detail=received)
        if derived_from is not None:
            log.append(
                derived_from,
                "derived",
                **by,
                detail={"derived_item": str(item.uuid), "derivation": derivation},
            )
        announce(item, actor, "created")
    if sign:
        log.sign_tree_head()
    return Ingested(item, first, stored.created, warning)


def view_item(actor: Actor, item: Item) -> None:
    """Record that the actor viewed the item's record (custody log and core access log);
    its file name and metadata are among the fields seen when the actor may see them."""
    from vigie.evidence import selectors

    fields = list(IDENTIFYING_FIELDS)
    if actor.user is None or selectors.may_see_identity(actor.user, item):
        fields += ["original_name", "metadata"]
    with transaction.atomic():
        log.append(item, "viewed", **who(actor))
        audit.record_access(
            actor,
            "view",
            "evidence.item",
            str(item.uuid),
            fields,
            item.organisation.code,
        )


def log_names_shown(user: Viewer, items: Iterable[Item]) -> None:
    """Record the file names a list showed (one access-log entry per organisation, naming
    the items); nothing when none was shown (ADR 0045)."""
    from vigie.evidence import selectors

    by_org: dict[str, list[str]] = {}
    for item in items:
        if selectors.may_see_identity(user, item):
            by_org.setdefault(item.organisation.code, []).append(str(item.uuid))
    for code, uuids in by_org.items():
        audit.record_access(
            user, "list", "evidence.item", "", ["original_name"], code, detail={"items": uuids}
        )


def open_content(actor: Actor, item: Item, store: ObjectStore | None = None) -> Iterator[bytes]:
    """The original bytes, for a user allowed to open them; the download is logged first."""
    from vigie.evidence import selectors

    if actor.user is not None and not selectors.may_open(actor.user, item):
        raise Forbidden(
            _("this item is sealed: ask for access approved by a second person"),
            code="item_sealed",
        )
    with transaction.atomic():
        log.append(item, "downloaded", **who(actor), detail={"sha256": item.blob.sha256})
        audit.record_access(
            actor,
            "download",
            "evidence.item",
            str(item.uuid),
            ["content"],
            item.organisation.code,
        )
    return (store or default_store()).open(item.blob.sha256)


def seal_item(actor: Actor, item: Item, reason: str) -> Item:
    actor.require("evidence.seal", item.organisation_id)
    if item.sealed:
        raise EvidenceError(_("this item is already sealed"))
    if not reason.strip():
        raise EvidenceError(_("say why the item is sealed"))
    with transaction.atomic():
        item.sealed, item.sealed_at, item.sealed_by = True, timezone.now(), actor.user
        item.save(update_fields=["sealed", "sealed_at", "sealed_by"])
        log.append(item, "sealed", **who(actor), detail={"reason": reason.strip()[:500]})
        announce(item, actor, "changed")
    log.sign_tree_head()
    return item


def release_item(actor: Actor, item: Item, reason: str) -> Item:
    """Unseal; the person who releases must not be the person who sealed."""
    actor.require("evidence.seal", item.organisation_id)
    user = _person(actor)
    if not item.sealed:
        raise EvidenceError(_("this item is not sealed"))
    if item.sealed_by_id == user.pk:
        raise EvidenceError(_("a second person must release an item you sealed"))
    with transaction.atomic():
        item.sealed, item.sealed_at, item.sealed_by = False, None, None
        item.save(update_fields=["sealed", "sealed_at", "sealed_by"])
        log.append(item, "released", user=user, detail={"reason": reason.strip()[:500]})
        announce(item, actor, "changed")
    log.sign_tree_head()
    return item


def request_access(actor: Actor, item: Item, reason: str) -> AccessApproval:
    actor.require("evidence.view", item.organisation_id)
    user = _person(actor)
    if not item.sealed:
        raise EvidenceError(_("this item is not sealed: no approval is needed"))
    if not reason.strip():
        raise EvidenceError(_("say why you need access"))
    with transaction.atomic():
        approval = AccessApproval.objects.create(
            item=item, requested_by=user, reason=reason.strip()
        )
        announce(item, actor, "created", kind=APPROVAL_KIND, pk=approval.pk)
    return approval


def approve_access(actor: Actor, approval: AccessApproval) -> AccessApproval:
    item = approval.item
    actor.require("evidence.seal", item.organisation_id)
    user = _person(actor)
    if approval.requested_by_id == user.pk:
        raise EvidenceError(_("a second person must approve your own request"))
    if approval.approved_at is not None:
        raise EvidenceError(_("this request is already approved"))
    with transaction.atomic():
        approval.approved_by = user
        approval.approved_at = timezone.now()
        approval.expires_at = approval.approved_at + dt.timedelta(hours=APPROVAL_HOURS)
        approval.save(update_fields=["approved_by", "approved_at", "expires_at"])
        log.append(
            item,
            "accessed",
            user=user,
            detail={
                "approved_for": approval.requested_by.username,
                "reason": approval.reason[:500],
                "until": approval.expires_at.isoformat(),
            },
        )
        announce(item, actor, "changed", kind=APPROVAL_KIND, pk=approval.pk)
    log.sign_tree_head()
    return approval


def record_receipt(actor: Actor, item: Item, detail: dict[str, Any]) -> None:
    """Record, in the item's custody log, that it came from another system (a field
    submission: form, instance, device, time and hash at receipt) — a ``transferred`` entry."""
    actor.require("evidence.add", item.organisation_id)
    with transaction.atomic():
        log.append(item, "transferred", **who(actor), detail=detail)
        announce(item, actor, "changed")


def transfer_item(actor: Actor, item: Item, to: Organisation, reason: str) -> Item:
    """Custody passes to another organisation (which then owns the item)."""
    actor.require("evidence.export", item.organisation_id)
    if to.pk == item.organisation_id:
        raise EvidenceError(_("the item already belongs to that organisation"))
    if not reason.strip():
        raise EvidenceError(_("say why custody passes"))
    with transaction.atomic():
        log.append(
            item,
            "transferred",
            **who(actor),
            detail={"from": item.organisation.code, "to": to.code, "reason": reason[:500]},
        )
        item.organisation = to
        item.save(update_fields=["organisation"])
        announce(item, actor, "changed")
    log.sign_tree_head()
    return item
