"""Writes of field collection: publish forms, issue and revoke device credentials, receive
submissions, accept or reject them. Views, the OpenRosa endpoints, the API and the CLI call
only these."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import mimetypes
import os
import secrets
from dataclasses import dataclass
from typing import Any

import puremagic
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.collection import adapters, digest, encryption, mapping, merge, xforms
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
from vigie.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from vigie.core.events import announce
from vigie.core.models import Organisation

MANAGE = "collection.manage"
REVIEW = "collection.review"
# Attachments a form may carry (ODK image, audio, video, file questions).
ALLOWED_TYPES = ("image/", "audio/", "video/", "application/pdf", "text/csv")


def max_submission_bytes() -> int:
    """The largest submission accepted (XML and attachments), announced to devices in
    ``X-OpenRosa-Accept-Content-Length``: a setting, else the environment, else 20 MB."""
    configured = getattr(settings, "VIGIE_COLLECTION_MAX_BYTES", None)
    return int(configured or os.environ.get("VIGIE_COLLECTION_MAX_BYTES") or 20 * 1024 * 1024)


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
    owner = organisations[0]
    with transaction.atomic():
        form, _created = Form.objects.get_or_create(
            form_id=converted.form_id, defaults={"title": converted.title, "owner": owner}
        )
        if not actor.is_system and not actor.has_perm(MANAGE, form.owner_id):
            raise Conflict(
                _("Another organisation owns a form with this id; change settings/form_id."),
                code="form_id_taken",
                detail={"form_id": form.form_id},
            )
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
                form=form, organisation=org, defaults={"version": version, "is_open": True}
            )
            pub.teams.set([team_named(actor, org, name) for name in names])
            pubs.append(pub.pk)
        announce("collection.publication", pubs, actor, action="changed")
    return version


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


@dataclass
class Issued:
    device: Device
    secret: str  # shown once, never stored


def _digest(secret: str) -> str:
    # the secret is 192 random bits: a keyed fast hash is enough (no password stretching),
    # and keeps a submission's authentication cheap on a busy day
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


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
            secret_hash=_digest(secret),
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


def authenticate(username: str, secret: str) -> Device | None:
    """The active device with these credentials, or None (revoked devices: None at once)."""
    device = (
        Device.objects.select_related("organisation")
        .filter(username=username, revoked_at__isnull=True, organisation__is_active=True)
        .first()
    )
    if device is None or not hmac.compare_digest(device.secret_hash, _digest(secret)):
        return None
    return device


def visible_publications(device: Device) -> Any:
    """The open publications a device sees: its organisation's, for every team or its own."""
    from django.db.models import Q

    qs = Publication.objects.filter(organisation_id=device.organisation_id, is_open=True)
    if device.team_id is None:
        return qs.filter(teams__isnull=True)
    return qs.filter(Q(teams__isnull=True) | Q(teams=device.team_id)).distinct()


def device_actor(device: Device) -> Actor:
    return Actor.system(f"collection device {device.username}", device.organisation_id)


@dataclass
class Upload:
    name: str
    content_type: str
    data: bytes


def check_upload(f: Upload) -> None:
    """An allowed type, and bytes that are what the device says (a script sent as a photo
    is refused): the detected type's family must match the declared one."""
    if not f.content_type.startswith(ALLOWED_TYPES):
        raise Invalid(
            _("Attachments of type %(type)s are not accepted.") % {"type": f.content_type},
            code="attachment_type",
            detail={"content_type": f.content_type},
        )
    if f.content_type == "text/csv":
        return
    try:
        detected = puremagic.from_string(f.data, mime=True) or ""
    except puremagic.PureError:
        detected = ""
    declared = f.content_type.split(";")[0].strip()
    if detected.split("/")[0] != declared.split("/")[0]:
        raise Invalid(
            _("An attachment does not match its declared type %(type)s.") % {"type": declared},
            code="attachment_mismatch",
            detail={"content_type": declared, "detected": detected},
        )


def receive(device: Device, xml: bytes, files: list[Upload]) -> tuple[Submission, bool]:
    """Store a submission from ``device``; ``(submission, created)``. A resent instance is
    not stored twice (its new attachments are added: ODK Collect splits big submissions into
    several requests); one with ``deprecatedID`` is a new version of the one it edits."""
    if len(xml) + sum(len(f.data) for f in files) > max_submission_bytes():
        raise TooLarge(_("The submission is larger than this server accepts."))
    root = xforms.parse_root(xml)
    form_id, version = root.get("id", ""), root.get("version", "")
    org = device.organisation
    pub = (
        visible_publications(device)
        .select_related("version", "form")
        .filter(form__form_id=form_id)
        .first()
    )
    if pub is None:
        raise NotFound(
            _("This form is not published to your organisation, or no longer accepts data."),
            code="form_not_published",
            detail={"form_id": form_id},
        )
    if pub.version.version != version:
        raise Conflict(
            _("This is an old version of the form: update the form on the device, then resend."),
            code="form_version_outdated",
            detail={"form_id": form_id, "version": version},
        )
    private_key = pub.version.private_key
    if encryption.is_encrypted(root):
        if not private_key:
            raise Invalid(_("This form is not encrypted."), code="submission_unexpected_encryption")
        plain = encryption.decrypt(root, private_key, {f.name: f.data for f in files})
        xml = plain.xml
        root = xforms.parse_root(xml)
        files = [
            Upload(name, mimetypes.guess_type(name)[0] or "application/octet-stream", data)
            for name, data in plain.media
        ]
    elif private_key:
        raise Invalid(
            _("This form must be sent encrypted: update the form on the device."),
            code="submission_not_encrypted",
        )
    instance = xforms.instance_of(root)
    for f in files:
        check_upload(f)
    actor = device_actor(device)
    with transaction.atomic():
        replaces = None
        if instance.deprecated_id:
            replaces = Submission.objects.filter(
                organisation=org, instance_id=instance.deprecated_id
            ).first()
        try:
            # insert first: the unique (organisation, instanceID) finds a resent instance,
            # one query fewer for the usual case, and safe when two copies race
            with transaction.atomic():
                sub = Submission.objects.create(
                    organisation=org,
                    form_version=pub.version,
                    device=device,
                    instance_id=instance.instance_id,
                    deprecated_id=instance.deprecated_id,
                    replaces=replaces,
                    xml=xml.decode("utf-8"),
                    answers=json.dumps(instance.answers, ensure_ascii=False),
                    size=len(xml),
                )
        except IntegrityError:
            existing = Submission.objects.get(organisation=org, instance_id=instance.instance_id)
            add_files(existing, files, actor)
            return existing, False
        announce("collection.submission", [sub.pk], actor, action="created", organisation_id=org.pk)
        if replaces is not None and replaces.status == Submission.Status.WAITING:
            replaces.status = Submission.Status.SUPERSEDED
            replaces.save(update_fields=["status"])
            announce("collection.submission", [replaces.pk], actor, organisation_id=org.pk)
        add_files(sub, files, actor)
        Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return sub, True


def add_files(sub: Submission, files: list[Upload], actor: Actor) -> None:
    if not files:
        return
    have = set(sub.files.values_list("name", flat=True))
    new = [
        Attachment(
            submission=sub,
            name=f.name[:255],
            content_type=f.content_type[:120],
            size=len(f.data),
            sha256=hashlib.sha256(f.data).hexdigest(),  # taken at receipt, checked in the vault
            content=base64.b64encode(f.data).decode("ascii"),
        )
        for f in files
        if f.name not in have
    ]
    if new:
        made = Attachment.objects.bulk_create(new)
        announce(
            "collection.attachment",
            [a.pk for a in made],
            actor,
            action="created",
            organisation_id=sub.organisation_id,
        )


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
