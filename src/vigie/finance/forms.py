from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.finance.models import Alert


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Alert.Status.ESCALATED, _("Escalate")),
            (Alert.Status.FALSE_POSITIVE, _("False positive")),
            (Alert.Status.REPORTED, _("Reported to the FIU (STR filed)")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a false positive: say why."),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Transactions (CSV, XLSX, camt.053 statement or goAML report)"))
    mapping = forms.FileField(
        label=_("Mapping (YAML)"),
        required=False,
        help_text=_(
            "Leave empty when the columns have Vigie's names (tx_id, ts, amount...), and for "
            "camt.053 and goAML files."
        ),
    )
    partial = forms.BooleanField(
        label=_("Import the good rows and report the others"), required=False
    )
