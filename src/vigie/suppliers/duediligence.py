"""Due diligence through a link without an account (S/2017/939 para 62).

A link carries a token signed with the server's key (django.core.signing, its own salt)
naming one invitation and its random nonce. It opens that invitation only (another
supplier's answers cannot be reached with it), stops working at ``expires_at``, and stops
working once the answers are submitted (a replayed submission is refused). Attachments go to
the evidence vault (vigie.evidence.services.ingest, SHA-256 kept here too)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, BinaryIO

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from vigie.core.events import announce
from vigie.suppliers import questionnaire, services
from vigie.suppliers.models import Attachment, Invitation, Supplier

SALT = "vigie.suppliers.questionnaire"
MAX_DAYS = 90
MAX_STATEMENT = 20000
# What a link may store in the vault: the link needs no account and may be forwarded, so
# its documents are bounded in size and number (ADR 0070); a supplier's scanned policy or
# audit report is a few megabytes.
MAX_ATTACHMENT = 25 * 1024 * 1024
MAX_ATTACHMENTS = 10


class LinkExpired(Forbidden):
    default_code = "link_expired"
    status = 410


def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT, compress=True)


def create_invitation(
    actor: Actor, supplier: Supplier, *, language: str = "en", days: int = 30
) -> tuple[Invitation, str]:
    """A new questionnaire link for ``supplier``; returns the invitation and its token."""
    actor.require("suppliers.manage", supplier.organisation_id)
    if language not in questionnaire.LANGUAGES:
        raise Invalid(_("Language must be en, fr or ar."), detail={"field": "language"})
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(_("A link lasts from 1 to 90 days."), detail={"field": "days"})
    q = questionnaire.current()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation_id=supplier.organisation_id,
            supplier=supplier,
            questionnaire=q.code,
            version=q.version,
            language=language,
            nonce=secrets.token_urlsafe(24),
            created_by=actor.user,
            expires_at=timezone.now() + timedelta(days=days),
        )
        announce(
            "suppliers.invitation",
            [invitation.pk],
            actor,
            action="created",
            organisation_id=supplier.organisation_id,
        )
    return invitation, token_for(invitation)


def invitation_for(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a token opens, if it is still open; else an error saying why."""
    try:
        claim = signing.loads(token, salt=SALT, max_age=timedelta(days=MAX_DAYS + 1))
        pk, nonce = int(claim["i"]), str(claim["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(_("This link is not valid."), code="link_invalid") from None
    qs = Invitation.objects.select_related("supplier")
    if for_update:
        qs = qs.select_for_update()
    invitation = qs.filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise NotFound(_("This link is not valid."), code="link_invalid")
    if invitation.status != Invitation.Status.SENT:
        raise Conflict(_("These answers were submitted already."), code="link_used")
    if invitation.expires_at <= timezone.now():
        raise LinkExpired(_("This link has expired. Ask for a new one."))
    return invitation


def submit_answers(
    token: str,
    answers: dict[str, Any],
    statement: str = "",
    statement_year: int | None = None,
    document: tuple[BinaryIO, str] | None = None,
) -> Invitation:
    """The supplier's answers and annual anti-trafficking statement, once; ``document``
    (file, name) is stored only when the answers are accepted, so that refused answers
    posted again and again leave nothing in the vault."""
    with transaction.atomic():
        invitation = invitation_for(token, for_update=True)
        clean = questionnaire.current().check(answers)
        statement = (statement or "").strip()
        if len(statement) > MAX_STATEMENT:
            raise Invalid(_("The statement is too long."), detail={"field": "statement"})
        year = timezone.now().year
        if statement and statement_year is not None and not year - 2 <= statement_year <= year:
            raise Invalid(
                _("The statement's year is not recent."), detail={"field": "statement_year"}
            )
        if document is not None:
            _attach(invitation, *document)
        invitation.answers = clean
        invitation.statement = statement
        invitation.statement_year = (statement_year or year) if statement else None
        invitation.status = Invitation.Status.SUBMITTED
        invitation.submitted_at = timezone.now()
        invitation.score = sum(n for _q, _a, n in questionnaire.current().points(clean))
        invitation.save()
        actor = Actor.system("supplier questionnaire link", invitation.organisation_id)
        supplier = invitation.supplier
        services.update_risk(actor, Supplier.objects.filter(pk=supplier.pk))
        announce(
            "suppliers.invitation",
            [invitation.pk],
            actor,
            action="changed",
            organisation_id=invitation.organisation_id,
        )
    return invitation


def add_attachment(token: str, source: BinaryIO, name: str) -> Attachment:
    """A document attached to the answers, stored in the evidence vault."""
    with transaction.atomic():
        return _attach(invitation_for(token, for_update=True), source, name)


def _attach(invitation: Invitation, source: BinaryIO, name: str) -> Attachment:
    """Store ``source`` for the (locked) ``invitation``, within the link's bounds."""
    from vigie.evidence import services as evidence

    source.seek(0, 2)
    size = source.tell()
    source.seek(0)
    if size > MAX_ATTACHMENT:
        raise TooLarge(
            _("The document is larger than %(mb)s MB.") % {"mb": MAX_ATTACHMENT // 2**20},
            detail={"field": "document"},
        )
    if invitation.files.count() >= MAX_ATTACHMENTS:
        raise TooLarge(
            _("This link takes at most %(n)s documents.") % {"n": MAX_ATTACHMENTS},
            detail={"field": "document"},
        )
    actor = Actor.system("supplier questionnaire link", invitation.organisation_id)
    ingested = evidence.ingest(
        actor,
        invitation.organisation,
        source,
        name=name or "attachment",
        collection=evidence.Collection(
            case_ref=f"supplier:{invitation.supplier.reference}",
            description="due-diligence attachment",
            collected_by="supplier questionnaire link",
            external_case=True,
        ),
    )
    item = ingested.item
    with transaction.atomic():
        attachment = Attachment.objects.create(
            invitation=invitation,
            item_uuid=item.uuid,
            sha256=item.blob.sha256,
            name=item.original_name[:255],
            size=item.blob.size,
        )
        announce(
            "suppliers.attachment",
            [attachment.pk],
            actor,
            action="created",
            organisation_id=invitation.organisation_id,
        )
    return attachment


def mark_reviewed(actor: Actor, invitation: Invitation) -> Invitation:
    actor.require("suppliers.review", invitation.organisation_id)
    if invitation.status != Invitation.Status.SUBMITTED:
        raise Conflict(_("Only submitted answers can be reviewed."), code="not_submitted")
    with transaction.atomic():
        invitation.status = Invitation.Status.REVIEWED
        invitation.save(update_fields=["status"])
        announce(
            "suppliers.invitation",
            [invitation.pk],
            actor,
            action="changed",
            organisation_id=invitation.organisation_id,
        )
    return invitation


def send_reminders(actor: Actor) -> int:
    """Remind every supplier whose open link expires soon, once: an e-mail with the link to
    the supplier's contact address when it has one; the dashboard lists them all."""
    from django.core.mail import send_mail

    days = int(getattr(settings, "VIGIE_SUPPLIERS_REMIND_DAYS", 7))
    now = timezone.now()
    due = Invitation.objects.filter(
        status=Invitation.Status.SENT,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=days),
    )
    with transaction.atomic():
        ids = list(due.values_list("pk", flat=True))
        Invitation.objects.filter(pk__in=ids).update(reminded_at=now)
        base = str(getattr(settings, "VIGIE_BASE_URL", "") or "").rstrip("/")
        for invitation in Invitation.objects.filter(pk__in=ids).select_related("supplier"):
            if invitation.supplier.contact_email:
                send_mail(
                    _("Reminder: due-diligence questionnaire"),
                    _("Please answer before %(date)s: %(link)s")
                    % {
                        "date": invitation.expires_at.date().isoformat(),
                        "link": f"{base}/suppliers/answer/{token_for(invitation)}/",
                    },
                    None,
                    [invitation.supplier.contact_email],
                    fail_silently=True,
                )
        if ids:
            announce("suppliers.invitation", ids, actor, action="changed")
    return len(ids)
