"""A case as one nested dict (the "Vigie layout"), to and from the tables.

The same shape is used by the API, the JSON export, the forms and every importer::

    {"reference": "...", "source_type": "mrm", ...,            # Case fields
     "victims": [{"key": "v1", "sex": "female", "incident": "i1", ...}],
     "incidents": [{"key": "i1", "count_female_child": 55, ...}],
     "exploitations": [{"victim": "v1", "forms": ["sexual_slavery"], ...}],
     "perpetrators": [{"victim": "v1", "kind": "group", "group_code": "isil", ...}],
     "route": [{"sequence": 1, "country": "IQ", "role": "origin", ...}],
     "referrals": [{"victim": "v1", "service": "medical", ...}]}

Children point to a victim or incident of the same record by its ``key`` (any string chosen
by the writer; the ``uuid`` when read back). Values are converted and checked by the model
fields themselves; :func:`validate` returns every problem with its path, e.g.
``victims[0].sex``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext as _

from vigie.cases import codelists
from vigie.cases.models import (
    IDENTIFYING_FIELDS,
    Case,
    Exploitation,
    Incident,
    Perpetrator,
    Referral,
    RouteLeg,
    Victim,
)
from vigie.core import quoting
from vigie.core.fields import EncryptedTextField

CHILDREN: dict[str, type[models.Model]] = {
    "incidents": Incident,
    "victims": Victim,
    "exploitations": Exploitation,
    "perpetrators": Perpetrator,
    "route": RouteLeg,
    "referrals": Referral,
}
NOT_WRITABLE = {
    "id",
    "uuid",
    "organisation",
    "case",
    "created_by",
    "created_at",
    "updated_at",
    "codes_index",
    "search_text",
    "standard_version",
    # the importer's bookkeeping (ADR 0047): never given by a record, never shown
    "content_digest",
    "swap_parts",
}
COUNTRY_FIELDS = {"country", "citizenship", "nationality"}
IDENTITY = {
    name
    for model, names in IDENTIFYING_FIELDS.items()
    for name in names
    if not name.endswith("_index")
}


@cache
def writable_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields a record may set (cached: the result must not be changed)."""
    out: list[models.Field[Any, Any]] = []
    for f in model._meta.concrete_fields:
        if f.name in NOT_WRITABLE or f.name.endswith("_index"):
            continue
        if isinstance(f, models.ForeignKey) and f.name in ("victim", "incident"):
            out.append(f)
            continue
        if isinstance(f, models.ForeignKey):
            continue
        out.append(f)
    return out


def identity_fields(model: type[models.Model]) -> list[str]:
    return [n for n in IDENTIFYING_FIELDS.get(model.__name__, ()) if not n.endswith("_index")]


#: What a problem says instead of a value it may not quote.
WITHHELD = "…"
_INDEX = re.compile(r"\[\d+\]$")


@dataclass
class Problem:
    """A problem of one value of a record. The value is quoted only when it belongs to a
    field of the standard that is not identity and has a shape no name has (at most one
    letter, or a hex id: ``core.quoting``): the value of an identity field, of a field the
    standard does not know (identity by default), or one shaped like a word, is withheld,
    and so is any message that repeats it (problems end up in job results, API responses,
    reject files and logs read by people without ``victim.identity.view``)."""

    path: str
    value: Any
    message: str

    def __post_init__(self) -> None:
        if self.value is None or self.value == WITHHELD:
            return
        field = _INDEX.sub("", self.path.rsplit(".", 1)[-1])
        text = str(self.value)
        # a shifted row or a wrong mapping puts a name in a field that is not identity: its
        # value is quoted only when no name can have its shape either (ADR 0054)
        if field in _quotable() and quoting.quotable(text):
            return
        if text and text in str(self.message):
            self.message = _("is not a valid value")
        self.value = WITHHELD

    def __str__(self) -> str:
        return f"{self.path}: {self.value!r}: {self.message}"


@cache
def _quotable() -> frozenset[str]:
    """The fields of the case record whose values a problem may quote: the fields of the
    standard classified sensitive or ordinary (vigie.core.classification)."""
    from vigie.core.classification import IDENTITY, concrete_fields, level_of

    quotable: set[str] = set()
    identity: set[str] = set()
    for model in (Case, *CHILDREN.values()):
        for name in concrete_fields(model):
            (identity if level_of(model, name) == IDENTITY else quotable).add(name)
    return frozenset(quotable - identity)  # a name that is identity anywhere is never quoted


@dataclass
class Parsed:
    """A validated record: unsaved model instances and the links between them."""

    case: dict[str, Any]
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    has_identity: bool = False


_TODAY: list[Any] = [dt.date.min, 0.0]  # [today, until (monotonic seconds)]


def _today() -> dt.date:
    """Today, read at most once a second (``date.today()`` costs a system call)."""
    now = time.monotonic()
    if now > _TODAY[1]:
        _TODAY[:] = [dt.date.today(), now + 1.0]
    return _TODAY[0]


class _Slow(Exception):
    """The fast check of a value did not accept it: the full check decides (and explains)."""


_BOOLS: dict[Any, bool] = {True: True, False: False, "t": True, "True": True, "1": True}
_BOOLS |= {"f": False, "False": False, "0": False}


def _bounds(f: models.Field[Any, Any]) -> tuple[float, float]:
    lo, hi = -float("inf"), float("inf")
    for v in f.validators:
        if isinstance(v, MinValueValidator) and not callable(v.limit_value):
            lo = max(lo, v.limit_value)
        elif isinstance(v, MaxValueValidator) and not callable(v.limit_value):
            hi = min(hi, v.limit_value)
        else:
            raise _Slow  # a validator the fast path does not know
    return lo, hi


def _fast(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """The field's quick converter, kept on the field (hashing a field is slow)."""
    field: Any = f
    try:
        quick: Callable[[Any], Any] | None = field._vigie_fast
    except AttributeError:
        quick = field._vigie_fast = _make_fast(f)
    return quick


def _make_fast(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """A quick converter for the usual valid value of ``f``, or None (always the full check).

    It returns what the full check returns for a valid value, and raises ``_Slow`` for
    anything else, so problems are always found and worded by :func:`_convert_slow`.
    """
    codelist = getattr(f, "codelist", "")
    try:
        if isinstance(f, models.JSONField):
            if not codelist:
                return None
            codes = codelists.get(codelist).codes

            def code_list(value: Any) -> Any:
                if type(value) is not list or len(set(value)) != len(value):
                    raise _Slow
                for v in value:
                    if v not in codes:
                        raise _Slow
                return list(value)

            return code_list
        if isinstance(f, models.CharField) and not f.validators[1:]:
            if f.choices and not codelist:
                allowed = {str(c[0]) for c in f.flatchoices}
            elif codelist:
                allowed = set(codelists.get(codelist).codes)
            elif f.name in COUNTRY_FIELDS:
                allowed = set(codelists.get("countries").codes)
            else:
                allowed = set()
            longest = f.max_length or 0
            country = f.name in COUNTRY_FIELDS

            def char(value: Any) -> Any:
                if type(value) is not str:
                    raise _Slow
                v = value.strip()
                if country:
                    v = v.upper()
                if (allowed and v not in allowed) or (longest and len(v) > longest):
                    raise _Slow
                return v

            return char
        if isinstance(f, EncryptedTextField) and not f.validators:
            from_plain = f.from_plain  # text as it is; an encrypted date parsed in full

            def encrypted(value: Any) -> Any:
                if type(value) is not str:
                    raise _Slow
                return from_plain(value)

            return encrypted
        if type(f) is models.TextField and not f.validators:

            def text(value: Any) -> Any:
                if type(value) is not str:
                    raise _Slow
                return value

            return text
        if isinstance(f, models.IntegerField) and not f.choices:
            lo, hi = _bounds(f)

            def integer(value: Any) -> Any:
                if type(value) is str and value.isdigit() and value.isascii():
                    n = int(value)
                elif type(value) is int:
                    n = value
                else:
                    raise _Slow
                if not lo <= n <= hi:
                    raise _Slow
                return n

            return integer
        if type(f) is models.DateField and not f.validators:

            def date(value: Any) -> Any:
                if type(value) is not str:
                    raise _Slow
                d = dt.date.fromisoformat(value.strip()[:10])  # ValueError: full check
                if d > _today():
                    raise _Slow
                return d

            return date
        if type(f) is models.BooleanField and not f.validators:

            def boolean(value: Any) -> Any:
                try:
                    return _BOOLS[value]
                except (KeyError, TypeError):
                    raise _Slow from None

            return boolean
    except _Slow:
        return None
    return None


def _convert(f: models.Field[Any, Any], value: Any, path: str, problems: list[Problem]) -> Any:
    if value is not None and value != "":
        quick = _fast(f)
        if quick is not None:
            try:
                return quick(value)
            except (_Slow, ValueError):
                pass
    return _convert_slow(f, value, path, problems)


def _convert_slow(f: models.Field[Any, Any], value: Any, path: str, problems: list[Problem]) -> Any:
    if value is None or value == "":
        if isinstance(f, models.JSONField):
            return [] if f.name != "source_attributes" else {}
        if f.null:
            return None
        if isinstance(f, models.CharField | models.TextField):
            return ""
        if f.has_default():
            return f.get_default()
        problems.append(Problem(path, value, _("is required")))
        return None
    try:
        if isinstance(f, models.DateField) and isinstance(value, str):
            value = dt.date.fromisoformat(value.strip()[:10])
        converted = f.to_python(value)
        if isinstance(f, models.CharField) and isinstance(converted, str):
            converted = converted.strip()
        if f.name in COUNTRY_FIELDS and converted:
            converted = converted.upper()
            if converted not in codelists.get("countries"):
                problems.append(Problem(path, value, _("is not an ISO 3166 alpha-2 country code")))
        f.run_validators(converted)
        if hasattr(f, "codelist") or getattr(f, "choices", None):
            f.validate(converted, None)
        if isinstance(f, models.DateField) and converted and converted > dt.date.today():
            problems.append(Problem(path, value, _("is in the future")))
        return converted
    except (ValidationError, ValueError, TypeError, OverflowError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        problems.append(Problem(path, value, "; ".join(messages)))
        return None


@cache
def _known_keys() -> frozenset[str]:
    return frozenset(
        {f.name for f in writable_fields(Case)} | set(CHILDREN) | {"uuid", "organisation"}
    )


@cache
def _specs(
    model: type[models.Model],
) -> dict[str, tuple[models.Field[Any, Any], Callable[[Any], Any] | None, bool, bool]]:
    """name -> (field, its quick converter, identifying, a link by key) for the writable
    fields of ``model`` (what :func:`validate` asks of each value, looked up once)."""
    return {
        f.name: (f, _fast(f), f.name in IDENTITY, isinstance(f, models.ForeignKey))
        for f in writable_fields(model)
    }


def validate(
    data: Any, *, allow_identity: bool, kept: Mapping[str, Collection[str]] | None = None
) -> Parsed:
    """Check a nested record; never touches the database. ``kept``: the uuids of the victims
    and incidents of the case being updated that stay as they are (their list is not sent),
    which the sent rows may name."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return Parsed(
            {}, problems=[Problem("", type(data).__name__, _("a JSON object is expected"))]
        )
    parsed = Parsed({})
    known = _known_keys()
    for key in data:
        if key not in known and key not in NOT_WRITABLE:
            problems.append(Problem(key, data[key], _("is not a field of the case record")))
    for name, (f, quick, identity, _fk) in _specs(Case).items():
        if name in data:
            value = data[name]
            if identity and value not in (None, "", {}):
                parsed.has_identity = True
                if not allow_identity:
                    problems.append(
                        Problem(
                            name,
                            WITHHELD,
                            _("you may not record identifying details in this organisation"),
                        )
                    )
                    continue
            if quick is not None and value is not None and value != "":
                try:
                    parsed.case[name] = quick(value)
                    continue
                except (_Slow, ValueError):
                    pass
            parsed.case[name] = _convert_slow(f, value, name, problems)
    keys: dict[str, set[str]] = {"victims": set(), "incidents": set()}
    for section, model in CHILDREN.items():
        items = data.get(section) or []
        if not isinstance(items, list):
            problems.append(Problem(section, items, _("a list is expected")))
            continue
        specs = _specs(model)
        rows: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            where = f"{section}[{i}]"
            if not isinstance(item, dict):
                problems.append(Problem(where, item, _("an object is expected")))
                continue
            row: dict[str, Any] = {"_key": str(item.get("key") or item.get("uuid") or f"#{i}")}
            if item.get("uuid"):
                row["_uuid"] = str(item["uuid"])
            for name, value in item.items():
                spec = specs.get(name)
                if spec is None:
                    if name not in NOT_WRITABLE and name not in ("key", "uuid"):
                        problems.append(Problem(f"{where}.{name}", value, _("is not a field")))
                    continue
                f, quick, identity, is_fk = spec
                if quick is not None and not identity and value is not None and value != "":
                    try:
                        row[name] = quick(value)
                        continue
                    except (_Slow, ValueError):
                        pass
                if identity and value not in (None, ""):
                    parsed.has_identity = True
                    if not allow_identity:
                        problems.append(
                            Problem(
                                f"{where}.{name}",
                                "…",
                                _("you may not record identifying details in this organisation"),
                            )
                        )
                        continue
                if is_fk:
                    row[name] = None if value in (None, "") else str(value)
                else:
                    row[name] = _convert(f, value, f"{where}.{name}", problems)
            if section in keys:
                if row["_key"] in keys[section]:
                    problems.append(Problem(f"{where}.key", row["_key"], _("is repeated")))
                keys[section].add(row["_key"])
            rows.append(row)
        parsed.children[section] = rows
    for target, uuids in (kept or {}).items():
        keys[target] |= set(uuids)
    for section, rows in parsed.children.items():
        for i, row in enumerate(rows):
            for link, target in (("victim", "victims"), ("incident", "incidents")):
                ref = row.get(link)
                if ref is not None and ref not in keys[target]:
                    problems.append(
                        Problem(
                            f"{section}[{i}].{link}",
                            ref,
                            _("names no %(kind)s here") % {"kind": target[:-1]},
                        )
                    )
    _check_rules(parsed, problems)
    parsed.problems = problems
    return parsed


# (section, first date, last date, the problem when the last is before the first)
PERIODS = (
    ("incidents", "date_start", "date_end", lambda: _("is before the start")),
    ("exploitations", "start_date", "end_date", lambda: _("is before the start")),
    ("route", "arrival_date", "departure_date", lambda: _("is before the arrival")),
)


def _check_rules(parsed: Parsed, problems: list[Problem]) -> None:
    c = parsed.case
    start, end = c.get("event_date_start"), c.get("event_date_end")
    if start and end and end < start:
        problems.append(Problem("event_date_end", end.isoformat(), _("is before the start")))
    for i, v in enumerate(parsed.children.get("victims", [])):
        for moment in ("identification", "exploitation"):
            age, band = v.get(f"age_at_{moment}"), v.get(f"age_band_at_{moment}")
            if age is None or band in ("", None, "unknown"):
                continue
            if codelists.age_band_for(age) != band:
                path = f"victims[{i}].age_band_at_{moment}"
                problems.append(Problem(path, band, _("age %(age)s is not in it") % {"age": age}))
    for i, inc in enumerate(parsed.children.get("incidents", [])):
        cells = sum(inc.get(f) or 0 for f in Incident.COUNT_FIELDS)
        total = inc.get("total_reported")
        if total is not None and total < cells:
            problems.append(
                Problem(
                    f"incidents[{i}].total_reported",
                    total,
                    _("is less than the counts (%(cells)s)") % {"cells": cells},
                )
            )
    for section, first, last, why in PERIODS:
        for i, row in enumerate(parsed.children.get(section, [])):
            begin, finish = row.get(first), row.get(last)
            if begin and finish and finish < begin:
                problems.append(Problem(f"{section}[{i}].{last}", finish.isoformat(), why()))
    seqs = [(r.get("victim"), r.get("sequence")) for r in parsed.children.get("route", [])]
    if len(set(seqs)) != len(seqs):
        problems.append(Problem("route", seqs, _("two legs have the same order number")))
    for i, r in enumerate(parsed.children.get("route", [])):
        if not r.get("sequence"):
            r["sequence"] = i + 1
        if not r.get("country"):
            problems.append(Problem(f"route[{i}].country", "", _("is required")))


def _age_group(age: int | None, band: str) -> str:
    if age is not None:
        return "child" if age < 18 else "adult"
    if band and band != "unknown":
        return "child" if codelists.get("age_bands")[band].attrs.get("minor") else "adult"
    return ""


def fill_derived(victim: Victim) -> None:
    """Bands and groups from exact ages when they were not given."""
    for moment in ("identification", "exploitation"):
        age = getattr(victim, f"age_at_{moment}")
        if age is not None and not getattr(victim, f"age_band_at_{moment}"):
            setattr(victim, f"age_band_at_{moment}", codelists.age_band_for(age))
        if not getattr(victim, f"age_group_at_{moment}"):
            group = _age_group(age, getattr(victim, f"age_band_at_{moment}"))
            setattr(victim, f"age_group_at_{moment}", group)


def _value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    value = getattr(obj, f.attname)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def serialize(case: Case, *, with_identity: bool) -> dict[str, Any]:
    """The nested record. Identifying fields only when ``with_identity`` (caller audits)."""
    out: dict[str, Any] = {"uuid": str(case.uuid), "organisation": case.organisation.code}
    case_hidden = set() if with_identity else set(identity_fields(Case))
    for f in writable_fields(Case):
        if f.name not in case_hidden:
            out[f.name] = _value(case, f)
    out["standard_version"] = case.standard_version
    out["created_at"] = case.created_at.isoformat() if case.created_at else None
    out["updated_at"] = case.updated_at.isoformat() if case.updated_at else None
    uuids: dict[tuple[str, int], str] = {}
    for section, model in CHILDREN.items():
        rows = list(getattr(case, section).all())
        for obj in rows:
            uuids[(model.__name__, obj.pk)] = str(obj.uuid)
    for section, model in CHILDREN.items():
        hidden = set() if with_identity else set(identity_fields(model))
        items = []
        for obj in getattr(case, section).all():
            item: dict[str, Any] = {"uuid": str(obj.uuid)}
            for f in writable_fields(model):
                if f.name in hidden:
                    continue
                if isinstance(f, models.ForeignKey):
                    pk = getattr(obj, f.attname)
                    target = "Victim" if f.name == "victim" else "Incident"
                    item[f.name] = uuids.get((target, pk)) if pk else None
                else:
                    item[f.name] = _value(obj, f)
            items.append(item)
        out[section] = items
    return out
