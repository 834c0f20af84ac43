"""The red-flag rule library: a typed loader over ``data/redflags.yaml`` (ADR 0801)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils import formats, translation

from vigie.core.errors import Invalid

LIBRARY = Path(__file__).with_name("data") / "redflags.yaml"
LANGUAGES = ("en", "fr", "ar")


@dataclass(frozen=True)
class Rule:
    code: str
    version: int
    typology: str
    weight: float
    sources: tuple[str, ...]
    params: dict[str, Any]
    label: dict[str, str]
    explain: dict[str, str]
    sql: str
    #: Not SQL: the accounts flagged by the other rules, screened against the watchlists
    #: through their neighbourhood (``links.py``).
    screening: bool = False

    def label_in(self, lang: str) -> str:
        return self.label.get(lang[:2]) or self.label["en"]

    def explanation(self, facts: dict[str, Any], lang: str = "en") -> str:
        """The rule's explanation in ``lang`` with the alert's facts and parameters filled in."""
        values = {**self.params, **facts}
        if "min_ratio" in values:
            values["min_ratio_pct"] = round(float(values["min_ratio"]) * 100)
        template = self.explain.get(lang[:2]) or self.explain["en"]
        with translation.override(lang[:2]):
            return template.format_map(_Formatted(values))


class _Formatted(dict[str, Any]):
    """Numbers in the language's own form (separators, decimal mark); a missing fact stays
    visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, int | Decimal) or (isinstance(value, float) and value.is_integer()):
            return formats.number_format(int(value), use_l10n=True, force_grouping=True)
        if isinstance(value, float):
            return formats.number_format(value, 2, use_l10n=True, force_grouping=True)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value


@dataclass(frozen=True)
class Library:
    version: int
    periods: dict[str, Any]
    rules: dict[str, Rule] = field(default_factory=dict)
    #: Relations (name -> SQL over ``tx``) materialised once per run before the rules.
    prepare: dict[str, str] = field(default_factory=dict)


def parse(text: str, source: str = "redflags.yaml") -> Library:
    """Parse a rule library; every rule must carry all its parts in the three languages."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), dict):
        raise Invalid(f"{source}: no `rules` mapping", code="rules_invalid")
    periods = dict(raw.get("periods") or {})
    rules: dict[str, Rule] = {}
    for code, spec in raw["rules"].items():
        where = f"{source}: rule {code}"
        missing = [
            k for k in ("version", "typology", "sources", "label", "explain") if k not in spec
        ]
        if sum(k in spec for k in ("sql", "window", "screening")) != 1:
            missing.append("exactly one of sql, window or screening")
        if missing:
            raise Invalid(f"{where}: missing {', '.join(missing)}", code="rules_invalid")
        for part in ("label", "explain"):
            absent = [lang for lang in LANGUAGES if not spec[part].get(lang)]
            if absent:
                raise Invalid(f"{where}: {part} lacks {', '.join(absent)}", code="rules_invalid")
        rules[code] = Rule(
            code=code,
            version=int(spec["version"]),
            typology=str(spec["typology"]),
            weight=float(spec.get("weight", 1.0)),
            sources=tuple(spec["sources"]),
            params={**periods, **dict(spec.get("params") or {})},
            label=dict(spec["label"]),
            explain=dict(spec["explain"]),
            sql=(
                str(spec["sql"])
                if "sql" in spec
                else window_sql(spec["window"], where)
                if "window" in spec
                else ""
            ),
            screening=bool(spec.get("screening")),
        )
    prepare = {str(k): str(v) for k, v in (raw.get("prepare") or {}).items()}
    return Library(int(raw.get("version", 1)), periods, rules, prepare)


def window_sql(spec: dict[str, Any], where: str) -> str:
    """The query of a windowed rule (see the header of ``data/redflags.yaml``)."""
    measures: dict[str, str] = dict(spec.get("measures") or {})
    if not measures or "having" not in spec:
        raise Invalid(f"{where}: a window needs measures and having", code="rules_invalid")
    if "source" in spec:
        source = str(spec["source"])
    elif "account" in spec:
        account = str(spec["account"])
        condition = str(spec.get("where") or "true")
        source = (
            f"SELECT {account} AS account, tx_id, ts, amount, from_account, to_account, "
            f"location, merchant_category FROM tx WHERE {account} IS NOT NULL AND ({condition})"
        )
    else:
        raise Invalid(f"{where}: a window needs account or source", code="rules_invalid")
    days = f"to_days(CAST({spec.get('days', '$window_days')} AS INTEGER))"
    over = ", ".join(f"{expr} OVER win AS {name}" for name, expr in measures.items())
    keep = ", ".join(measures)
    order = next(iter(measures))
    facts = ", ".join(f"any_value(best.{m}) AS {m}" for m in measures)
    extra = "".join(f", {expr} AS {name}" for name, expr in (spec.get("facts") or {}).items())
    return f"""WITH f AS ({source}),
w AS (SELECT account, ts, {over} FROM f
      WINDOW win AS (PARTITION BY account ORDER BY ts
                     RANGE BETWEEN {days} PRECEDING AND CURRENT ROW)),
hit AS (SELECT account, ts AS end_ts, {keep},
               row_number() OVER (PARTITION BY account ORDER BY {order} DESC, ts) AS r
        FROM w WHERE {spec["having"]}),
best AS (SELECT * FROM hit WHERE r = 1)
SELECT f.account, list(f.tx_id ORDER BY f.ts) AS tx_ids, sum(f.amount) AS amount, {facts}{extra}
FROM f JOIN best ON f.account = best.account
WHERE f.ts >= best.end_ts - {days} AND f.ts <= best.end_ts
GROUP BY f.account"""


@cache
def library() -> Library:
    return parse(LIBRARY.read_text(encoding="utf-8"), LIBRARY.name)
