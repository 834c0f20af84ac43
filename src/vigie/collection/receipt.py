"""What devices send: credentials checked, the forms a device sees, submissions and their
attachments received (ODK Collect and Enketo through the OpenRosa endpoints, exports through
imports.py). Split from services.py, which keeps what people do (publish, close, review)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import mimetypes
import os
from dataclasses import dataclass
from typing import Any

import puremagic
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.collection import encryption, xforms
from vigie.collection.models import Attachment, Device, Publication, Submission
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Invalid, NotFound, TooLarge
from vigie.core.events import announce

# Attachments a form may carry (ODK image, audio, video, file questions).
ALLOWED_TYPES = ("image/", "audio/", "video/", "application/pdf", "text/csv")


def max_submission_bytes() -> int:
    """The largest submission accepted (XML and attachments), announced to devices in
    ``X-OpenRosa-Accept-Content-Length``: a setting, else the environment, else 20 MB."""
    configured = getattr(settings, "VIGIE_COLLECTION_MAX_BYTES", None)
    return int(configured or os.environ.get("VIGIE_COLLECTION_MAX_BYTES") or 20 * 1024 * 1024)


def secret_digest(secret: str) -> str:
    # the secret is 192 random bits: a keyed fast hash is enough (no password stretching),
    # and keeps a submission's authentication cheap on a busy day
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def authenticate(username: str, secret: str) -> Device | None:
    """The active device with these credentials, or None (revoked devices: None at once)."""
    device = (
        Device.objects.select_related("organisation")
        .filter(username=username, revoked_at__isnull=True, organisation__is_active=True)
        .first()
    )
    if device is None or not hmac.compare_digest(device.secret_hash, secret_digest(secret)):
        return None
    return device


def visible_publications(device: Device) -> Any:
    """The open publications a device sees (its form list): see :func:`device_publications`."""
    return device_publications(device).filter(is_open=True)


def device_publications(device: Device) -> Any:
    """The publications of a device's organisation, for every team or its own, open or
    closed (a submission to a closed one is refused as such, not as unknown)."""
    from django.db.models import Q

    qs = Publication.objects.filter(organisation_id=device.organisation_id)
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
        device_publications(device)
        .select_related("version", "form")
        .filter(form_key=form_id)  # one form per id in an organisation (a constraint)
        .first()
    )
    if pub is None:
        raise NotFound(
            _("This form is not published to your organisation."),
            code="form_not_published",
            detail={"form_id": form_id},
        )
    if not pub.is_open:
        # ODK Central answers 409 "not accepting submissions": the device keeps the
        # submission and shows the message; it may be sent again if the form is reopened
        raise Conflict(
            _("This form no longer accepts submissions. Ask your coordinator if unexpected."),
            code="form_closed",
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
