"""Uploads of Bloom-filter encodings and their matching by the linkage unit (ADR 1001)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Invalid, TooLarge
from vigie.core.events import announce
from vigie.linkage import encoding
from vigie.linkage.models import Encoding

MAX_RECORDS = 2_000_000


def _organisation(actor: Actor) -> int:
    if actor.organisation_id is None:
        raise Invalid(_("Name the organisation this is for."), code="organisation_required")
    return actor.organisation_id


def upload(actor: Actor, payload: Any) -> Encoding:
    """Keep an organisation's encodings: a schema id and record key -> base64 filter."""
    org_id = _organisation(actor)
    actor.require("linkage.encode", org_id)
    if not isinstance(payload, dict) or payload.get("schema") != encoding.SCHEMA_ID:
        raise Invalid(_("Not an encoding file of this linkage schema."), code="bad_schema")
    clks = payload.get("clks")
    if not isinstance(clks, dict):
        raise Invalid(_("The encodings are missing."), code="bad_encodings")
    if len(clks) > MAX_RECORDS:
        raise TooLarge(_("Too many encodings in one upload."), code="too_many")
    size = encoding.LENGTH // 8
    for key, value in clks.items():
        try:
            ok = isinstance(key, str) and len(base64.b64decode(value, validate=True)) == size
        except (binascii.Error, TypeError, ValueError):
            ok = False
        if not ok:
            raise Invalid(
                _("An encoding is not a Bloom filter of this schema."), code="bad_encoding"
            )
    with transaction.atomic():
        e = Encoding.objects.create(
            organisation_id=org_id,
            linkage_schema=encoding.SCHEMA_ID,
            count=len(clks),
            clks=clks,
            uploaded_by=actor.user,
        )
        announce(
            "linkage.encoding",
            [e.pk],
            actor,
            action="created",
            organisation_id=org_id,
        )
    return e


def latest_uploads() -> list[Encoding]:
    seen: set[int] = set()
    out = []
    # an upload of an earlier schema has another layout: its organisation encodes again
    current = Encoding.objects.filter(linkage_schema=encoding.SCHEMA_ID)
    for e in current.select_related("organisation").order_by("-created_at", "-pk"):
        if e.organisation_id not in seen:
            seen.add(e.organisation_id)
            out.append(e)
    return out


def match_uploads(actor: Actor, threshold: float = 0.7) -> list[dict[str, Any]]:
    """The linkage unit's answer: pairs of record keys whose encodings are alike."""
    actor.require("linkage.match", actor.organisation_id)
    uploads = latest_uploads()
    pairs = encoding.match({e.organisation.code: e.clks for e in uploads}, threshold)
    return [
        {"left_org": a, "left_key": ka, "right_org": b, "right_key": kb, "score": round(s, 4)}
        for a, ka, b, kb, s in pairs
    ]


def encode_own(actor: Actor, secret: bytes) -> Encoding:
    """Encode the acting organisation's own victims with ``secret`` (never stored) and
    upload the encodings, keyed by the source record id given at import (else the case
    reference)."""
    from vigie.cases.models import Victim

    org_id = _organisation(actor)
    actor.require("linkage.encode", org_id)
    if len(secret) < 12:
        raise Invalid(_("The secret is too short (12 characters at least)."), code="bad_secret")
    rows = []
    for v in Victim.objects.filter(organisation_id=org_id).select_related("case"):
        case = v.case
        rows.append(
            {
                "key": f"{case.source_record_id or case.reference}#{v.pk}",
                "given_name": v.given_name or "",
                "family_name": v.family_name or "",
                "other_names": v.other_names or "",
                "date_of_birth": v.date_of_birth,
                "age": v.age_at_identification,
                "recorded_year": case.identification_year
                or (case.identification_date.year if case.identification_date else None),
                "place": v.address or case.area or "",
                "phone": v.phone or "",
                "document": v.document_number or "",
                "sex": v.sex or "",
            }
        )
    clks = encoding.encode_all(rows, secret, "key")
    del rows
    return upload(actor, {"schema": encoding.SCHEMA_ID, "clks": clks})
