"""A throwaway model with encrypted fields: registered and created for one test, then
dropped and unregistered, so that key rotation elsewhere never meets a missing table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, models

from vigie.core.fields import BlindIndexField, EncryptedDateField, EncryptedTextField


def _define() -> Any:
    class SecretThing(models.Model):
        name = EncryptedTextField(null=True, blank=True)
        name_index = BlindIndexField(source="name")
        born = EncryptedDateField(null=True, blank=True)
        note = models.CharField(max_length=50, default="")

        class Meta:
            app_label = "core"
            db_table = "test_secret_thing"

    return SecretThing


@contextmanager
def secret_table() -> Iterator[Any]:
    model = _define()
    with connection.schema_editor() as editor:
        editor.create_model(model)
    try:
        yield model
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(model)
        apps.all_models["core"].pop("secretthing", None)
        apps.clear_cache()
