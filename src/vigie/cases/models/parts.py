"""What a case holds: incidents, victims, exploitation, perpetrators, route legs and
referrals (split from the models module; ``vigie.cases.models`` re-exports every model)."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.cases.fields import CodeField, CodeListField
from vigie.cases.models.case import Case, OwnedByCase
from vigie.core.classification import classify
from vigie.core.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedTextField,
)
from vigie.core.models import Organisation

AGE = [MinValueValidator(0), MaxValueValidator(120)]
LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


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
