"""A submission's answers as a Vigie case record, with the mapping problems a reviewer sees.

The mapping is a mapping profile of the case import
(``vigie.cases.interchange.mapping.Mapping``: columns ``question -> section.field`` and value
tables ``section.field -> {answer: code}``): the one an organisation chose for the form (a
saved ``cases.MappingProfile``, see the mapping editor), else the built-in file
``data/mappings/<form_id>.yaml`` (ADR 0910). A column names a question by its path
(``household/member/sex``, repeat indexes left out) or by its name.

Repeat groups: the answers of one repeat instance (``victims[2]/sex``) fill one victim,
exploitation or perpetrator; answers outside any repeat fill one, or, when the same section
also has repeated answers, are the shared values of every instance (an instance's own answer
wins). An exploitation or perpetrator belongs to the victim of the same repeat instance (or
of an enclosing one); exploitations outside any repeat go to every victim; a perpetrator
outside any repeat belongs to the only victim, or to the case when there are several.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from vigie.cases import records
from vigie.cases.interchange import mapping as case_mapping

BUILTIN = Path(__file__).parent / "data" / "mappings"
META = {"start", "end", "today", "deviceid", "__version__", "meta/instanceID"}
_INDEX = re.compile(r"\[(\d+)\]")
_PROBLEM = re.compile(r"^(?:(\w+)\[(\d+)\]\.)?(\w+)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
AGE_FIELDS = {"victim.age_at_identification", "victim.age_at_exploitation"}
PLURAL = {"victim": "victims", "exploitation": "exploitations", "perpetrator": "perpetrators"}
Key = tuple[int, ...]


@dataclass
class MappingProblem:
    question: str
    value: str
    reason: str


@dataclass
class Mapped:
    record: dict[str, Any]
    problems: list[MappingProblem] = field(default_factory=list)
    profile: str = ""


@cache
def builtin(form_id: str) -> case_mapping.Mapping | None:
    """The mapping file shipped for ``form_id``, checked by the case import's own reader."""
    path = BUILTIN / f"{form_id}.yaml"
    return case_mapping.load(path) if path.is_file() else None


def split(path: str) -> tuple[str, Key]:
    """``household[2]/member[3]/sex`` -> (``household/member/sex``, (2, 3))."""
    return _INDEX.sub("", path), tuple(int(n) for n in _INDEX.findall(path))


def _target(rules: case_mapping.Mapping, plain: str) -> str:
    return rules.columns.get(plain) or rules.columns.get(plain.rsplit("/", 1)[-1], "")


def _age(value: str, on: dt.date) -> int | str:
    """A birth date answered where an age is expected: the age on ``on``."""
    if not _DATE.match(value):
        return value
    try:
        born = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@cache
def _is_list(target: str) -> bool:
    return isinstance(case_mapping.vigie_fields().get(target), models.JSONField)


def _recode(rules: case_mapping.Mapping, target: str, value: str, on: dt.date) -> Any:
    table = rules.values.get(target) or {}
    if _is_list(target):  # select_multiple: names separated by spaces
        parts = [p for p in re.split(r"[\s;]+", value) if p]
        return [table.get(p, table.get(p.casefold(), p)) for p in parts]
    value = table.get(value, table.get(value.casefold(), value))
    return _age(value, on) if target in AGE_FIELDS else value


class _Builder:
    """Rows of each section keyed by repeat instance, and where each value came from."""

    def __init__(self) -> None:
        self.case: dict[str, Any] = {}
        self.rows: dict[str, dict[Key, dict[str, Any]]] = {s: {} for s in PLURAL}
        self.origin: dict[tuple[str, Key, str], tuple[str, str]] = {}

    def put(self, target: str, key: Key, value: Any, question: str, raw: str) -> None:
        section, name = target.split(".", 1)
        if section == "case":
            self.case.setdefault(name, value)
            self.origin[("case", (), name)] = (question, raw)
            return
        self.rows[section].setdefault(key, {})[name] = value
        self.origin[(section, key, name)] = (question, raw)

    def drop(self, section: str, key: Key, name: str) -> None:
        if section == "case":
            self.case.pop(name, None)
        else:
            self.rows[section].get(key, {}).pop(name, None)

    def entities(self, section: str) -> dict[Key, dict[str, Any]]:
        """One entity per repeat instance; values outside any repeat are shared by all."""
        # an instance whose values were all refused is still a person (or an event) recorded
        rows = {k: v for k, v in self.rows[section].items() if v or k != ()}
        shared = rows.pop((), None)
        if not rows:
            return {(): shared} if shared else {}
        return {k: {**(shared or {}), **v} for k, v in sorted(rows.items())}

    def record(self) -> tuple[dict[str, Any], dict[str, list[Key]]]:
        """The nested record, and the repeat instance of each child row, by section."""
        record: dict[str, Any] = dict(self.case)
        where: dict[str, list[Key]] = {}
        victims = self.entities("victim")
        vkeys = list(victims)

        def owner(key: Key) -> Key | None:
            for n in range(len(key), -1, -1):
                if key[:n] in victims:
                    return key[:n]
            return vkeys[0] if len(vkeys) == 1 else None

        def tag(key: Key) -> str:
            return "v" + "-".join(map(str, key))

        if victims:
            record["victims"] = [{"key": tag(k), **row} for k, row in victims.items()]
            where["victims"] = list(victims)
        exploitations = []
        for key, row in self.entities("exploitation").items():
            link = owner(key)
            targets: list[Key | None] = [link] if link is not None else [*vkeys] or [None]
            for t in targets:
                exploitations.append(
                    ({**row, **({"victim": tag(t)} if t is not None else {})}, key)
                )
        perpetrators = []
        for key, row in self.entities("perpetrator").items():
            link = owner(key)
            perpetrators.append(
                ({**row, **({"victim": tag(link)} if link is not None else {})}, key)
            )
        for section, items in (("exploitations", exploitations), ("perpetrators", perpetrators)):
            if items:
                record[section] = [row for row, _k in items]
                where[section] = [k for _r, k in items]
        return record, where


def to_record(
    rules: case_mapping.Mapping | None,
    answers: list[tuple[str, str]],
    instance_id: str,
    received: dt.date,
    *,
    profile: str = "",
) -> Mapped:
    """The case record for a submission; values the case record refuses are listed as
    mapping problems (question, value, reason) and left out (kept in source_attributes)."""
    build = _Builder()
    used: set[str] = set()
    for path, value in answers:
        if not value or path in META or path.startswith("meta/"):
            continue
        plain, key = split(path)
        target = _target(rules, plain) if rules is not None else ""
        if not target:
            continue
        build.put(target, key, _recode(rules, target, value, received), path, value)  # type: ignore[arg-type]
        used.add(path)
    problems: list[MappingProblem] = []
    record: dict[str, Any] = {}
    for _attempt in range(4):  # each pass drops the values the previous one refused
        record, where = build.record()
        found = records.validate(record, allow_identity=True).problems
        if not found:
            break
        for problem in found:
            m = _PROBLEM.match(problem.path or "")
            if m is None:
                continue
            plural, index, name = m.group(1), m.group(2), m.group(3)
            rows = where.get(plural or "", [])
            if plural is not None and int(index) >= len(rows):
                continue
            section, key = ("case", ()) if plural is None else (plural[:-1], rows[int(index)])
            origin = build.origin.get((section, key, name))
            if origin is None:
                origin = build.origin.get((section, (), name))
                key = () if origin is not None else key
            if origin is None:  # a value no answer gave (e.g. a required field left out)
                problems.append(MappingProblem(problem.path, "", str(problem.message)))
                build.rows.get(section, {}).pop(key, None)
                continue
            _note(problems, origin[0], origin[1], str(problem.message))
            used.discard(origin[0])
            build.drop(section, key, name)
    record.setdefault("source_type", "other")
    record["source_record_id"] = instance_id[:120]
    record["source_attributes"] = {
        path: value
        for path, value in answers
        if value and path not in used and path not in META and not path.startswith("meta/")
    }
    return Mapped(record, problems, profile)


def rules_for(form_id: str, organisation_id: int) -> tuple[str, case_mapping.Mapping | None]:
    """The profile's name and mapping for a form in an organisation: the saved profile the
    organisation chose for it, else the built-in file, else none (all in source_attributes)."""
    from vigie.cases.interchange.profiles import to_mapping
    from vigie.collection.models import Publication

    pub = (
        Publication.objects.select_related("mapping_profile")
        .filter(form_key=form_id, organisation_id=organisation_id)
        .first()
    )
    if pub is not None and pub.mapping_profile is not None:
        return pub.mapping_profile.name, to_mapping(pub.mapping_profile)
    rules = builtin(form_id)
    return (form_id if rules is not None else ""), rules


def of_submission(sub: Any) -> Mapped:
    """The mapped record of a stored submission, by its organisation's rules for the form."""
    name, rules = rules_for(sub.form_version.form.form_id, sub.organisation_id)
    answers = [(str(a[0]), str(a[1])) for a in json.loads(sub.answers or "[]")]
    return to_record(rules, answers, sub.instance_id, sub.received_at.date(), profile=name)


def _note(problems: list[MappingProblem], question: str, value: str, why: str) -> None:
    """One problem per answer (a value copied to several rows, or refused for two reasons,
    is said once)."""
    for p in problems:
        if (p.question, p.value) == (question, value):
            return
    problems.append(MappingProblem(question, value, _("%(why)s; kept unmapped") % {"why": why}))
