"""Every stored field has exactly one classification, declared once on its model.

- ``IDENTITY``: identifies a person (name, date of birth, document, phone, address, photo,
  free text that may hold any of these). Encrypted at rest (``EncryptedTextField`` and
  friends), shown only with ``victim.identity.view`` or the record type's identity
  permission, every read in the access log; never in logs, job results, search terms,
  error messages, caches or exports without that permission.
- ``SENSITIVE``: about a person but not identifying on its own (sex, age band, nationality,
  form of exploitation, health need). Shown to roles that may see the record; aggregated
  only through disclosure control.
- ``ORDINARY``: everything else (ids, codes, timestamps, organisation, status).

A model declares ``CLASSIFICATION: ClassVar[dict[str, str]]`` naming every concrete field;
encrypted fields are identity whatever the mapping says. Fields a model keeps for values it
does not know (for example unknown columns of an imported file) are identity by default.
``vigie.core.tests.test_classification`` walks every model of every Vigie app.
"""

from __future__ import annotations

from typing import Any

IDENTITY = "identity"
SENSITIVE = "sensitive"
ORDINARY = "ordinary"
LEVELS = (IDENTITY, SENSITIVE, ORDINARY)


def classify(*, identity: str = "", sensitive: str = "", ordinary: str = "") -> dict[str, str]:
    """A model's ``CLASSIFICATION`` from space-separated field names per level."""
    out: dict[str, str] = {}
    for level, names in ((IDENTITY, identity), (SENSITIVE, sensitive), (ORDINARY, ordinary)):
        for name in names.split():
            if name in out:
                raise ValueError(f"field {name} is classified twice")
            out[name] = level
    return out


def concrete_fields(model: Any) -> list[str]:
    """The names of the stored fields of ``model`` (foreign keys by field name)."""
    return [f.name for f in model._meta.concrete_fields]


def classification_of(model: Any, field_name: str) -> str:
    """The classification of one field; ``KeyError`` when the model does not declare it."""
    field = model._meta.get_field(field_name)
    if getattr(field, "identifying", False):
        return IDENTITY
    declared: dict[str, str] = getattr(model, "CLASSIFICATION", {})
    return declared[field_name]


def level_of(model: Any, field_name: str) -> str:
    """The classification that output paths obey: an undeclared field is identity (a field
    nobody classified is treated as the most protected kind until someone does)."""
    try:
        return classification_of(model, field_name)
    except KeyError:
        return IDENTITY


def identity_fields(model: Any) -> list[str]:
    """The names of ``model``'s identity fields, undeclared ones included."""
    return [name for name in concrete_fields(model) if level_of(model, name) == IDENTITY]


def undeclared(model: Any) -> list[str]:
    """Fields of ``model`` with no classification (the test requires none)."""
    declared: dict[str, str] = getattr(model, "CLASSIFICATION", {})
    out = []
    for f in model._meta.concrete_fields:
        if getattr(f, "identifying", False):
            continue
        level = declared.get(f.name)
        if level not in LEVELS:
            out.append(f.name)
    return out
