"""Identification, consent, the service directory, inter-organisation referrals and assistance.

Every model declares ``CLASSIFICATION`` for every field (vigie.core.classification); values
that identify a person are encrypted (vigie.core.fields). Referrals here are the workflow
between organisations; ``vigie.cases.models.Referral`` stays the record of a referral as
reported in an imported case (docs/adr/0701).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vigie.cases.models import Case, Victim
from vigie.core.classification import IDENTITY, ORDINARY, SENSITIVE
from vigie.core.fields import EncryptedTextField
from vigie.core.models import Organisation

USER = settings.AUTH_USER_MODEL


class Interview(models.Model):
    """One identification interview with the ILO-EC indicators, from draft to decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CASE_OPENED = "case_opened", _("case opened")
        NOT_INDICATED = "not_indicated", _("not indicated (recorded)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    interviewer = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.DRAFT)
    indicator_set = models.CharField(max_length=40, default="ilo-ec-2009")
    indicator_version = models.PositiveIntegerField(null=True, blank=True)
    list_code = models.CharField(_("indicator list"), max_length=20, default="adult_labour")
    language = models.CharField(_("language of the interview"), max_length=8, default="en")
    present = models.JSONField(_("indicators present"), default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    indicated = models.BooleanField(null=True, blank=True)
    # about the person, to prefill the case without typing twice
    given_name = EncryptedTextField(_("given name"), null=True, blank=True)
    family_name = EncryptedTextField(_("family name"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=20, blank=True, default="")
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    citizenship = models.CharField(
        _("citizenship (ISO 3166)"), max_length=2, blank=True, default=""
    )
    displacement_status = models.CharField(
        _("displacement status"), max_length=20, blank=True, default=""
    )
    country = models.CharField(_("country of the interview"), max_length=2, blank=True, default="")
    conflict_situation = models.CharField(
        _("conflict situation"), max_length=40, blank=True, default=""
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "uuid": ORDINARY, "organisation": ORDINARY, "interviewer": ORDINARY,
        "status": ORDINARY, "indicator_set": ORDINARY, "indicator_version": ORDINARY,
        "list_code": SENSITIVE, "language": ORDINARY, "present": SENSITIVE, "result": SENSITIVE,
        "indicated": SENSITIVE, "given_name": IDENTITY, "family_name": IDENTITY,
        "notes": IDENTITY, "sex": SENSITIVE, "age": SENSITIVE, "citizenship": SENSITIVE,
        "displacement_status": SENSITIVE, "country": ORDINARY, "conflict_situation": ORDINARY,
        "case": ORDINARY, "created_at": ORDINARY, "updated_at": ORDINARY, "decided_at": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="interview_org_status")]

    def __str__(self) -> str:
        return f"interview {self.uuid}"


class Consent(models.Model):
    """One consent decision; append-only: the latest row per (case, purpose, recipient) is in
    force, the earlier ones are the history."""

    class Purpose(models.TextChoices):
        REFERRAL = "referral", _("referral to services")
        SHARING = "sharing", _("sharing with a named organisation")
        STATISTICS = "statistics", _("use in statistics")
        INVESTIGATORS = "investigators", _("contact by investigators")

    class Decision(models.TextChoices):
        GIVEN = "given", _("given")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class GivenBy(models.TextChoices):
        PERSON = "person", _("the person")
        GUARDIAN = "guardian", _("parent or guardian")
        BID = "best_interests", _("best-interests determination (child)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # SET_NULL, not CASCADE: a re-import that rewrites a case's victims (a file without their
    # uuids) must not delete the consent history; the decision then holds for the whole case,
    # which withholds more, never less (selectors.statistics_withheld)
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    recipient = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    given_by = models.CharField(max_length=16, choices=GivenBy.choices, default=GivenBy.PERSON)
    guardian_name = EncryptedTextField(_("guardian's name"), null=True, blank=True)
    bid_reference = models.CharField(
        _("best-interests determination reference"), max_length=60, blank=True, default=""
    )
    language = models.CharField(
        _("language in which consent was asked"), max_length=8, default="en"
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "uuid": ORDINARY, "organisation": ORDINARY, "case": ORDINARY,
        "victim": ORDINARY, "purpose": ORDINARY, "recipient": ORDINARY, "decision": SENSITIVE,
        "given_by": SENSITIVE, "guardian_name": IDENTITY, "bid_reference": SENSITIVE,
        "language": ORDINARY, "recorded_by": ORDINARY, "recorded_at": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["case", "purpose", "-recorded_at"], name="consent_case_purpose")
        ]

    def __str__(self) -> str:
        return f"consent {self.purpose} {self.decision}"


class Service(models.Model):
    """A service an organisation offers (the 4W "who does what, where, when")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_name = models.CharField(_("organisation (who)"), max_length=200)
    service_type = models.CharField(_("service type (what)"), max_length=20, db_index=True)
    name = models.CharField(_("service name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    # " female male " etc.: space-delimited codes; empty means everyone
    sexes = models.CharField(_("sexes served"), max_length=100, blank=True, default="")
    legal_statuses = models.CharField(
        _("legal statuses served"), max_length=200, blank=True, default=""
    )
    nationalities = models.CharField(
        _("nationalities served"), max_length=400, blank=True, default=""
    )
    languages = models.CharField(_("languages"), max_length=100, blank=True, default="")
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=60, blank=True, default="")
    contact_email = models.CharField(_("contact e-mail"), max_length=200, blank=True, default="")
    start_date = models.DateField(_("from (when)"), null=True, blank=True)
    end_date = models.DateField(_("until (when)"), null=True, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "uuid": ORDINARY, "organisation": ORDINARY, "provider_name": ORDINARY,
        "service_type": ORDINARY, "name": ORDINARY, "description": ORDINARY,
        "min_age": ORDINARY, "max_age": ORDINARY, "sexes": ORDINARY, "legal_statuses": ORDINARY,
        "nationalities": ORDINARY, "languages": ORDINARY, "capacity": ORDINARY,
        "contact_name": ORDINARY, "contact_phone": ORDINARY, "contact_email": ORDINARY,
        "start_date": ORDINARY, "end_date": ORDINARY, "active": ORDINARY, "updated_at": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["provider_name", "name", "id"]

    def __str__(self) -> str:
        return f"{self.provider_name}: {self.name}"


class ServiceArea(models.Model):
    """One area a service covers: a country, optionally narrowed to admin1 and admin2."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    service_type = models.CharField(max_length=20)  # copied from the service: one index range
    country = models.CharField(max_length=2)
    admin1 = models.CharField(max_length=100, blank=True, default="")
    admin2 = models.CharField(max_length=100, blank=True, default="")

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "service": ORDINARY, "service_type": ORDINARY, "country": ORDINARY,
        "admin1": ORDINARY, "admin2": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["country", "service_type", "admin1", "admin2"], name="area_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.country}/{self.admin1}/{self.admin2}"


class Referral(models.Model):
    """A referral (or a transfer of responsibility) from a case to another organisation's
    service, with a snapshot of exactly the fields the officer chose to share."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("referral")
        TRANSFER = "transfer", _("transfer of responsibility")

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("referral state", "sent")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("referral state", "acknowledged")
        ACCEPTED = "accepted", pgettext_lazy("referral state", "accepted")
        DECLINED = "declined", pgettext_lazy("referral state", "declined")
        DELIVERED = "delivered", pgettext_lazy("referral state", "service delivered")
        CLOSED = "closed", pgettext_lazy("referral state", "closed")

    class Urgency(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REFERRAL)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    receiving_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_type = models.CharField(max_length=20)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM)
    state = models.CharField(max_length=14, choices=State.choices, default=State.SENT)
    due_at = models.DateTimeField(null=True, blank=True)  # deadline of the next expected step
    shared_fields = models.JSONField(default=list, blank=True)
    includes_identity = models.BooleanField(default=False)
    snapshot = EncryptedTextField(null=True, blank=True)  # JSON of the shared values
    reason = models.TextField(_("reason (decline, closure)"), blank=True, default="")
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)  # accepted or declined
    delivered_at = models.DateTimeField(null=True, blank=True)
    # turnaround kept as numbers when the step happens: averaged by the caseload without
    # date arithmetic in SQL (a Python function per row on SQLite)
    answer_seconds = models.PositiveIntegerField(null=True, blank=True)
    delivery_seconds = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "uuid": ORDINARY, "kind": ORDINARY, "organisation": ORDINARY,
        "receiving_organisation": ORDINARY, "case": ORDINARY, "service": ORDINARY,
        "service_type": SENSITIVE, "urgency": ORDINARY, "state": ORDINARY, "due_at": ORDINARY,
        "shared_fields": ORDINARY, "includes_identity": ORDINARY, "snapshot": IDENTITY,
        "reason": SENSITIVE, "consent_withdrawn_at": ORDINARY, "sent_by": ORDINARY,
        "sent_at": ORDINARY, "answered_at": ORDINARY, "delivered_at": ORDINARY,
        "closed_at": ORDINARY, "answer_seconds": ORDINARY, "delivery_seconds": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            # the caseload's reads are ranges of these (covering: no row lookups)
            models.Index(
                fields=["organisation", "state", "due_at", "sent_by"], name="referral_sender_open"
            ),
            models.Index(
                fields=["receiving_organisation", "state", "due_at"], name="referral_receiver_open"
            ),
            models.Index(
                fields=["organisation", "sent_at", "answer_seconds", "delivery_seconds"],
                name="referral_turnaround",
            ),
            models.Index(fields=["case"], name="referral_case"),
        ]

    def __str__(self) -> str:
        return f"referral {self.uuid}"


class ReferralEvent(models.Model):
    """One step of a referral (the history that turnaround times are computed from)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=14, blank=True, default="")
    to_state = models.CharField(max_length=14)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "referral": ORDINARY, "from_state": ORDINARY, "to_state": ORDINARY,
        "at": ORDINARY, "actor": ORDINARY, "organisation": ORDINARY, "note": SENSITIVE,
    }  # fmt: skip

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class Notification(models.Model):
    """An in-app notice to the users of an organisation (also sent by e-mail)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(Referral, null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300)  # never identifying: a reference and a state
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "organisation": ORDINARY, "referral": ORDINARY, "kind": ORDINARY,
        "message": ORDINARY, "created_at": ORDINARY, "read_at": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="notification_org")]

    def __str__(self) -> str:
        return self.message


class PlanItem(models.Model):
    """A need and what is planned for it (the case plan)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    need = models.CharField(_("need"), max_length=20)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    responsible_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    follow_up_date = models.DateField(null=True, blank=True)
    done_date = models.DateField(null=True, blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "uuid": ORDINARY, "organisation": ORDINARY, "case": ORDINARY,
        "need": SENSITIVE, "status": ORDINARY, "responsible_organisation": ORDINARY,
        "assigned_to": ORDINARY, "referral": ORDINARY, "start_date": ORDINARY,
        "due_date": ORDINARY, "follow_up_date": ORDINARY, "done_date": ORDINARY,
        "notes": IDENTITY, "created_at": ORDINARY,
    }  # fmt: skip

    class Meta:
        ordering = ["follow_up_date", "id"]
        indexes = [
            models.Index(
                fields=["organisation", "status", "follow_up_date"], name="plan_org_follow_up"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need} ({self.status})"


class Closure(models.Model):
    """The closing of a case's assistance, with its reason."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=30)
    note = models.TextField(blank=True, default="")
    closed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "organisation": ORDINARY, "case": ORDINARY, "reason": SENSITIVE,
        "note": SENSITIVE, "closed_by": ORDINARY, "closed_at": ORDINARY,
    }  # fmt: skip

    def __str__(self) -> str:
        return f"closed: {self.reason}"


class NonPunishment(models.Model):
    """Non-punishment assessment (S/2017/939 paras 26, 75): what the person was compelled to
    do, their legal status, detention or prosecution, and the release-from-armed-group
    checklist."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    compelled_offences = models.JSONField(default=list, blank=True)
    legal_status = models.CharField(max_length=30, blank=True, default="")
    detained = models.BooleanField(default=False)
    prosecuted = models.BooleanField(default=False)
    released_from_armed_group = models.BooleanField(default=False)
    checklist = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    CLASSIFICATION: ClassVar[dict[str, str]] = {
        "id": ORDINARY, "organisation": ORDINARY, "case": ORDINARY,
        "compelled_offences": SENSITIVE, "legal_status": SENSITIVE, "detained": SENSITIVE,
        "prosecuted": SENSITIVE, "released_from_armed_group": SENSITIVE,
        "checklist": SENSITIVE, "updated_by": ORDINARY, "updated_at": ORDINARY,
    }  # fmt: skip

    def __str__(self) -> str:
        return f"non-punishment {self.case_id}"

    @property
    def alert(self) -> bool:
        """A victim compelled to offend is detained or prosecuted: someone must act."""
        return bool(self.compelled_offences) and (self.detained or self.prosecuted)
