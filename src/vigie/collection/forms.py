"""Web forms of field collection (labels translated; required fields marked by Django)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_XLSFORM_BYTES = 10 * 1024 * 1024


class UploadForm(forms.Form):
    xlsform = forms.FileField(
        label=_("XLSForm (.xlsx)"),
        help_text=_("The settings sheet gives the form id and the version."),
    )
    encrypt = forms.BooleanField(
        label=_("Encrypt submissions on the device (ODK managed encryption)"),
        required=False,
        help_text=_("Devices then send nothing readable; only Vigie can decrypt."),
    )
    organisations: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Publish to"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.CharField(
        label=_("Only these field teams"),
        required=False,
        max_length=1000,
        help_text=_("Team names separated by commas; leave empty for every device."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        field.queryset = organisations  # type: ignore[attr-defined]
        if organisations.count() == 1:
            field.initial = list(organisations)

    def clean_teams(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["teams"].split(",") if t.strip()]

    def clean_xlsform(self) -> Any:
        f = self.cleaned_data["xlsform"]
        if f.size > MAX_XLSFORM_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return f


class DeviceForm(forms.Form):
    label = forms.CharField(label=_("Device or team"), max_length=120)
    team = forms.CharField(label=_("Field team"), max_length=120, required=False)
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), widget=forms.Textarea, max_length=2000
    )


class MergeForm(forms.Form):
    """Accept into an existing case: which case, which of its victims, what on a conflict."""

    ON_CONFLICT = [
        ("refuse", _("Stop and tell me (nothing is changed)")),
        ("keep", _("Keep the case's values")),
        ("replace", _("Replace them with the submission's")),
    ]
    case = forms.CharField(label=_("Case reference"), max_length=64)
    victim = forms.ChoiceField(
        label=_("The submission is about"), required=False, widget=forms.RadioSelect
    )
    on_conflict = forms.ChoiceField(
        label=_("Where the case already holds another value"),
        choices=ON_CONFLICT,
        initial="refuse",
        required=False,  # "refuse" when left out: nothing is overwritten unasked
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, victims: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["victim"].choices = [("", _("A new victim of the case")), *victims]  # type: ignore[attr-defined]

    def clean_on_conflict(self) -> str:
        return str(self.cleaned_data.get("on_conflict") or "refuse")


class ImportForm(forms.Form):
    """Import a KoBoToolbox or ODK Central export of a published form."""

    export = forms.FileField(
        label=_("Export file"),
        help_text=_(
            "KoBoToolbox: XLSX (XML values and headers) or CSV. ODK Central: the submissions "
            "ZIP (CSV with media files)."
        ),
    )
    # a form id: the form is the one published under it to the chosen organisation (form
    # ids are unique per owner, so two organisations' forms may share one)
    form = forms.ChoiceField(label=_("Form"))
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Into the review queue of"), queryset=None
    )

    def __init__(self, *args: Any, organisations: Any, form_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["form"].choices = [(f, f) for f in form_ids]  # type: ignore[attr-defined]
