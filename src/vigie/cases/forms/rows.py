"""The parts of the case form: the case itself and the rows that repeat (people, incidents,
exploitations, perpetrators, route legs, referrals), each a model form over its model
(labels, help texts, choices and validation from the model, vigie.cases.forms.fields).
The lists below only say which fields each step shows, in which order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.cases.forms.fields import ModelRowForm, defaulted_fields, formfield
from vigie.cases.models import (
    Case,
    Exploitation,
    Incident,
    Perpetrator,
    Referral,
    RouteLeg,
    Victim,
)

CASE_FIELDS = [
    "reference",
    "summary",
    "status",
    "source_type",
    "source_record_id",
    "verification_status",
    "conflict_situation",
    "conflict_context",
    "country",
    "area",
    "event_date_start",
    "event_date_end",
    "identification_date",
    "report_date",
]
# justice, on the case (the victim's non-punishment flag is shown with them)
JUSTICE_FIELDS = ["investigation_status", "prosecution_status", "conviction_status"]
# The web form asks where a record comes from; the API and the imports accept a record
# without it (the model allows it blank), so this is the form's own rule.
FORM_REQUIRED = frozenset({"source_type"})
IDENTITY_FIELDS = ["given_name", "family_name", "date_of_birth", "document_number", "phone"]
VICTIM_FIELDS = [
    *IDENTITY_FIELDS,
    "sex",
    "age_at_identification",
    "age_at_exploitation",
    "citizenship",
    "displacement_status",
    "care_status",
    "minority_group",
    "has_disability",
    "trafficking_status",
    "non_punishment_recorded",
    "consent_services",
    "consent_sharing",
    "consent_evidence",
]
EXPLOITATION_FIELDS = [
    "forms",
    "means",
    "labour_sectors",
    "country",
    "area",
    "start_date",
    "end_date",
]
COUNT_FIELDS = list(Incident.COUNT_FIELDS)
INCIDENT_FIELDS = [
    "description",
    "date_start",
    "date_end",
    "country",
    "area",
    "forms",
    "means",
    "armed_group",
    *COUNT_FIELDS,
    "total_reported",
]
REFERRAL_FIELDS = ["service", "receiving_organisation_name", "status", "referred_on"]
PERPETRATOR_FIELDS = ["perpetrator_type", "group_code", "group_name", "role", "relationship"]
LEG_FIELDS = ["country", "area", "role", "latitude", "longitude", "transport_mode", "corridor"]


class CaseForm(ModelRowForm):
    """The fields of the case itself; the people, incidents and other rows are formsets."""

    class Meta:
        model = Case
        fields = CASE_FIELDS + JUSTICE_FIELDS
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FORM_REQUIRED:
            self.fields[name].required = True

    def case_section(self) -> list[Any]:
        return [self[n] for n in CASE_FIELDS]

    def justice_section(self) -> list[Any]:
        """The case's justice statuses (non-punishment is a field of each person)."""
        return [self[n] for n in JUSTICE_FIELDS]


class RowForm(ModelRowForm):
    """One repeated row; ``uuid`` names the stored row it edits (empty for a new row)."""

    uuid = forms.CharField(required=False, widget=forms.HiddenInput)


class VictimForm(RowForm):
    """One person recorded individually (a case may record several)."""

    class Meta:
        model = Victim
        fields = VICTIM_FIELDS
        formfield_callback = formfield

    DEFAULTED = defaulted_fields(Victim, VICTIM_FIELDS)

    def __init__(self, *args: Any, show_identity: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_identity:  # the record keeps the identity the user may not see
            for name in IDENTITY_FIELDS:
                del self.fields[name]


class ExploitationForm(RowForm):
    class Meta:
        model = Exploitation
        fields = EXPLOITATION_FIELDS
        formfield_callback = formfield


class PerpetratorForm(RowForm):
    class Meta:
        model = Perpetrator
        fields = PERPETRATOR_FIELDS
        formfield_callback = formfield


class LegForm(RowForm):
    class Meta:
        model = RouteLeg
        fields = LEG_FIELDS
        formfield_callback = formfield


# the count grid of an incident: rows (age groups) x columns (sex), each cell a count field
GRID_SEXES = [("female", _("Female")), ("male", _("Male")), ("unknown", _("Sex unknown"))]
GRID_AGES = [
    ("child", _("Children (under 18)")),
    ("adult", _("Adults")),
    ("unknown", _("Age unknown")),
]
# numbers read left to right in Arabic too ("-2", not "2-")
COUNT_ATTRS = {"inputmode": "numeric", "dir": "ltr"}


class IncidentForm(RowForm):
    """An event reported as counts of people (sex x age group), not names."""

    includes_person = forms.BooleanField(
        label=_("The person of step 2 is one of these people"),
        required=False,
        help_text=_("So that the person is not counted twice."),
    )

    class Meta:
        model = Incident
        fields = INCIDENT_FIELDS
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in [*COUNT_FIELDS, "total_reported"]:
            self.fields[name].widget.attrs.update(COUNT_ATTRS)

    def grid(self) -> list[tuple[Any, list[Any]]]:
        """The count fields as rows (age group label, [bound field per sex])."""
        return [
            (age_label, [self[f"count_{sex}_{age}"] for sex, _label in GRID_SEXES])
            for age, age_label in GRID_AGES
        ]

    def sexes(self) -> list[Any]:
        return [label for _sex, label in GRID_SEXES]

    def count_errors(self) -> list[tuple[Any, Any]]:
        return [(self[n], self[n].errors) for n in COUNT_FIELDS if self[n].errors]

    def counted(self) -> int:
        """The sum of the cells as typed (bound) or stored (initial); what is not a
        non-negative whole number counts 0 (its cell shows the error)."""
        total = 0
        for name in COUNT_FIELDS:
            value = self[name].value()
            text = str(value).strip() if value is not None else ""
            if text.isdigit() and text.isascii():
                total += int(text)
        return total

    def is_blank(self) -> bool:
        # a cell left at 0 (the model's default, shown on a new row) is not something typed
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(
            data.get(n) not in (None, "", [], 0) for n in INCIDENT_FIELDS if n in self.fields
        )


class ReferralForm(RowForm):
    DEFAULTED = defaulted_fields(Referral, REFERRAL_FIELDS)

    class Meta:
        model = Referral
        fields = REFERRAL_FIELDS
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # suggestions of organisations in Vigie (free text: partners outside are named too)
        self.fields["receiving_organisation_name"].widget.attrs["list"] = "receiving-organisations"


# prefix -> (row form, record section, rows shown on a new case)
ROWS: dict[str, tuple[type[RowForm], str, int]] = {
    "vic": (VictimForm, "victims", 1),
    "inc": (IncidentForm, "incidents", 0),
    "exp": (ExploitationForm, "exploitations", 1),
    "perp": (PerpetratorForm, "perpetrators", 1),
    "leg": (LegForm, "route", 2),
    "ref": (ReferralForm, "referrals", 1),
}
