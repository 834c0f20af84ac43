"""In-app notices of referral events: listed for the acting organisation, shown in the
reader's language, marked read (docs/adr/0701). The e-mail copy is written once, in English,
when the notice is made (referrals._notify); the page and the API translate from the kind."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.core.events import announce
from vigie.identification.indicators import label
from vigie.identification.models import Notification, Referral
from vigie.identification.referrals import config

PERM = "referral.manage"


def _texts() -> dict[str, str]:
    return {
        "referral_received": _("Referral %(ref)s received (%(service)s, urgency %(urgency)s)."),
        "consent_withdrawn": _(
            "Consent withdrawn for referral %(ref)s: stop using the shared data."
        ),
        "referral_acknowledged": _("Referral %(ref)s acknowledged."),
        "referral_accepted": _("Referral %(ref)s accepted."),
        "referral_declined": _("Referral %(ref)s declined."),
        "referral_delivered": _("Service delivered for referral %(ref)s."),
        "referral_closed": _("Referral %(ref)s closed."),
    }


def text(n: Notification) -> str:
    """The notice in the active language; never names the person (a reference and a state)."""
    ref: Referral | None = n.referral
    if ref is None:
        return n.message
    services = config()["service_types"]
    params = {
        "ref": str(ref.uuid)[:8],
        "service": label(services[ref.service_type])
        if ref.service_type in services
        else ref.service_type,
        "urgency": ref.get_urgency_display(),
        "state": ref.get_state_display(),
    }
    template = _texts().get(n.kind)
    if template is None:
        return _("Referral %(ref)s: %(state)s.") % params
    return template % params


def for_organisation(actor: Actor, *, unread_only: bool = False) -> QuerySet[Notification]:
    org = actor.organisation_id
    if org is None:
        raise Invalid(_("Name the organisation this is for."), code="organisation_required")
    actor.require(PERM, org)
    qs = Notification.objects.filter(organisation_id=org).select_related("referral")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def latest(organisation_id: int, limit: int = 10) -> list[Notification]:
    qs = Notification.objects.filter(organisation_id=organisation_id).select_related("referral")
    return list(qs[:limit])


def mark_read(actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the acting organisation's notices read (all unread ones when ``ids`` is None)."""
    qs = for_organisation(actor, unread_only=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    with transaction.atomic():
        marked = list(qs.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=marked).update(read_at=timezone.now())
        if marked:
            announce(
                "identification.notification",
                marked,
                actor,
                organisation_id=actor.organisation_id,
            )
    return len(marked)


def as_dict(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": text(n),
        "referral": str(n.referral.uuid) if n.referral else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }
