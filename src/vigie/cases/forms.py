"""The case form (one page, in steps: case, person, incidents, exploitation, perpetrators,
route, assistance and justice), with repeated rows (formsets). The form only gathers values:
it builds a nested record for services.save_record, whose problems come back on the matching
fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from vigie.cases import codelists
from vigie.cases.models import Incident, Referral

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
IDENTITY_FIELDS = ["given_name", "family_name", "date_of_birth", "document_number", "phone"]
VICTIM_FIELDS = [
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
# justice, on the case (the victim's non-punishment flag is shown with them)
JUSTICE_FIELDS = ["investigation_status", "prosecution_status", "conviction_status"]
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

TRI = [("", _("Not recorded")), ("true", _("Yes")), ("false", _("No"))]


def _choices(listname: str, blank: bool = True) -> list[tuple[str, str]]:
    items = codelists.get(listname).choices()
    return [("", "—"), *items] if blank else items


def _countries() -> list[tuple[str, str]]:
    return [("", "—"), *codelists.get("countries").sorted_choices()]


def _ticks(label: Any, listname: str) -> forms.MultipleChoiceField:
    """Codes of a code list, any number ticked."""
    return forms.MultipleChoiceField(
        label=label,
        choices=_choices(listname, False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CaseForm(forms.Form):
    """The fields of the case itself; the people, incidents and other rows are formsets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["reference"] = forms.CharField(
            label=_("Reference"),
            required=False,
            max_length=60,
            help_text=_("Left empty, one is generated."),
        )
        f["summary"] = forms.CharField(
            label=_("Summary"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("What happened, without names, addresses or other identifying details."),
        )
        f["status"] = forms.ChoiceField(label=_("Status"), choices=_choices("case_status", False))
        f["source_type"] = forms.ChoiceField(
            label=_("Data source type"), choices=_choices("data_source_types")
        )
        f["source_record_id"] = forms.CharField(
            label=_("Source record id"), required=False, max_length=120
        )
        f["verification_status"] = forms.ChoiceField(
            label=_("Verification status"), choices=_choices("verification_status", False)
        )
        f["conflict_situation"] = forms.ChoiceField(
            label=_("Conflict situation"), choices=_choices("conflict_situations"), required=False
        )
        f["conflict_context"] = forms.ChoiceField(
            label=_("Conflict context"), choices=_choices("conflict_contexts"), required=False
        )
        f["country"] = forms.ChoiceField(
            label=_("Country where identified"), choices=_countries(), required=False
        )
        f["area"] = forms.CharField(label=_("Sub-national area"), required=False, max_length=200)
        f["event_date_start"] = _date(_("Events from"))
        f["event_date_end"] = _date(_("Events until"))
        f["identification_date"] = _date(_("Date of identification"))
        f["report_date"] = _date(_("Date of report"))
        for name, label in [
            ("investigation_status", _("Investigation")),
            ("prosecution_status", _("Prosecution")),
            ("conviction_status", _("Conviction")),
        ]:
            f[name] = forms.ChoiceField(
                label=label, choices=_choices("justice_status"), required=False
            )

    def section(self, prefix: str) -> list[Any]:
        if prefix == "case":
            return [self[n] for n in CASE_FIELDS]
        return [self[n] for n in self.fields if n.startswith(prefix + "-")]

    def case_section(self) -> list[Any]:
        return self.section("case")

    def justice_section(self) -> list[Any]:
        """The case's justice statuses (non-punishment is a field of each person)."""
        return [self[n] for n in JUSTICE_FIELDS]


# --- rows that repeat: exploitations, perpetrators, route legs (Django formsets) -----------


class RowForm(forms.Form):
    """One repeated row; ``uuid`` names the stored row it edits (empty for a new row)."""

    uuid = forms.CharField(required=False, widget=forms.HiddenInput)
    FIELDS: list[str] = []
    # fields that always hold a value (a select without a blank choice): not typed by the user
    DEFAULTED: frozenset[str] = frozenset()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(
            data.get(n) not in (None, "", []) for n in self.FIELDS if n not in self.DEFAULTED
        )


class VictimForm(RowForm):
    """One person recorded individually (a case may record several)."""

    FIELDS = IDENTITY_FIELDS + VICTIM_FIELDS
    DEFAULTED = frozenset({"trafficking_status"})

    def __init__(self, *args: Any, show_identity: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        if show_identity:  # else the record keeps the identity the user may not see
            f["given_name"] = forms.CharField(label=_("Given name"), required=False)
            f["family_name"] = forms.CharField(label=_("Family name"), required=False)
            f["date_of_birth"] = _date(_("Date of birth"))
            f["document_number"] = forms.CharField(
                label=_("Identity document number"), required=False
            )
            f["phone"] = forms.CharField(label=_("Phone"), required=False)
        f["sex"] = forms.ChoiceField(label=_("Sex"), choices=_choices("sex"), required=False)
        f["age_at_identification"] = forms.IntegerField(
            label=_("Age at identification"), required=False, min_value=0, max_value=120
        )
        f["age_at_exploitation"] = forms.IntegerField(
            label=_("Age when exploitation began"), required=False, min_value=0, max_value=120
        )
        f["citizenship"] = forms.ChoiceField(
            label=_("Citizenship"), choices=_countries(), required=False
        )
        f["displacement_status"] = forms.ChoiceField(
            label=_("Displacement status"), choices=_choices("displacement_status"), required=False
        )
        f["care_status"] = forms.ChoiceField(
            label=_("Unaccompanied or separated child"),
            choices=_choices("care_status"),
            required=False,
        )
        f["minority_group"] = forms.ChoiceField(
            label=_("Minority group"), choices=_choices("minority_groups"), required=False
        )
        for name, label in [
            ("has_disability", _("Disability")),
            ("non_punishment_recorded", _("Non-punishment principle applied")),
            ("consent_services", _("Consents to services")),
            ("consent_sharing", _("Consents to sharing with other organisations")),
            ("consent_evidence", _("Consents to use as evidence")),
        ]:
            f[name] = forms.ChoiceField(label=label, choices=TRI, required=False)
        f["trafficking_status"] = forms.ChoiceField(
            label=_("Trafficking status"),
            choices=_choices("trafficking_status", False),
            initial="possible",
        )


class ExploitationForm(RowForm):
    FIELDS = EXPLOITATION_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["forms"] = _ticks(_("Forms of exploitation"), "exploitation_forms")
        f["means"] = _ticks(_("Means used"), "means")
        f["labour_sectors"] = _ticks(_("Sectors of forced labour"), "labour_sectors")
        f["country"] = forms.ChoiceField(
            label=_("Country of exploitation"), choices=_countries(), required=False
        )
        f["area"] = forms.CharField(label=_("Place of exploitation"), required=False)
        f["start_date"] = _date(_("Exploitation from"))
        f["end_date"] = _date(_("Exploitation until"))


class PerpetratorForm(RowForm):
    FIELDS = PERPETRATOR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["perpetrator_type"] = forms.ChoiceField(
            label=_("Perpetrator type"), choices=_choices("perpetrator_types"), required=False
        )
        f["group_code"] = forms.ChoiceField(
            label=_("Armed or terrorist group"), choices=_choices("armed_groups"), required=False
        )
        f["group_name"] = forms.CharField(
            label=_("Group name (when not in the list)"), required=False
        )
        f["role"] = forms.ChoiceField(
            label=_("Role"), choices=_choices("perpetrator_roles"), required=False
        )
        f["relationship"] = forms.ChoiceField(
            label=_("Relationship to the person"),
            choices=_choices("relationships"),
            required=False,
        )


class LegForm(RowForm):
    FIELDS = LEG_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["country"] = forms.ChoiceField(label=_("Country"), choices=_countries(), required=False)
        f["area"] = forms.CharField(label=_("Area or town"), required=False)
        f["role"] = forms.ChoiceField(
            label=_("Role on the route"), choices=_choices("route_leg_roles"), required=False
        )
        f["latitude"] = forms.FloatField(
            label=_("Latitude"), required=False, min_value=-90, max_value=90
        )
        f["longitude"] = forms.FloatField(
            label=_("Longitude"), required=False, min_value=-180, max_value=180
        )
        f["transport_mode"] = forms.ChoiceField(
            label=_("Transport to the next place"),
            choices=_choices("transport_modes"),
            required=False,
        )
        f["corridor"] = forms.ChoiceField(
            label=_("Migration corridor"), choices=_choices("corridors"), required=False
        )


# the count grid of an incident: rows (age groups) x columns (sex), each cell a count field
GRID_SEXES = [("female", _("Female")), ("male", _("Male")), ("unknown", _("Sex unknown"))]
GRID_AGES = [
    ("child", _("Children (under 18)")),
    ("adult", _("Adults")),
    ("unknown", _("Age unknown")),
]

# numbers read left to right in Arabic too ("-2", not "2-")
COUNT_ATTRS = {"min": 0, "inputmode": "numeric", "dir": "ltr"}
COUNT_LABELS = {
    "count_female_child": _("Girls"),
    "count_male_child": _("Boys"),
    "count_unknown_child": _("Children, sex unknown"),
    "count_female_adult": _("Women"),
    "count_male_adult": _("Men"),
    "count_unknown_adult": _("Adults, sex unknown"),
    "count_female_unknown": _("Females, age unknown"),
    "count_male_unknown": _("Males, age unknown"),
    "count_unknown_unknown": _("Sex and age unknown"),
}


class IncidentForm(RowForm):
    """An event reported as counts of people (sex x age group), not names."""

    FIELDS = INCIDENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["description"] = forms.CharField(
            label=_("What happened"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("No names, addresses or other identifying details."),
        )
        f["date_start"] = _date(_("Incident from"))
        f["date_end"] = _date(_("Incident until"))
        f["country"] = forms.ChoiceField(
            label=_("Country of the incident"), choices=_countries(), required=False
        )
        f["area"] = forms.CharField(label=_("Place (area or town)"), required=False, max_length=200)
        f["forms"] = _ticks(_("Forms of exploitation"), "exploitation_forms")
        f["means"] = _ticks(_("Means used"), "means")
        f["armed_group"] = forms.ChoiceField(
            label=_("Armed or terrorist group"), choices=_choices("armed_groups"), required=False
        )
        for name in COUNT_FIELDS:
            f[name] = forms.IntegerField(
                label=COUNT_LABELS[name],
                required=False,
                min_value=0,
                widget=forms.NumberInput(attrs=COUNT_ATTRS),
            )
        f["total_reported"] = forms.IntegerField(
            label=_("Total given by the source"),
            required=False,
            min_value=0,
            help_text=_("Only when the source gives a total larger than the counts above."),
            widget=forms.NumberInput(attrs=COUNT_ATTRS),
        )
        f["includes_person"] = forms.BooleanField(
            label=_("The person of step 2 is one of these people"),
            required=False,
            help_text=_("So that the person is not counted twice."),
        )

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


class ReferralForm(RowForm):
    FIELDS = REFERRAL_FIELDS
    DEFAULTED = frozenset({"status"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["service"] = forms.ChoiceField(
            label=_("Service"), choices=_choices("referral_services"), required=False
        )
        f["receiving_organisation_name"] = forms.CharField(
            label=_("Receiving organisation"),
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"list": "receiving-organisations"}),
        )
        f["status"] = forms.ChoiceField(
            label=_("Status of the referral"),
            choices=[(v, capfirst(label)) for v, label in Referral.Status.choices],
            initial=Referral.Status.PROPOSED,
            required=False,  # left out (a post by a script): proposed
        )
        f["referred_on"] = _date(_("Referred on"))


# prefix -> (row form, record section, rows shown on a new case)
ROWS: dict[str, tuple[type[RowForm], str, int]] = {
    "vic": (VictimForm, "victims", 1),
    "inc": (IncidentForm, "incidents", 0),
    "exp": (ExploitationForm, "exploitations", 1),
    "perp": (PerpetratorForm, "perpetrators", 1),
    "leg": (LegForm, "route", 2),
    "ref": (ReferralForm, "referrals", 1),
}
MAX_ROWS = 50


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")


def _formset_class(prefix: str, extra: int) -> type[forms.BaseFormSet[Any]]:
    form_class = ROWS[prefix][0]
    return forms.formset_factory(
        form_class,
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
    )


def quiet(form: Any, rows: dict[str, Any]) -> None:
    """Show a bound form as typed, without validating it (after "Add another": no error
    messages for fields the user has not reached yet)."""
    from django.forms.utils import ErrorDict, ErrorList

    form._errors = ErrorDict()
    for formset in rows.values():
        formset._errors = []
        formset._non_form_errors = ErrorList()
        for row in formset.forms:
            row._errors = ErrorDict()


def _management(data: Any, prefix: str) -> dict[str, str]:
    """Management counts for a post that has none (a form posted without them, e.g. by a
    script): the rows present in the data."""
    if f"{prefix}-TOTAL_FORMS" in data:
        return {}
    rows = {
        int(key.split("-")[1])
        for key in data
        if key.startswith(prefix + "-") and key.split("-")[1].isdigit()
    }
    total = max(rows) + 1 if rows else 0
    return {
        f"{prefix}-TOTAL_FORMS": str(min(total, MAX_ROWS)),
        f"{prefix}-INITIAL_FORMS": "0",
    }


def row_formsets(
    data: Any = None,
    record: dict[str, Any] | None = None,
    add: str = "",
    *,
    refer: bool = True,
    identity: bool = True,
) -> dict[str, Any]:
    """The row formsets of the case form, bound to ``data`` (a POST) or filled from the
    ``record`` being edited. ``add``: the prefix that gets one more empty row (the "Add
    another" button, which works without JavaScript). ``refer`` False (the user may not refer
    victims): no referral rows, so the record leaves them as they are. ``identity`` False:
    the people's rows have no identity fields."""
    out: dict[str, Any] = {}
    for prefix, (_form, section, new_rows) in ROWS.items():
        if prefix == "ref" and not refer:
            continue
        form_kwargs = {"show_identity": identity} if prefix == "vic" else {}
        if data is not None:
            bound = data.copy()
            for key, value in _management(data, prefix).items():
                bound[key] = value
            if add == prefix:
                total = int(bound.get(f"{prefix}-TOTAL_FORMS") or 0)
                bound[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, MAX_ROWS))
            out[prefix] = _formset_class(prefix, 0)(bound, prefix=prefix, form_kwargs=form_kwargs)
            continue
        rows = (record or {}).get(section) or []
        initial = [_row_initial(prefix, row) for row in rows]
        if prefix == "inc":
            person = ((record or {}).get("victims") or [{}])[0]
            for item in initial:
                item["includes_person"] = bool(item["uuid"]) and item["uuid"] == str(
                    person.get("incident") or ""
                )
        if record is None:
            extra = max(new_rows - len(initial), 0)
        else:
            extra = 0 if initial else min(new_rows, 1)
        out[prefix] = _formset_class(prefix, extra)(
            initial=initial or None, prefix=prefix, form_kwargs=form_kwargs
        )
    return out


def _row_initial(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    names = ROWS[prefix][0].FIELDS
    values = {n: row.get(n) for n in names}
    for n, value in values.items():
        if isinstance(value, bool):  # a yes/no/not recorded choice
            values[n] = "true" if value else "false"
    return {"uuid": row.get("uuid") or "", **values}


def formsets_valid(formsets: dict[str, Any]) -> bool:
    valid = all(fs.is_valid() for fs in formsets.values())
    if "inc" in formsets and valid:
        # the person is linked to one incident at most (Victim.incident)
        ticked = [row for row in _kept_rows(formsets["inc"]) if row.cleaned_data["includes_person"]]
        for row in ticked[1:]:
            row.add_error("includes_person", _("The person can be counted in one incident only."))
        valid = len(ticked) <= 1
    return valid


def _kept_rows(formset: Any) -> list[Any]:
    """The rows of a (valid) formset that make a record row: not blank, not removed."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank()
    ]


def _tri(value: Any) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


NULLABLE = {
    "latitude",
    "longitude",
    "start_date",
    "end_date",
    "date_start",
    "date_end",
    "total_reported",
    "referred_on",
}


def form_to_record(
    cd: dict[str, Any], formsets: dict[str, Any], existing: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The nested record from the case form's cleaned data and its (valid) row formsets;
    ``existing`` is the record being edited: rows keep what the form does not show (matched by
    their ``uuid``), rows left out or marked "Remove" are deleted, blank rows are ignored.
    Also returns, per section, the form row of each record row (to put problems back).

    People are rows too: a person's row left blank is no person, except on a case that has
    neither people nor incidents (it records one person with the defaults). A new case whose
    people are left blank while it has incidents records no person: the people are the
    incidents' counts (a blank person would be counted once more). Exploitations,
    perpetrators and route legs belong to the first person."""
    existing = existing or {}
    record: dict[str, Any] = {n: _plain(cd.get(n)) for n in CASE_FIELDS + JUSTICE_FIELDS}
    incident_rows = _kept_rows(formsets["inc"]) if "inc" in formsets else []
    linked = [r for r in incident_rows if r.cleaned_data.get("includes_person")]
    victims, where = _victims(formsets, existing, bool(incident_rows) and not linked)
    victim = victims[0] if victims else {}
    vkey = (victim.get("uuid") or victim.get("key")) if victims else None
    record["victims"] = victims
    people = {v.get("uuid") or v.get("key") for v in victims}
    for prefix, (form_class, section, _new) in ROWS.items():
        if prefix not in formsets or prefix == "vic":
            continue
        old = {str(r.get("uuid")): dict(r) for r in existing.get(section) or [] if r.get("uuid")}
        rows: list[dict[str, Any]] = []
        where[section] = []
        kept = _kept_rows(formsets[prefix])
        for index, form in enumerate(formsets[prefix].forms):
            if form not in kept:
                continue
            data = form.cleaned_data
            new_row: dict[str, Any] = (
                {"key": f"inc-{index}"} if prefix == "inc" else {"victim": vkey}
            )
            row = old.get(data.get("uuid") or "") or new_row
            if prefix != "inc" and row.get("victim") not in people:
                row["victim"] = vkey  # its person was removed: the rows are the first person's
            for n in form_class.FIELDS:
                value = data.get(n)
                if isinstance(value, list):
                    row[n] = value
                elif value in (None, ""):
                    row[n] = None if n in NULLABLE else ""
                else:
                    row[n] = _plain(value)
            if prefix == "perp" and not row.get("kind"):
                row["kind"] = (
                    "group" if row.get("group_code") or row.get("group_name") else "person"
                )
            if prefix == "ref" and not row.get("status"):
                row["status"] = Referral.Status.PROPOSED
            if prefix == "inc" and victims and data.get("includes_person"):
                victim["incident"] = row.get("uuid") or row["key"]
            rows.append(row)
            where[section].append(index)
        if prefix == "leg":
            for seq, leg in enumerate(rows, 1):
                leg["sequence"] = seq
        if prefix == "inc" and victims and not linked:
            victim["incident"] = None  # not (or no longer) counted in an incident
        record[section] = rows
    return record, where


def _victims(
    formsets: dict[str, Any], existing: dict[str, Any], counts_only: bool
) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """The people of the record from the (valid) people's rows, each stored person matched by
    its ``uuid`` (keeping what the form does not show, such as an identity the user may not
    see); also the form row of each (to put problems back)."""
    old = {str(v.get("uuid")): dict(v) for v in existing.get("victims") or [] if v.get("uuid")}
    formset = formsets.get("vic")
    if formset is None:
        return [dict(v) for v in existing.get("victims") or []], {}
    forms_ = list(formset.forms)
    # a stored person stays unless removed, even with every field the form shows cleared
    kept = [
        f
        for f in forms_
        if f.cleaned_data
        and not f.cleaned_data.get("DELETE")
        and (f.cleaned_data.get("uuid") or not f.is_blank())
    ]
    if not kept and not counts_only and not existing.get("victims"):
        # a case with nobody recorded at all: one person with the defaults, as before
        kept = [f for f in forms_ if f.cleaned_data and not f.cleaned_data.get("DELETE")][:1]
    victims: list[dict[str, Any]] = []
    rows: list[int] = []
    for index, form in enumerate(forms_):
        if form not in kept:
            continue
        data = form.cleaned_data
        victim = old.get(data.get("uuid") or "") or {"key": f"v{index + 1}"}
        for n in VictimForm.FIELDS:
            if n not in form.fields:
                continue
            value = data.get(n)
            if n in ("has_disability", "non_punishment_recorded") or n.startswith("consent_"):
                value = _tri(value)
            victim[n] = _plain(value)
        for derived in (
            "age_band_at_identification",
            "age_band_at_exploitation",
            "age_group_at_identification",
            "age_group_at_exploitation",
        ):
            victim.pop(derived, None)  # recomputed from the ages
        victims.append(victim)
        rows.append(index)
    return victims, {"victims": rows}


def record_to_initial(record: dict[str, Any]) -> dict[str, Any]:
    return {n: record.get(n) for n in CASE_FIELDS + JUSTICE_FIELDS}


SECTION_PREFIX = {section: prefix for prefix, (_f, section, _n) in ROWS.items()}


def problem_field(path: str, where: dict[str, list[int]] | None = None) -> tuple[str, int, str]:
    """Where a record problem goes on the form: ``("", -1, "country")`` for a field of the
    case form, ``("vic", 1, "sex")`` or ``("exp", 2, "country")`` for a field of a row,
    ``("", -1, "")`` for none."""
    if "." not in path:
        return ("", -1, path if path in CASE_FIELDS + JUSTICE_FIELDS else "")
    head, name = path.split(".", 1)
    section, _sep, index = head.partition("[")
    number = int(index[:-1]) if index[:-1].isdigit() else -1
    prefix = SECTION_PREFIX.get(section)
    rows = (where or {}).get(section) or []
    if prefix is None or not 0 <= number < len(rows):
        return ("", -1, "")
    return (prefix, rows[number], name)
