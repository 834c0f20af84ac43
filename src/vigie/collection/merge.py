"""Accepting a submission into an EXISTING case: the merge rules (ADR 0910).

1. The case keeps its provenance (source type, source record id, reference).
2. A case field the case leaves empty is filled from the submission; one that holds the same
   value is left; one that holds another value is a *conflict*.
3. The reviewer may name one victim of the case as the person the submission is about: the
   submission's first victim is then merged into it by rule 2; every other victim of the
   submission is added as a new victim of the case.
4. Exploitations and perpetrators of the submission are added as new rows, linked to the
   victim they belong to (the merged one or a new one); nothing of the case is deleted.
5. Conflicts are never resolved silently: with ``on_conflict="refuse"`` (the default) the
   acceptance stops with a 409 naming the fields (never their values); ``"keep"`` keeps the
   case's values, ``"replace"`` takes the submission's. Either way the fields filled, kept
   and replaced are recorded on the submission, whose answers stay as they came.
6. Answers no mapping uses join the case's ``source_attributes``; a key the case already has
   with another value is added as ``key (instanceID)`` instead of replacing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from vigie.cases import records
from vigie.core.errors import Conflict, Invalid, NotFound

ON_CONFLICT = ("refuse", "keep", "replace")
PROVENANCE = {"source_type", "source_record_id", "source_attributes", "reference"}


@dataclass
class Plan:
    """The update sent to the cases service, and what it does to each field."""

    update: dict[str, Any]
    filled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def report(self) -> dict[str, list[str]]:
        return {"filled": self.filled, "kept": self.kept, "replaced": self.replaced}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return str(old) == str(new)


def _merge_fields(
    obj: Any, raw: dict[str, Any], converted: dict[str, Any], prefix: str, plan: Plan, how: str
) -> dict[str, Any]:
    """The fields of ``raw`` to send for ``obj`` under the rules; conflicts counted."""
    out: dict[str, Any] = {}
    conflicts = []
    for name, value in converted.items():
        if name.startswith("_") or name in PROVENANCE or name in ("victim", "incident"):
            continue
        old = getattr(obj, name, None)
        where = f"{prefix}.{name}"
        if _empty(old):
            out[name] = raw[name]
            plan.filled.append(where)
        elif _same(old, value):
            continue
        else:
            conflicts.append(where)
            if how == "replace":
                out[name] = raw[name]
    (plan.replaced if how == "replace" else plan.kept).extend(conflicts)
    return out


def plan(
    case: Any,
    record: dict[str, Any],
    instance_id: str,
    *,
    victim: str | None = None,
    on_conflict: str = "refuse",
) -> Plan:
    """The update of ``case`` that merges the mapped ``record`` of a submission."""
    if on_conflict not in ON_CONFLICT:
        raise Invalid(
            _("on_conflict must be one of: %(choices)s") % {"choices": ", ".join(ON_CONFLICT)},
            code="on_conflict_invalid",
        )
    parsed = records.validate(record, allow_identity=True)
    if parsed.problems:  # the mapping drops refused values: this is a bug, said plainly
        raise Invalid(
            _("The submission does not map to a valid case record."), code="record_invalid"
        )
    out = Plan(update={})
    out.update.update(_merge_fields(case, record, parsed.case, "case", out, on_conflict))
    attributes = dict(case.source_attributes or {})
    for key, value in (record.get("source_attributes") or {}).items():
        if key not in attributes:
            attributes[key] = value
        elif attributes[key] != value:
            attributes[f"{key} ({instance_id})"] = value
    if attributes != (case.source_attributes or {}):
        out.update["source_attributes"] = attributes
    new_victims = list(record.get("victims") or [])
    parsed_victims = parsed.children.get("victims", [])
    existing = {str(v.uuid): v for v in case.victims.all()}
    links: dict[str, str] = {}  # the submission's victim key -> the key the update uses
    victims: list[dict[str, Any]] = [{"uuid": u} for u in existing]
    if victim is not None:
        if victim not in existing:
            raise NotFound(_("This victim is not in the chosen case."), code="victim_not_in_case")
        if not new_victims:
            raise Invalid(_("The submission names no victim to merge."), code="no_victim")
        first, converted = new_victims.pop(0), parsed_victims[0]
        links[str(first.get("key"))] = victim
        fields = _merge_fields(existing[victim], first, converted, "victim", out, on_conflict)
        victims = [v if v["uuid"] != victim else {"uuid": victim, **fields} for v in victims]
    for row in new_victims:
        links[str(row.get("key"))] = str(row.get("key"))
        victims.append(row)
        out.filled.append("victims (new)")
    if on_conflict == "refuse" and out.kept:
        raise Conflict(
            _(
                "The submission disagrees with the case on %(fields)s: choose to keep the "
                "case's values or to replace them."
            )
            % {"fields": ", ".join(out.kept)},
            code="merge_conflict",
            detail={"conflicts": out.kept},
        )
    if victim is not None or new_victims:
        out.update["victims"] = victims
    for section in ("exploitations", "perpetrators"):
        rows = record.get(section) or []
        if not rows:
            continue
        kept_rows: list[dict[str, Any]] = [
            {"uuid": str(u)} for u in getattr(case, section).values_list("uuid", flat=True)
        ]
        for row in rows:
            row = dict(row)
            if row.get("victim"):
                row["victim"] = links.get(str(row["victim"]), row["victim"])
            kept_rows.append(row)
            out.filled.append(f"{section} (new)")
        out.update[section] = kept_rows
    out.filled = sorted(set(out.filled), key=out.filled.index)
    return out
