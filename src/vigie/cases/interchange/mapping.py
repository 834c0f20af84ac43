"""Mapping files: import any other table layout by renaming its columns and recoding values.

A mapping file is YAML::

    layout: vigie            # optional base layout: vigie (default), ctdc or ctdc-sample
    columns:                 # source column -> target field
      Sexe: victim.sex
      Pays: exploitation.country
    values:                  # target field -> {source value: code}
      victim.sex:
        F: female
        H: male

Targets of the ``vigie`` layout are ``case.FIELD``, ``victim.FIELD``, ``exploitation.FIELD``
and ``perpetrator.FIELD`` (one victim, exploitation and perpetrator per row; list fields take
``;``-separated codes). Targets of the CTDC layouts are their column names (missing CTDC
columns read as unknown, ``-99``). The mapping is applied to each row before validation, so
every problem is still reported as file, row, source column, value and reason. Columns the
mapping does not name are ignored (with no mapping, a ``vigie`` header must name only fields).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from vigie.cases import records
from vigie.cases.interchange import layouts
from vigie.cases.models import Case, Exploitation, Perpetrator, Victim
from vigie.core.errors import Invalid

BASES = ("vigie", "ctdc", "ctdc-sample")
SECTIONS: dict[str, type[models.Model]] = {
    "case": Case,
    "victim": Victim,
    "exploitation": Exploitation,
    "perpetrator": Perpetrator,
}
LIST_SEPARATOR = ";"


class MappingError(Invalid, ValueError):
    """A mapping file that cannot be used: the message names file, line and why."""

    default_code = "mapping_invalid"


@dataclass(frozen=True)
class Mapping:
    layout: str = "vigie"
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    file: str = ""

    def source_of(self, target: str) -> str:
        """The source column mapped to ``target`` (for reports), or ``target`` itself."""
        for source, tgt in self.columns.items():
            if tgt == target:
                return source
        return target


@cache
def vigie_fields() -> dict[str, models.Field[Any, Any]]:
    """Every ``section.field`` a vigie-layout column may fill."""
    out: dict[str, models.Field[Any, Any]] = {}
    for section, model in SECTIONS.items():
        for f in records.writable_fields(model):
            if isinstance(f, models.ForeignKey):
                continue
            if section == "case" and f.name in ("source_attributes", "source_identity"):
                continue
            out[f"{section}.{f.name}"] = f
    return out


def targets(layout: str) -> list[str]:
    if layout == "vigie":
        return sorted(vigie_fields())
    return list(layouts.LAYOUTS[layout].columns)


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _child(node: yaml.Node, key: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None, None


def load(path: Path) -> Mapping:
    """Read and check a mapping file; MappingError names file, line and why."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"mapping file {name}: not found") from None
    except UnicodeDecodeError:
        raise MappingError(f"mapping file {name}: not UTF-8 text") from None
    return loads(text, name)


def dump(mapping: Mapping) -> str:
    """A mapping as the YAML text of a mapping file (``loads(dump(m))`` gives ``m`` back)."""
    data: dict[str, Any] = {"layout": mapping.layout, "columns": dict(mapping.columns)}
    if mapping.values:
        data["values"] = {t: dict(table) for t, table in mapping.values.items()}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def loads(text: str, name: str = "mapping.yaml") -> Mapping:
    """Check the YAML text of a mapping file named ``name``; MappingError names file, line
    and why."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        why = getattr(exc, "problem", None) or str(exc)
        raise MappingError(f"mapping file {name}{line}: not valid YAML: {why}") from None
    if not isinstance(data, dict) or root is None:
        raise MappingError(
            f"mapping file {name}, line {_line(root)}: a mapping with 'columns' is expected"
        )
    for key in data:
        if key not in ("layout", "columns", "values"):
            k, _v = _child(root, str(key))
            raise MappingError(
                f"mapping file {name}, line {_line(k)}: unknown key {key!r}; "
                "expected layout, columns, values"
            )
    layout = str(data.get("layout") or "vigie")
    if layout not in BASES:
        k, _v = _child(root, "layout")
        raise MappingError(
            f"mapping file {name}, line {_line(k)}: unknown layout {layout!r}; "
            f"expected one of {', '.join(BASES)}"
        )
    allowed = set(targets(layout))
    columns_key, columns_node = _child(root, "columns")
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise MappingError(
            f"mapping file {name}, line {_line(columns_key)}: 'columns' must map source "
            "columns to fields"
        )
    clean_columns: dict[str, str] = {}
    for source, target in columns.items():
        k, v = _child(columns_node, str(source)) if columns_node is not None else (None, None)
        if not isinstance(target, str) or target not in allowed:
            hint = _hint(layout, str(target))
            raise MappingError(
                f"mapping file {name}, line {_line(v or k)}: column {source!r} -> {target!r}: "
                f"unknown {layout} field{hint}"
            )
        clean_columns[str(source)] = target
    values_key, values_node = _child(root, "values")
    values = data.get("values") or {}
    if not isinstance(values, dict):
        raise MappingError(
            f"mapping file {name}, line {_line(values_key)}: 'values' must map fields to "
            "{source value: code}"
        )
    clean_values: dict[str, dict[str, str]] = {}
    for target, table in values.items():
        k, v = _child(values_node, str(target)) if values_node is not None else (None, None)
        if str(target) not in allowed:
            raise MappingError(
                f"mapping file {name}, line {_line(k)}: values for {target!r}: "
                f"unknown {layout} field{_hint(layout, str(target))}"
            )
        if not isinstance(table, dict):
            raise MappingError(
                f"mapping file {name}, line {_line(v or k)}: values for {target!r} must map "
                "source values to codes"
            )
        clean_values[str(target)] = {
            _text(src): _text(code) for src, code in table.items() if code is not None
        }
    return Mapping(layout, clean_columns, clean_values, name)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value).strip()


def _hint(layout: str, target: str) -> str:
    if layout != "vigie":
        return f"; expected a {layout} column"
    section = target.split(".", 1)[0]
    if section not in SECTIONS:
        return "; expected case.FIELD, victim.FIELD, exploitation.FIELD or perpetrator.FIELD"
    names = sorted(t.split(".", 1)[1] for t in vigie_fields() if t.startswith(section + "."))
    return f"; {section} fields are {', '.join(names)}"


def header_targets(mapping: Mapping | None, header: list[str]) -> list[str]:
    """The target of each header column ("" for a column that is ignored).

    Without a mapping (vigie layout), every column must be a field: RowError otherwise.
    """
    if mapping is not None:
        return [mapping.columns.get(h, "") for h in header]
    allowed = vigie_fields()
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise layouts.RowError(
            ", ".join(unknown[:8]),
            "",
            "not a Vigie field (case.FIELD, victim.FIELD, exploitation.FIELD, "
            "perpetrator.FIELD); use a mapping file (--mapping) for other layouts",
        )
    return list(header)


def apply(mapping: Mapping | None, header_targets: list[str], values: list[str]) -> dict[str, str]:
    """One source row -> ``{target: value}`` with values recoded by the mapping."""
    row: dict[str, str] = {}
    for target, raw in zip(header_targets, values, strict=False):
        if not target:
            continue
        value = raw.strip()
        table = mapping.values.get(target) if mapping is not None else None
        if table:
            value = table.get(value, table.get(value.casefold(), value))
        if target in row and not value:
            continue
        row[target] = value
    return row


@cache
def _targets() -> dict[str, tuple[str, str, bool]]:
    """``section.field`` -> (section, field, is a list field)."""
    return {
        t: (*t.split(".", 1), isinstance(f, models.JSONField))  # type: ignore[misc]
        for t, f in vigie_fields().items()
    }


def vigie_record(row: dict[str, str]) -> dict[str, Any]:
    """A ``{section.field: text}`` row -> the nested record ``records.validate`` reads."""
    targets = _targets()
    unknown = layouts.UNKNOWN_VALUES
    record: dict[str, Any] = {"source_type": "other"}
    victim: dict[str, Any] = {"key": "v"}
    exploitation: dict[str, Any] = {"victim": "v"}
    perpetrator: dict[str, Any] = {"victim": "v"}
    parts = {"victim": victim, "exploitation": exploitation, "perpetrator": perpetrator}
    for target, text in row.items():
        info = targets.get(target)
        if info is None:
            continue
        section, name, is_list = info
        value: Any = text
        if is_list:
            value = [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
        elif text == "" or text.casefold() in unknown:
            continue
        if section == "case":
            record[name] = value
        else:
            parts[section][name] = value
    return _nest(record, victim, exploitation, perpetrator)


def _nest(
    record: dict[str, Any],
    victim: dict[str, Any],
    exploitation: dict[str, Any],
    perpetrator: dict[str, Any],
) -> dict[str, Any]:
    if len(victim) > 1:
        record["victims"] = [victim]
    else:  # no victim fields on this row (e.g. a case reported as an incident)
        del exploitation["victim"], perpetrator["victim"]
    if len(exploitation) > 1:
        record["exploitations"] = [exploitation]
    if len(perpetrator) > 1:
        record["perpetrators"] = [perpetrator]
    return record


def vigie_reader(
    mapping: Mapping | None, header_targets: list[str]
) -> Callable[[list[str]], dict[str, Any]]:
    """``values -> vigie_record(apply(mapping, header_targets, values))``, in one pass over
    the row when there is no mapping and every column names a different field (the usual
    Vigie file: the bulk import's hot path)."""
    if mapping is not None or len(set(header_targets)) != len(header_targets):
        return lambda values: vigie_record(apply(mapping, header_targets, values))
    targets = _targets()
    plan = [targets.get(t) if t else None for t in header_targets]
    unknown = layouts.UNKNOWN_VALUES

    def read(values: list[str]) -> dict[str, Any]:
        record: dict[str, Any] = {"source_type": "other"}
        victim: dict[str, Any] = {"key": "v"}
        exploitation: dict[str, Any] = {"victim": "v"}
        perpetrator: dict[str, Any] = {"victim": "v"}
        parts = {
            "case": record,
            "victim": victim,
            "exploitation": exploitation,
            "perpetrator": perpetrator,
        }
        for info, raw in zip(plan, values, strict=False):
            if info is None:
                continue
            section, name, is_list = info
            text = raw.strip()
            if is_list:
                parts[section][name] = [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
            elif text and text.casefold() not in unknown:
                parts[section][name] = text
        return _nest(record, victim, exploitation, perpetrator)

    return read
