"""The Vigie data standard as tables: a case groups the people (victims), the events reported as
counts (incidents), the exploitation suffered, the perpetrators, the route and the referrals.

Every table carries the ``organisation`` that owns the record (copied from its case) so that
access checks (vigie.core.access) and the API permission class work on any row. Code fields
hold codes of the YAML lists in ``data/codelists`` (see docs/data-standard.md). Identifying
fields are encrypted (vigie.core.fields) and listed in ``IDENTIFYING_FIELDS``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.cases.codelists import STANDARD_VERSION
from vigie.cases.fields import CodeField, CodeListField
from vigie.core.classification import classify
from vigie.core.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from vigie.core.models import Organisation

AGE = [MinValueValidator(0), MaxValueValidator(120)]
LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


class ImportStage(models.Model):
    """An atomic import being staged (docs/adr/0043): its new cases are written in short
    committed batches with ``Case.stage`` set, invisible to every query through the default
    managers, and published in one short transaction (``stage`` cleared) or discarded.
    ``next_row`` and ``report`` commit with each batch, so a crashed import resumes."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="file report",
        ordinary="id organisation job created_by next_row created_at updated_at",
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # the import's job (core.Job.id), to resume after a crash; empty when run without one
    job = models.CharField(max_length=36, blank=True, default="", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.CharField(max_length=255, blank=True, default="")
    next_row = models.PositiveBigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)  # the importer's report so far
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"import stage {self.pk}"


class StagedUpdates(models.Model):
    """Rows of a staged import that update cases already published: applied at publication
    (a published case cannot hide its new version). The records, pickled, are sealed."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="records", ordinary="id stage first_row"
    )

    stage = models.ForeignKey(ImportStage, on_delete=models.CASCADE, related_name="updates")
    first_row = models.PositiveBigIntegerField()
    records = EncryptedTextField()  # base64 of the pickled batches.Valid list

    class Meta:
        ordering = ["first_row"]

    def __str__(self) -> str:
        return f"staged updates from row {self.first_row}"


#: the rows the list indexes hold: published cases (a staged import's are left out)
LISTED = models.Q(stage__isnull=True)


class PublishedCases(models.Manager["Case"]):
    """Cases that are published: a staged import's cases stay out of every query."""

    def get_queryset(self) -> models.QuerySet[Case]:
        return super().get_queryset().filter(stage__isnull=True)


class PublishedRows(models.Manager[Any]):
    """Rows of published cases (a staged import's rows stay out of every query)."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(case__stage__isnull=True)


class OwnedByCase(models.Model):
    """A row that belongs to a case and to the case's organisation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # no index of its own: rows are reached through their case (docs/adr/0312); a table that
    # is filtered by organisation declares one (Perpetrator)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    case: Any  # set by subclasses

    objects = PublishedRows()  # the default manager: rows of published cases only
    all_objects = models.Manager()  # noqa: DJ012 (staged too: the importer's own work)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.organisation_id = self.case.organisation_id
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.case.organisation.code, "case": str(self.case.uuid)}


class Case(models.Model):
    """One record of the standard: provenance, conflict context, dates, status and justice."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="source_identity",
        sensitive=(
            "source_attributes summary area search_text codes_index event_date_start "
            "event_date_end event_year identification_date identification_year report_date "
            "investigation_status prosecution_status conviction_status"
        ),
        ordinary=(
            "id uuid organisation reference status source_type source_record_id "
            "verification_status standard_version conflict_situation "
            "conflict_context country created_by created_at updated_at stage"
        ),
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # indexed as the first column of case_list_organisation and of the unique constraints
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("organisation"),
        db_index=False,
    )
    # left empty, services.save_record generates one (web form, API and imports alike)
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("Left empty, one is generated.")
    )
    summary = models.TextField(
        _("summary (no names or other identifying details)"),
        blank=True,
        default="",
        help_text=_("What happened, without names, addresses or other identifying details."),
    )
    status = CodeField(_("status"), codelist="case_status", default="active")
    # provenance
    source_type = CodeField(_("data source type"), codelist="data_source_types")
    source_record_id = models.CharField(
        _("source record id"), max_length=120, blank=True, default=""
    )
    verification_status = CodeField(
        _("verification status"), codelist="verification_status", default="reported"
    )
    standard_version = models.CharField(
        _("standard version"), max_length=20, default=STANDARD_VERSION, editable=False
    )
    event_date_start = models.DateField(_("events from"), null=True, blank=True)
    event_date_end = models.DateField(_("events until"), null=True, blank=True)
    event_year = models.PositiveSmallIntegerField(
        _("year of the events"), null=True, blank=True, help_text=_("when no exact date is known")
    )
    identification_date = models.DateField(_("date of identification"), null=True, blank=True)
    identification_year = models.PositiveSmallIntegerField(
        _("year of identification or registration"), null=True, blank=True
    )
    report_date = models.DateField(_("date of report"), null=True, blank=True)
    # conflict
    conflict_situation = CodeField(_("conflict situation"), codelist="conflict_situations")
    conflict_context = CodeField(_("conflict context"), codelist="conflict_contexts")
    country = models.CharField(
        _("country where identified (ISO 3166)"), max_length=2, blank=True, default=""
    )
    area = models.CharField(_("sub-national area"), max_length=200, blank=True, default="")
    # justice
    investigation_status = CodeField(_("investigation"), codelist="justice_status")
    prosecution_status = CodeField(_("prosecution"), codelist="justice_status")
    conviction_status = CodeField(_("conviction"), codelist="justice_status")
    # values of known source columns the standard has no field for (CTDC's explicit zeros
    # and blanks), kept for a faithful export
    source_attributes = models.JSONField(_("unmapped source columns"), default=dict, blank=True)
    # fields of a source record that no layout knows (HTCDS ``vic_MotherName``...): identity
    # by default, encrypted, shown and exported only with the identity permissions
    source_identity = EncryptedJSONField(
        _("unknown source fields (identifying)"), null=True, blank=True, default=dict
    )
    # derived by services.refresh_index: " form:x country:IQ sex:female ... " and searchable text
    codes_index = models.TextField(default="", blank=True, editable=False)
    search_text = models.TextField(default="", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # set while an atomic import stages this case (invisible until published, ADR 0043);
    # vigie.cases.interchange.staging clears or deletes the cases before it deletes their stage
    stage = models.ForeignKey(
        ImportStage,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        editable=False,
    )

    objects = PublishedCases()  # the default manager: published cases only
    all_objects = models.Manager()  # noqa: DJ012 (staged too: the importer's own work)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "source_type", "source_record_id"],
                condition=~models.Q(source_record_id=""),
                name="case_source_record_unique",
            ),
        ]
        # the list's order (newest first) and its equality filters, in that order, so a page
        # is read from an index range without sorting (docs/cases.md, "Speed"); published
        # cases only, so that a list never walks the (newest) cases an import is staging
        # (ADR 0043: 100,000 staged cases made every first page read them all)
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="case_list_order", condition=LISTED),
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                name="case_list_organisation",
                condition=LISTED,
            ),
            models.Index(
                fields=["conflict_situation", "-created_at", "-id"],
                name="case_list_situation",
                condition=LISTED,
            ),
            models.Index(
                fields=["verification_status", "-created_at", "-id"],
                name="case_list_verification",
                condition=LISTED,
            ),
            models.Index(
                fields=["conflict_situation", "verification_status", "-created_at", "-id"],
                name="case_list_situation_verif",
                condition=LISTED,
            ),
            # re-import: existing source record ids are looked up by batch
            models.Index(fields=["organisation", "source_record_id"], name="case_source_lookup"),
            # publication and discarding of a staged import; empty otherwise
            models.Index(
                fields=["stage"], name="case_staged", condition=models.Q(stage__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}


class CaseTerm(models.Model):
    """A filter term of a case (a code or a word of its non-identifying text), with the
    case's ``created_at`` so that one term's cases are an index range in list order
    (vigie.cases.search.terms, docs/adr/0313). Derived: rewritten whenever the case is."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="term",
        ordinary="id case created_at",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms", db_index=False)
    term = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["term", "-created_at", "-case"], name="caseterm_list")]
        constraints = [models.UniqueConstraint(fields=["case", "term"], name="caseterm_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.term}"


class Incident(OwnedByCase):
    """An event reported as counts of people, not names ("83 children, 55 of them girls").

    The people of an incident who are also recorded one by one as :class:`Victim` rows point
    to it (``Victim.incident``): analyses count an incident's ``total`` and only the victims
    *without* an incident, so nobody is counted twice.
    """

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive=(
            "description date_start date_end area latitude longitude forms means "
            "armed_group count_female_child count_male_child count_unknown_child "
            "count_female_adult count_male_adult count_unknown_adult "
            "count_female_unknown count_male_unknown count_unknown_unknown "
            "total_reported"
        ),
        ordinary="id uuid organisation case country",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    description = models.TextField(
        _("description (no names)"),
        blank=True,
        default="",
        help_text=_("No names, addresses or other identifying details."),
    )
    date_start = models.DateField(_("from"), null=True, blank=True)
    date_end = models.DateField(_("until"), null=True, blank=True)
    country = models.CharField(_("country (ISO 3166)"), max_length=2, blank=True, default="")
    area = models.CharField(_("sub-national area"), max_length=200, blank=True, default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=LONGITUDE)
    forms = CodeListField(_("forms of exploitation"), codelist="exploitation_forms")
    means = CodeListField(_("means used"), codelist="means")
    armed_group = CodeField(_("armed group"), codelist="armed_groups")
    count_female_child = models.PositiveIntegerField(_("girls"), default=0)
    count_male_child = models.PositiveIntegerField(_("boys"), default=0)
    count_unknown_child = models.PositiveIntegerField(_("children, sex unknown"), default=0)
    count_female_adult = models.PositiveIntegerField(_("women"), default=0)
    count_male_adult = models.PositiveIntegerField(_("men"), default=0)
    count_unknown_adult = models.PositiveIntegerField(_("adults, sex unknown"), default=0)
    count_female_unknown = models.PositiveIntegerField(_("females, age unknown"), default=0)
    count_male_unknown = models.PositiveIntegerField(_("males, age unknown"), default=0)
    count_unknown_unknown = models.PositiveIntegerField(_("sex and age unknown"), default=0)
    total_reported = models.PositiveIntegerField(
        _("total reported"),
        null=True,
        blank=True,
        help_text=_("the total the source gives, when it is more than the counts above"),
    )

    COUNT_FIELDS = (
        "count_female_child",
        "count_male_child",
        "count_unknown_child",
        "count_female_adult",
        "count_male_adult",
        "count_unknown_adult",
        "count_female_unknown",
        "count_male_unknown",
        "count_unknown_unknown",
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["date_start", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference} incident {self.pk}"

    @property
    def counted(self) -> int:
        return sum(getattr(self, f) for f in self.COUNT_FIELDS)

    @property
    def total(self) -> int:
        """People in this incident: the reported total, or the sum of the cells."""
        return max(self.total_reported or 0, self.counted)


class Victim(OwnedByCase):
    """A person recorded individually. Identity encrypted; profile in clear."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity=(
            "given_name family_name other_names date_of_birth document_number phone "
            "address family_name_index date_of_birth_index document_number_index "
            "phone_index"
        ),
        sensitive=(
            "sex age_at_identification age_band_at_identification "
            "age_group_at_identification age_at_exploitation "
            "age_band_at_exploitation age_group_at_exploitation citizenship "
            "displacement_status care_status minority_group has_disability "
            "trafficking_status non_punishment_recorded consent_services "
            "consent_sharing consent_evidence"
        ),
        ordinary="id uuid organisation case incident created_at updated_at",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="victims")
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="victims",
        help_text=_("the incident this person is also counted in, if any"),
        db_index=False,  # victim_incident: only the rows that have one
    )
    # identifying (encrypted; see IDENTIFYING_FIELDS)
    given_name = EncryptedTextField(_("given name"), null=True, blank=True)
    family_name = EncryptedTextField(_("family name"), null=True, blank=True)
    other_names = EncryptedTextField(_("other names or aliases"), null=True, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    document_number = EncryptedTextField(_("identity document number"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    address = EncryptedTextField(_("address"), null=True, blank=True)
    family_name_index = BlindIndexField(source="family_name")
    date_of_birth_index = BlindIndexField(source="date_of_birth")
    document_number_index = BlindIndexField(source="document_number")
    phone_index = BlindIndexField(source="phone")
    # profile (clear)
    sex = CodeField(_("sex"), codelist="sex")
    age_at_identification = models.PositiveSmallIntegerField(
        _("age at identification"), null=True, blank=True, validators=AGE
    )
    age_band_at_identification = CodeField(_("age band at identification"), codelist="age_bands")
    age_group_at_identification = CodeField(
        _("child or adult at identification"), codelist="age_groups"
    )
    age_at_exploitation = models.PositiveSmallIntegerField(
        _("age when exploitation began"), null=True, blank=True, validators=AGE
    )
    age_band_at_exploitation = CodeField(_("age band at exploitation"), codelist="age_bands")
    age_group_at_exploitation = CodeField(
        _("child or adult at exploitation"), codelist="age_groups"
    )
    citizenship = models.CharField(
        _("citizenship (ISO 3166)"), max_length=2, blank=True, default=""
    )
    displacement_status = CodeField(_("displacement status"), codelist="displacement_status")
    care_status = CodeField(_("unaccompanied or separated child"), codelist="care_status")
    minority_group = CodeField(_("minority group"), codelist="minority_groups")
    has_disability = models.BooleanField(_("disability"), null=True, blank=True)
    trafficking_status = CodeField(
        _("trafficking status"), codelist="trafficking_status", default="possible"
    )
    non_punishment_recorded = models.BooleanField(
        _("non-punishment principle applied"), null=True, blank=True
    )
    consent_services = models.BooleanField(_("consents to services"), null=True, blank=True)
    consent_sharing = models.BooleanField(
        _("consents to sharing with other organisations"), null=True, blank=True
    )
    consent_evidence = models.BooleanField(_("consents to use as evidence"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["incident"],
                condition=models.Q(incident__isnull=False),
                name="victim_incident",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} victim {self.pk}"


# Fields that identify a person: encrypted, shown only with victim.identity.view, exported only
# with victim.identity.export, never copied to analytic snapshots.
IDENTIFYING_FIELDS: dict[str, tuple[str, ...]] = {
    "Case": ("source_identity",),
    "Victim": (
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "document_number",
        "phone",
        "address",
        "family_name_index",
        "date_of_birth_index",
        "document_number_index",
        "phone_index",
    ),
    "Perpetrator": ("name", "name_index"),
}


class Exploitation(OwnedByCase):
    """The exploitation a victim (or the people of an incident) suffered."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive=(
            "forms means recruitment_channels labour_sectors sex_exploitation_types "
            "start_date end_date duration_months country area place_description"
        ),
        ordinary="id uuid organisation case victim incident",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitations")
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.CASCADE, related_name="exploitations"
    )
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exploitations",
        db_index=False,  # exploitation_incident: only the rows that have one
    )
    forms = CodeListField(_("forms of exploitation"), codelist="exploitation_forms")
    means = CodeListField(_("means used"), codelist="means")
    recruitment_channels = CodeListField(_("recruitment channels"), codelist="recruitment_channels")
    labour_sectors = CodeListField(_("sectors of forced labour"), codelist="labour_sectors")
    sex_exploitation_types = CodeListField(
        _("types of sexual exploitation"), codelist="sex_exploitation_types"
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    duration_months = models.PositiveIntegerField(_("duration (months)"), null=True, blank=True)
    country = models.CharField(
        _("country of exploitation (ISO 3166)"), max_length=2, blank=True, default=""
    )
    area = models.CharField(_("sub-national area"), max_length=200, blank=True, default="")
    place_description = models.CharField(
        _("place (no addresses)"), max_length=200, blank=True, default=""
    )

    class Meta:
        verbose_name = _("exploitation")
        verbose_name_plural = _("exploitations")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["incident"],
                condition=models.Q(incident__isnull=False),
                name="exploitation_incident",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} exploitation {self.pk}"


class Perpetrator(OwnedByCase):
    """A person or group responsible. A person's name is encrypted like a victim's."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        identity="name name_index",
        sensitive=(
            "kind perpetrator_type group_code group_name role relationship sex "
            "nationality sanctions_ref"
        ),
        ordinary="id uuid organisation case victim",
    )

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        GROUP = "group", _("group")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.SET_NULL, related_name="perpetrators"
    )
    kind = models.CharField(_("person or group"), max_length=10, choices=Kind.choices)
    perpetrator_type = CodeField(_("type"), codelist="perpetrator_types")
    group_code = CodeField(_("group (reference list)"), codelist="armed_groups")
    group_name = models.CharField(
        _("group name (when not in the list)"), max_length=200, blank=True, default=""
    )
    name = EncryptedTextField(_("name"), null=True, blank=True)
    name_index = BlindIndexField(source="name")
    role = CodeField(_("role"), codelist="perpetrator_roles")
    relationship = CodeField(_("relationship to the victim"), codelist="relationships")
    sex = CodeField(_("sex"), codelist="sex")
    nationality = models.CharField(
        _("nationality (ISO 3166)"), max_length=2, blank=True, default=""
    )
    sanctions_ref = models.CharField(
        _("UN sanctions reference"), max_length=20, blank=True, default=""
    )

    class Meta:
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")
        ordering = ["id"]
        # screening reads an organisation's perpetrators (vigie.screening.perpetrators)
        indexes = [models.Index(fields=["organisation"], name="perpetrator_organisation")]

    def __str__(self) -> str:
        return f"{self.case.reference} perpetrator {self.pk}"


class RouteLeg(OwnedByCase):
    """One place on the route, in order (``sequence`` 1, 2, ...)."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive=(
            "sequence country area latitude longitude role arrival_date "
            "departure_date transport_mode corridor"
        ),
        ordinary="id uuid organisation case victim",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="route")
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.CASCADE, related_name="route"
    )
    sequence = models.PositiveSmallIntegerField(_("order"))
    country = models.CharField(_("country (ISO 3166)"), max_length=2)
    area = models.CharField(_("sub-national area"), max_length=200, blank=True, default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=LONGITUDE)
    role = CodeField(_("role on the route"), codelist="route_leg_roles")
    arrival_date = models.DateField(_("arrival"), null=True, blank=True)
    departure_date = models.DateField(_("departure"), null=True, blank=True)
    transport_mode = CodeField(_("transport to the next place"), codelist="transport_modes")
    corridor = CodeField(_("migration corridor"), codelist="corridors")

    class Meta:
        verbose_name = _("route leg")
        verbose_name_plural = _("route legs")
        ordering = ["case_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "victim", "sequence"], name="routeleg_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} leg {self.sequence}"


class Referral(OwnedByCase):
    """A referral of a victim to a service (assistance), with its receiving organisation."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="service receiving_organisation_name status referred_on",
        ordinary="id uuid organisation case victim receiving_organisation",
    )

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        PROVIDED = "provided", _("provided")
        DECLINED = "declined", _("declined")
        CLOSED = "closed", _("closed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    victim = models.ForeignKey(
        Victim, null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    service = CodeField(_("service"), codelist="referral_services")
    receiving_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receiving_organisation_name = models.CharField(
        _("receiving organisation (when not in Vigie)"), max_length=200, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    referred_on = models.DateField(_("referred on"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case.reference} referral {self.pk}"


class MappingProfile(models.Model):
    """A saved column-and-value mapping of an organisation: the same thing as a mapping YAML
    file of ``vigie import --mapping FILE`` (vigie.cases.interchange.mapping), kept for the web
    import."""

    CLASSIFICATION: ClassVar[dict[str, str]] = classify(
        sensitive="values",
        ordinary="id organisation name layout columns created_by created_at updated_at",
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    layout = models.CharField(_("base layout"), max_length=20, default="vigie")
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mapping profile")
        verbose_name_plural = _("mapping profiles")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="mappingprofile_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, Any]:
        return {"organisation": self.organisation.code}
