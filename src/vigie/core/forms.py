from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from vigie.core.models import ApiToken, Organisation, OrganisationShare
from vigie.core.roles import catalogue, localised


def role_choices(include_system: bool) -> list[tuple[str, str]]:
    return [
        (r.code, r.label)
        for r in catalogue().roles.values()
        if include_system or r.scope != "system"
    ]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. The user should change it at first login."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, include_system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices(include_system)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=(), required=False
    )

    def __init__(self, *args: Any, include_system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices(include_system)


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "country"]


class ShareForm(forms.ModelForm[OrganisationShare]):
    class Meta:
        model = OrganisationShare
        fields = ["partner", "scope", "include_identities"]

    def __init__(self, *args: Any, owner: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner = cast(forms.ModelChoiceField, self.fields["partner"])
        partner.queryset = Organisation.objects.filter(is_active=True).exclude(pk=owner.pk)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_("What it is for."))
    access = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Access.choices,
        initial=ApiToken.Access.READ,
        widget=forms.RadioSelect,
        help_text=_("A read-only token can only read (GET); it cannot change anything."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        help_text=_("The token stops working after this many days."),
    )
    permissions = forms.MultipleChoiceField(
        label=_("Only these permissions"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        required=False,
        help_text=_("Leave empty for all of your permissions."),
    )

    def __init__(self, *args: Any, held: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = cast(forms.IntegerField, self.fields["days"])
        days.initial = settings.VIGIE_TOKEN_DEFAULT_DAYS
        days.max_value = settings.VIGIE_TOKEN_MAX_DAYS
        days.validators.append(MaxValueValidator(settings.VIGIE_TOKEN_MAX_DAYS))
        days.widget.attrs["max"] = settings.VIGIE_TOKEN_MAX_DAYS
        labels = catalogue().permissions
        cast(forms.MultipleChoiceField, self.fields["permissions"]).choices = [
            (p, localised(labels[p])) for p in held or [] if p in labels
        ]
