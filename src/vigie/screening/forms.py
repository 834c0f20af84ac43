from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.screening.batch import COLUMNS


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    schema = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Any")), ("Person", _("Person")), ("Organization", _("Organisation"))],
    )
    birth_date = forms.CharField(
        label=_("Date or year of birth"), required=False, max_length=20, help_text="YYYY-MM-DD"
    )
    country = forms.CharField(label=_("Nationality or country"), required=False, max_length=60)
    document = forms.CharField(label=_("Identity document number"), required=False, max_length=60)


class SubjectForm(SearchForm):
    external_id = forms.CharField(label=_("Your reference"), required=False, max_length=120)
    purpose = forms.ChoiceField(
        label=_("Screened as"),
        choices=[
            ("supplier", _("Supplier")),
            ("counterparty", _("Counterparty")),
            ("perpetrator", _("Perpetrator in a case")),
            ("other", _("Other")),
        ],
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file of names"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return f


class MappingForm(forms.Form):
    """Which column of the file holds which field."""

    def __init__(self, *args: Any, columns: list[str], initial_map: dict[str, str], **kw: Any):
        super().__init__(*args, **kw)
        choices = [("", "—")] + [(c, c) for c in columns]
        labels = {
            "id": _("Identifier"),
            "name": _("Name"),
            "schema": _("Type (Person / Organization)"),
            "birth_date": _("Date of birth"),
            "country": _("Country"),
            "document": _("Document number"),
        }
        for field in COLUMNS:
            self.fields[field] = forms.ChoiceField(
                label=labels[field],
                choices=choices,
                required=field == "name",
                initial=initial_map.get(field, ""),
            )


class LoadForm(forms.Form):
    file = forms.FileField(label=_("List file (UN XML, OFAC CSV/XML, FollowTheMoney JSON, CSV)"))
    source = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[
            ("", _("Detect")),
            ("un", "UN XML"),
            ("ofac", "OFAC"),
            ("ftm", "FollowTheMoney"),
            ("csv", "CSV"),
        ],
    )
    code = forms.SlugField(label=_("List code (CSV lists)"), required=False)


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirmed", _("Confirmed match")), ("false_positive", _("False positive"))],
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class BatchHitsForm(forms.Form):
    """Filters of a batch's results page (all optional)."""

    min_score = forms.FloatField(
        label=_("Score at least"), required=False, min_value=0, max_value=1
    )
    watchlist = forms.ChoiceField(label=_("List"), required=False)
    status = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[
            ("", _("Any")),
            ("open", _("To review")),
            ("confirmed", _("Confirmed match")),
            ("false_positive", _("False positive")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from vigie.screening.models import Watchlist

        super().__init__(*args, **kwargs)
        field = self.fields["watchlist"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any")), *Watchlist.objects.values_list("code", "title")]
