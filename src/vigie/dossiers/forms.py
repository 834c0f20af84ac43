"""Forms of the dossier pages (labels translated; required fields marked in the templates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vigie.dossiers import regimes
from vigie.dossiers.models import Alias, Dossier, Identifier


def regime_choices() -> list[tuple[str, str]]:
    lang = get_language() or "en"
    return [(code, r.label(lang)) for code, r in regimes.catalogue().regimes.items()]


class CreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Individual or entity"), choices=Dossier.Kind.choices)
    regime = forms.ChoiceField(label=_("Sanctions regime"))
    primary_name = forms.CharField(label=_("Name of the person or entity"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = regime_choices()  # type: ignore[attr-defined]


class ParticularsForm(forms.Form):
    primary_name = forms.CharField(label=_("Name"), max_length=300)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    designation = forms.CharField(
        label=_("Designation (position held)"), max_length=300, required=False
    )
    birth_date = forms.CharField(
        label=_("Date of birth (YYYY-MM-DD or YYYY)"), max_length=20, required=False
    )
    birth_place = forms.CharField(label=_("Place of birth"), max_length=300, required=False)
    nationalities = forms.CharField(
        label=_("Nationalities (ISO codes, space-separated)"), max_length=60, required=False
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[
            ("", "—"),
            ("male", _("male")),
            ("female", _("female")),
            ("unknown", _("unknown")),
        ],
    )
    address = forms.CharField(label=_("Address"), max_length=2000, required=False)
    narrative = forms.CharField(
        label=_("Narrative summary of reasons for listing"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    other_information = forms.CharField(
        label=_("Other information"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class AliasForm(forms.Form):
    name = forms.CharField(label=_("Alias or name in original script"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Alias.Kind.choices)
    quality = forms.ChoiceField(label=_("Quality"), choices=Alias.Quality.choices)


class IdentifierForm(forms.Form):
    type = forms.ChoiceField(label=_("Document"), choices=Identifier.Type.choices)
    number = forms.CharField(label=_("Number"), max_length=100)
    country = forms.CharField(label=_("Issuing country (ISO code)"), max_length=2, required=False)
    issued = forms.CharField(label=_("Date of issue"), max_length=20, required=False)


class LinkCaseForm(forms.Form):
    case = forms.CharField(label=_("Case reference"), max_length=60)


class FactForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Designation criterion"))
    statement = forms.CharField(
        label=_("Fact"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    cases = forms.MultipleChoiceField(
        label=_("Linked cases it rests on"), required=False, widget=forms.CheckboxSelectMultiple
    )
    documents = forms.CharField(
        label=_("Documents (symbols, one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, dossier: Dossier, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = get_language() or "en"
        regime = regimes.catalogue().get(dossier.regime)
        self.fields["criterion"].choices = [  # type: ignore[attr-defined]
            (c.code, f"{c.label(lang)} ({c.citation})") for c in regime.criteria.values()
        ]
        self.fields["cases"].choices = [  # type: ignore[attr-defined]
            (str(link.case.uuid), link.case.reference)
            for link in dossier.cases.select_related("case")
        ]

    def sources(self) -> list[dict[str, str]]:
        out = [{"kind": "case", "ref": u} for u in self.cleaned_data["cases"]]
        for line in self.cleaned_data["documents"].splitlines():
            if line.strip():
                out.append({"kind": "document", "ref": line.strip()})
        return out


class TransitionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Step"),
        choices=[
            ("send_to_review", _("Send to review")),
            ("return_to_draft", _("Return to draft")),
            ("submit", _("Submit to the committee")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000)
