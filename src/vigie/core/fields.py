"""Model fields that keep identifying values encrypted at rest."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigie.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted with the active field key; decrypted transparently when read.

    Only ``isnull`` lookups work: use a :class:`BlindIndexField` for exact matches.
    """

    identifying = True

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.crypto_context = f"{cls._meta.label_lower}.{name}"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(f"{self.crypto_context} is encrypted: use its blind index to search")
        return super().get_lookup(lookup_name)

    def to_plain(self, value: Any) -> str:
        return str(value)

    def from_plain(self, text: str) -> Any:
        return text

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return crypto.encrypt(self.to_plain(value), self.crypto_context)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_plain(crypto.decrypt(value, self.crypto_context))

    def to_python(self, value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        return self.from_plain(value)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "vigie.core.fields.EncryptedTextField", args, kwargs


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (ISO 8601 inside the ciphertext)."""

    def to_plain(self, value: Any) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()

    def from_plain(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def to_python(self, value: Any) -> Any:
        # A JSON true or 5 passed the text field's "not a string: as it is" and failed at the
        # save, a 500; refused here like a bad string. The value is not quoted: it is identity.
        if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date | None):
            raise ValidationError(_("is not a date (YYYY-MM-DD)"), code="invalid")
        return super().to_python(value)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "vigie.core.fields.EncryptedDateField", args, kwargs


class EncryptedJSONField(EncryptedTextField):
    """A JSON object stored encrypted (fields a model keeps for values it does not know,
    identity by default). An empty object is stored as NULL and read back as ``{}``."""

    def to_plain(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def from_plain(self, text: str) -> Any:
        return json.loads(text)

    def get_prep_value(self, value: Any) -> Any:
        return None if value in (None, "", {}) else super().get_prep_value(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return {} if value is None else super().from_db_value(value, expression, connection)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "vigie.core.fields.EncryptedJSONField", args, kwargs


class BlindIndexField(models.CharField):
    """Keyed HMAC of another field's normalised value, for exact-match lookups.

    ``Victim.objects.filter(name_index=blind_index_for(Victim, "name", "Amina"))``.
    """

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.source)
        digest = "" if value in (None, "") else crypto.blind_index(str(value), self.index_context)
        setattr(model_instance, self.attname, digest)
        return digest

    @property
    def index_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.source}"

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, "vigie.core.fields.BlindIndexField", args, kwargs


def blind_index_for(model: type[models.Model], source: str, value: str) -> str:
    """The digest to filter on, for ``value`` of the encrypted field ``source`` of ``model``."""
    return crypto.blind_index(value, f"{model._meta.label_lower}.{source}")


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
