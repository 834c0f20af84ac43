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

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisations"]
        field.queryset = organisations  # type: ignore[attr-defined]
        if organisations.count() == 1:
            field.initial = list(organisations)

    def clean_xlsform(self) -> Any:
        f = self.cleaned_data["xlsform"]
        if f.size > MAX_XLSFORM_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return f


class DeviceForm(forms.Form):
    label = forms.CharField(label=_("Device or team"), max_length=120)
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
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, victims: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["victim"].choices = [("", _("A new victim of the case")), *victims]  # type: ignore[attr-defined]
