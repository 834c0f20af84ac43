"""A submission's answers as a Vigie case record, with the mapping problems a reviewer sees.

Profiles live in ``data/mappings.yaml`` (versioned data, not code): each rule takes one
question into one field of the case layout (``vigie.cases.records``), translating the value
with a code list's crosswalk. Answers no rule uses go to ``source_attributes``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from vigie.cases import codelists

DATA = Path(__file__).parent / "data" / "mappings.yaml"
META = {"start", "end", "today", "deviceid", "__version__", "meta/instanceID"}


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
def profiles() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return dict(doc["profiles"])


def profile_for(form_id: str) -> tuple[str, dict[str, Any]] | None:
    for code, prof in profiles().items():
        if form_id in prof.get("forms", []):
            return code, prof
    return None


def _age(value: str, on: dt.date) -> int:
    born = dt.date.fromisoformat(value[:10])
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if years < 0 or years > 120:
        raise ValueError(value)
    return years


def _translate(rule: dict[str, Any], value: str) -> Any:
    lst = codelists.get(rule["codelist"])
    parts = value.split() if rule.get("multiple") else [value]
    out = []
    for part in parts:
        code = part if part in lst else lst.from_external(rule.get("crosswalk", ""), part)
        if code is None:
            raise ValueError(part)
        out.append(code)
    return out if rule.get("multiple") else out[0]


def to_record(
    form_id: str, answers: list[tuple[str, str]], instance_id: str, received: dt.date
) -> Mapped:
    """The case record for a submission (one victim, one exploitation at most)."""
    found = profile_for(form_id)
    code, prof = found if found else ("", {"rules": [], "source_type": "other"})
    by_question = {path.rsplit("/", 1)[-1]: (path, value) for path, value in answers}
    used: set[str] = set()
    sections: dict[str, dict[str, Any]] = {}
    problems: list[MappingProblem] = []
    for rule in prof["rules"]:
        path, value = by_question.get(rule["question"], ("", ""))
        if not value:
            continue
        try:
            if rule.get("derive") == "age":
                converted: Any = _age(value, received)
            elif "codelist" in rule:
                converted = _translate(rule, value)
            else:
                converted = value
        except ValueError as exc:
            if not rule.get("optional"):
                problems.append(
                    MappingProblem(
                        rule["question"],
                        str(exc) or value,
                        _("no code of %(list)s matches; kept unmapped")
                        % {"list": rule.get("codelist", rule.get("derive", ""))},
                    )
                )
            continue
        sections.setdefault(rule["section"], {})[rule["field"]] = converted
        used.add(path)
    record: dict[str, Any] = {
        "source_type": prof.get("source_type", "other"),
        "source_record_id": instance_id[:120],
        "source_attributes": {
            path: value
            for path, value in answers
            if value and path not in used and path not in META and not path.startswith("meta/")
        },
    }
    if "victims" in sections or "exploitations" in sections:
        record["victims"] = [{"key": "v1", **sections.get("victims", {})}]
    if "exploitations" in sections:
        record["exploitations"] = [{"victim": "v1", **sections["exploitations"]}]
    return Mapped(record, problems, code)
