"""Model fields holding codes of the Vigie code lists (validated against the YAML lists).

No ``choices`` are set on purpose: adding a code to a list is a data change, not a migration.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.cases import codelists


class CodeField(models.CharField):
    """One code of the list ``codelist`` (or blank)."""

    def __init__(self, *args: Any, codelist: str = "", **kwargs: Any) -> None:
        self.codelist = codelist
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if value and value not in codelists.get(self.codelist):
            raise ValidationError(
                _("%(value)s is not a code of the list %(list)s"),
                code="unknown_code",
                params={"value": value, "list": self.codelist},
            )

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["codelist"] = self.codelist
        return name, "vigie.cases.fields.CodeField", args, kwargs


class CodeListField(models.JSONField):
    """A list of codes of ``codelist`` (JSON array, no duplicates)."""

    def __init__(self, *args: Any, codelist: str = "", **kwargs: Any) -> None:
        self.codelist = codelist
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("a list of codes is expected"), code="not_a_list")
        lst = codelists.get(self.codelist)
        unknown = [v for v in value if v not in lst]
        if unknown:
            raise ValidationError(
                _("%(value)s is not a code of the list %(list)s"),
                code="unknown_code",
                params={"value": ", ".join(map(str, unknown)), "list": self.codelist},
            )
        if len(set(value)) != len(value):
            raise ValidationError(_("a code is repeated"), code="duplicate_code")

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["codelist"] = self.codelist
        return name, "vigie.cases.fields.CodeListField", args, kwargs
