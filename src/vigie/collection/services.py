"""Writes of field collection: publish forms, issue and revoke device credentials, receive
submissions, accept or reject them. Views, the OpenRosa endpoints, the API and the CLI call
only these."""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.collection import adapters, digest, encryption, mapping, merge, receipt, xforms
from vigie.collection.models import (
    Attachment,
    Device,
    FieldTeam,
    Form,
    FormVersion,
    Publication,
    Submission,
)
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid, NotFound
from vigie.core.events import announce
from vigie.core.models import Organisation

MANAGE = "collection.manage"
REVIEW = "collection.review"


def publish_form(
    actor: Actor,
    data: bytes,
    file_name: str,
    organisations: list[Organisation],
    *,
    encrypt: bool = False,
    teams: list[str] | None = None,
) -> FormVersion:
    """Convert an XLSForm and publish its version to ``organisations`` (each must be one
    where the actor holds ``collection.manage``). A new version replaces the published one
    for those organisations; earlier versions and their submissions are kept. ``teams``: names
    of field teams (made in each organisation when new); only their devices see the form
    (none: every device of the organisations)."""
    if not organisations:
        raise Invalid(_("Choose at least one organisation."), code="organisations_required")
    for org in organisations:
        actor.require(MANAGE, org.pk)
    converted = xforms.convert_xlsform(data, file_name)
    private_key = None
    if encrypt:
        # ODK managed encryption: the XForm carries a new public key of this version
        private_key, public_key = encryption.new_keypair()
        converted.xform = encryption.add_public_key(converted.xform, public_key)
    with transaction.atomic():
        form = _form_published_as(actor, converted.form_id, converted.title, organisations)
        version = FormVersion.objects.filter(form=form, version=converted.version).first()
        if version is not None:
            # an encrypted version gets a new key at each conversion: compare the workbooks
            same = (
                version.xlsform_sha256 == hashlib.sha256(data).hexdigest()
                if encrypt
                else version.md5 == converted.md5
            )
            if not same or encrypt != bool(version.private_key):
                raise Conflict(
                    _("Version %(v)s of this form exists with other content: raise the version.")
                    % {"v": converted.version},
                    code="form_version_exists",
                    detail={"form_id": form.form_id, "version": converted.version},
                )
        if version is None:
            version = FormVersion.objects.create(
                form=form,
                version=converted.version,
                xform=converted.xform,
                md5=hashlib.md5(converted.xform.encode(), usedforsecurity=False).hexdigest(),
                private_key=private_key,
                xlsform_name=file_name[:255],
                xlsform_sha256=hashlib.sha256(data).hexdigest(),
                questions=converted.questions,
                warnings=converted.warnings,
                created_by=actor.user,
            )
            announce("collection.formversion", [version.pk], actor, action="created")
        if form.title != converted.title:
            form.title = converted.title
            form.save(update_fields=["title"])
            announce("collection.form", [form.pk], actor, action="changed")
        pubs = []
        names = sorted({t.strip()[:120] for t in teams or [] if t.strip()})
        for org in organisations:
            pub, _c = Publication.objects.update_or_create(
                form=form,
                organisation=org,
                defaults={"version": version, "is_open": True, "form_key": form.form_id},
            )
            pub.teams.set([team_named(actor, org, name) for name in names])
            pubs.append(pub.pk)
        announce("collection.publication", pubs, actor, action="changed")
    return version


def _form_published_as(
    actor: Actor, form_id: str, title: str, organisations: list[Organisation]
) -> Form:
    """The form that publishing ``form_id`` to ``organisations`` means: the one their devices
    already have under this id, else one of these organisations owns, else a new form owned
    by the first. Form ids are unique per owner; a device (ODK Collect) knows a form by its id
    alone, so an organisation is offered one form per id. Only the organisations the actor
    manages are consulted: whether another organisation uses this id is never told."""
    published = {
        pub.form
        for pub in Publication.objects.select_related("form").filter(
            organisation__in=organisations, form_key=form_id
        )
    }
    form = next(iter(published), None)
    if form is None:
        owners = {org.pk: rank for rank, org in enumerate(organisations)}
        mine = Form.objects.filter(owner_id__in=owners, form_id=form_id)
        form = min(mine, key=lambda f: owners[f.owner_id], default=None) or (
            Form.objects.create(form_id=form_id, title=title, owner=organisations[0])
        )
    if len(published) > 1 or not (actor.is_system or actor.has_perm(MANAGE, form.owner_id)):
        # told from these organisations' own publications, which their managers see
        raise Conflict(
            _(
                "One of these organisations already has another form with this id; "
                "change settings/form_id."
            ),
            code="form_id_published",
            detail={"form_id": form_id},
        )
    return form


def team_named(actor: Actor, organisation: Organisation, name: str) -> FieldTeam:
    """The organisation's field team of this name, made when new."""
    actor.require(MANAGE, organisation.pk)
    team, created = FieldTeam.objects.get_or_create(organisation=organisation, name=name)
    if created:
        announce(
            "collection.fieldteam",
            [team.pk],
            actor,
            action="created",
            organisation_id=organisation.pk,
        )
    return team


def save_mapping(
    actor: Actor, form: Form, organisation: Organisation, name: str, rules: Any
) -> Publication:
    """Save ``rules`` (a ``vigie.cases.interchange.mapping.Mapping``) as the organisation's
    mapping profile ``name`` (the case import's profiles: saving one needs ``case.import`` too)
    and use it for ``form``'s submissions in that organisation."""
    from django.core.exceptions import PermissionDenied

    from vigie.cases.interchange import profiles

    actor.require(MANAGE, organisation.pk)
    actor.require(profiles.PERM, organisation.pk)
    pub = Publication.objects.filter(form=form, organisation=organisation).first()
    if pub is None:
        raise NotFound(_("This form is not published to this organisation."))
    if not name.strip():
        raise Invalid(_("Give the mapping profile a name."), code="profile_name_required")
    with transaction.atomic():
        try:
            profile = profiles.save_profile(actor, organisation, name, rules, replace=True)
        except PermissionDenied:
            raise Forbidden(
                _("You may not save mapping profiles in this organisation."),
                code="permission_required",
                detail={"permission": profiles.PERM},
            ) from None
        announce("cases.mappingprofile", [profile.pk], actor, organisation_id=organisation.pk)
        pub.mapping_profile = profile
        pub.save(update_fields=["mapping_profile", "published_at"])
        announce("collection.publication", [pub.pk], actor, organisation_id=organisation.pk)
    return pub


def set_open(actor: Actor, publication: Publication, is_open: bool) -> Publication:
    """Close a form publication (its devices no longer see the form, and a submission to it
    is refused with ``form_closed``) or reopen it. Submissions already received stay in the
    review queue. Needs ``collection.manage`` in the publication's organisation; closing a
    closed one (or reopening an open one) changes nothing and announces nothing."""
    actor.require(MANAGE, publication.organisation_id)
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.is_open != is_open:
            locked.is_open = is_open
            # a plain save (not update()): the change log records it (changelog.register)
            locked.save(update_fields=["is_open"])
            announce(
                "collection.publication",
                [locked.pk],
                actor,
                action="changed",
                organisation_id=locked.organisation_id,
            )
    publication.refresh_from_db()
    return publication


@dataclass
class Issued:
    device: Device
    secret: str  # shown once, never stored


def issue_device(actor: Actor, organisation: Organisation, label: str, *, team: str = "") -> Issued:
    """New credentials for a device (of ``team``, made when new; none: it sees every form
    published to the organisation)."""
    actor.require(MANAGE, organisation.pk)
    label = label.strip()[:120]
    if not label:
        raise Invalid(_("Give the device or team a label."), code="label_required")
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        device = Device.objects.create(
            organisation=organisation,
            team=team_named(actor, organisation, team.strip()[:120]) if team.strip() else None,
            label=label,
            username=f"{organisation.code[:20]}-{secrets.token_hex(4)}",
            secret_hash=receipt.secret_digest(secret),
            created_by=actor.user,
        )
        device.digest_ha1 = digest.ha1_of(device.username, secret)
        device.save(update_fields=["digest_ha1"])
        announce(
            "collection.device",
            [device.pk],
            actor,
            action="created",
            organisation_id=organisation.pk,
        )
    return Issued(device, secret)


def revoke_device(actor: Actor, device: Device) -> Device:
    actor.require(MANAGE, device.organisation_id)
    with transaction.atomic():
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.save(update_fields=["revoked_at"])
            announce(
                "collection.device", [device.pk], actor, organisation_id=device.organisation_id
            )
    return device


def _waiting(actor: Actor, sub: Submission) -> None:
    actor.require(REVIEW, sub.organisation_id)
    if sub.status != Submission.Status.WAITING:
        raise Conflict(
            _("This submission has already been reviewed (%(status)s).")
            % {"status": sub.get_status_display()},
            code="already_reviewed",
        )


def accept(
    actor: Actor,
    sub: Submission,
    case: Any = None,
    *,
    victim: str | None = None,
    on_conflict: str = "refuse",
) -> Any:
    """Accept the submission into a new case, or into ``case`` (one of the submission's
    organisation, that the actor may change) by the merge rules of ``collection.merge``;
    its attachments go to the evidence vault."""
    _waiting(actor, sub)
    mapped = mapping.of_submission(sub)
    report: dict[str, list[str]] = {}
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=sub.pk)
        _waiting(actor, locked)
        if case is None:
            case = adapters.create_case(actor, sub.organisation, mapped.record)
        else:
            if case.organisation_id != sub.organisation_id:
                raise Invalid(
                    _("A submission joins a case of its own organisation only."),
                    code="case_other_organisation",
                )
            actor.require("case.change", case.organisation_id)
            case = type(case).objects.select_for_update().get(pk=case.pk)
            planned = merge.plan(
                case, mapped.record, sub.instance_id, victim=victim, on_conflict=on_conflict
            )
            report = planned.report()
            case = adapters.update_case(actor, case, planned.update)
        for att in sub.files.all():
            _to_vault(actor, sub, att, case)
        Submission.objects.filter(pk=sub.pk).update(
            status=Submission.Status.ACCEPTED,
            case=case,
            merge_report=report,
            reviewed_by=actor.user,
            reviewed_at=timezone.now(),
        )
        announce("collection.submission", [sub.pk], actor, organisation_id=sub.organisation_id)
    sub.refresh_from_db()
    return case


def _to_vault(actor: Actor, sub: Submission, att: Attachment, case: Any) -> None:
    from vigie.evidence import services as evidence

    data = base64.b64decode(att.content or "")
    if hashlib.sha256(data).hexdigest() != att.sha256:
        raise Conflict(
            _("An attachment changed since it was received; it was not moved."),
            code="attachment_altered",
            detail={"attachment": att.pk},
        )
    got = evidence.ingest(
        actor,
        sub.organisation,
        io.BytesIO(data),
        name=att.name,
        collection=evidence.Collection(
            case_ref=case.reference,
            collected_at=sub.received_at,
            collected_by=sub.device.label if sub.device else "",
        ),
        sign=False,
    )
    evidence.record_receipt(
        actor,
        got.item,
        {
            "from": "collection",
            "submission": str(sub.uuid),
            "form_id": sub.form_version.form.form_id,
            "form_version": sub.form_version.version,
            "instance_id": sub.instance_id,
            "device": sub.device.username if sub.device else "",
            "received_at": sub.received_at.isoformat(),
            "sha256_at_receipt": att.sha256,
        },
    )
    Attachment.objects.filter(pk=att.pk).update(evidence_item=got.item.uuid, content=None)
    announce("collection.attachment", [att.pk], actor, organisation_id=sub.organisation_id)


def reject(actor: Actor, sub: Submission, reason: str) -> Submission:
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say why the submission is rejected."), code="reason_required")
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=sub.pk)
        _waiting(actor, locked)
        locked.status = Submission.Status.REJECTED
        locked.reject_reason = reason
        locked.reviewed_by = actor.user
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
        announce("collection.submission", [sub.pk], actor, organisation_id=sub.organisation_id)
    return locked
