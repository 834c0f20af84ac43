from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.identification import referrals, services
from vigie.identification.indicators import label
from vigie.identification.models import Consent, PlanItem, Referral

LISTS = [
    ("adult_labour", _("Adult — labour exploitation")),
    ("adult_sexual", _("Adult — sexual exploitation")),
    ("child_labour", _("Child — labour exploitation")),
    ("child_sexual", _("Child — sexual exploitation")),
]


class StartForm(forms.Form):
    list_code = forms.ChoiceField(label=_("Indicator list"), choices=LISTS)
    language = forms.ChoiceField(
        label=_("Language of the interview"),
        choices=[("ar", "العربية"), ("fr", "Français"), ("en", "English")],
    )


class PersonForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=200)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=200)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[
            ("", "—"),
            ("female", _("female")),
            ("male", _("male")),
            ("unknown", _("unknown")),
        ],
    )
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120)
    citizenship = forms.CharField(label=_("Citizenship (ISO code)"), required=False, max_length=2)
    displacement_status = forms.ChoiceField(
        label=_("Displacement status"),
        required=False,
        choices=[
            ("", "—"),
            ("refugee", _("refugee")),
            ("asylum_seeker", _("asylum seeker")),
            ("idp", _("internally displaced")),
            ("migrant", _("migrant")),
            ("not_displaced", _("not displaced")),
        ],
    )
    country = forms.CharField(
        label=_("Country of the interview (ISO code)"), required=False, max_length=2
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    recipient = forms.ChoiceField(label=_("Organisation (for sharing)"), required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=Consent.Decision.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=Consent.GivenBy.choices)
    guardian_name = forms.CharField(label=_("Guardian's name"), required=False, max_length=200)
    bid_reference = forms.CharField(
        label=_("Best-interests determination reference"), required=False, max_length=60
    )
    language = forms.ChoiceField(label=_("Language"), choices=[(c, c) for c in services.LANGUAGES])

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "—"), *organisations]  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    receiving_organisation = forms.ChoiceField(label=_("Refer to"))
    service_type = forms.ChoiceField(label=_("Service"))
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Referral.Urgency.choices, initial="medium"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Referral.Kind.choices, initial="referral")
    shared_fields = forms.MultipleChoiceField(
        label=_("Fields to share"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, k) for k in referrals.SHAREABLE],
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiving_organisation"].choices = organisations  # type: ignore[attr-defined]
        self.fields["service_type"].choices = [  # type: ignore[attr-defined]
            (k, label(v)) for k, v in referrals.config()["service_types"].items()
        ]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Referral.State.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class PlanItemForm(forms.Form):
    need = forms.ChoiceField(label=_("Need"))
    follow_up_date = forms.DateField(
        label=_("Follow-up date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    responsible_organisation = forms.ChoiceField(
        label=_("Responsible organisation"), required=False
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        needs = [(k, label(v)) for k, v in referrals.config()["service_types"].items()]
        self.fields["need"].choices = needs  # type: ignore[attr-defined]
        self.fields["responsible_organisation"].choices = [("", "—"), *organisations]  # type: ignore[attr-defined]


class PlanUpdateForm(forms.Form):
    """Follow-up of one item of the case plan (its status, dates and notes)."""

    item = forms.UUIDField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=PlanItem.Status.choices)
    follow_up_date = forms.DateField(
        label=_("Next follow-up"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(
        label=_("Due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


CLOSURE_REASONS = {
    "plan_completed": _("case plan completed"),
    "transferred": _("responsibility transferred"),
    "person_declined": _("the person declined further assistance"),
    "lost_contact": _("contact lost"),
    "relocated": _("the person moved away"),
    "deceased": _("the person died"),
    "not_a_victim": _("not a victim of trafficking after assessment"),
}


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"))
    note = forms.CharField(
        label=_("Note (no names)"), required=False, max_length=1000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [  # type: ignore[attr-defined]
            (code, CLOSURE_REASONS[code]) for code in services.CLOSURE_REASONS
        ]


class NonPunishmentForm(forms.Form):
    compelled_offences = forms.CharField(
        label=_("Offences the person was compelled to commit (comma-separated)"),
        required=False,
        max_length=500,
    )
    legal_status = forms.CharField(label=_("Legal status"), required=False, max_length=30)
    detained = forms.BooleanField(label=_("Detained"), required=False)
    prosecuted = forms.BooleanField(label=_("Prosecuted or charged"), required=False)
    released_from_armed_group = forms.BooleanField(
        label=_("Released by an armed or terrorist group"), required=False
    )
    checklist = forms.MultipleChoiceField(
        label=_("Assessment checklist (S/2017/939 para 75)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("assessed_individually", _("Assessed individually")),
            ("screened_as_victim", _("Screened as a possible victim of trafficking")),
            ("not_detained_for_association", _("Not detained for association with the group")),
            ("child_handed_to_child_protection", _("Child handed over to child protection")),
            ("medical_psychosocial_offered", _("Medical and psychosocial care offered")),
            ("legal_counsel_offered", _("Legal counsel offered")),
            ("family_tracing_started", _("Family tracing started")),
        ],
    )
