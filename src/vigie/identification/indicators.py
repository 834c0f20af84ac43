"""The identification indicator sets (versioned YAML in ``data/``) and the decision rule.

:func:`score` is pure and quick (bench/identification_scoring.py): it takes the list code and
the ids of the indicators the officer marked present, and says per element and overall
whether trafficking is indicated, naming the indicators that drove each element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigie.core.errors import Invalid

DATA = Path(__file__).parent / "data"
DEFAULT_SET = "ilo-ec-2009"
STRENGTHS = ("strong", "medium", "weak")


def label(labels: dict[str, str], lang: str | None = None) -> str:
    lang = (lang or get_language() or "en")[:2]
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


@dataclass(frozen=True)
class Indicator:
    code: str
    labels: dict[str, str]
    means: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    source: str = "ilo"


@dataclass(frozen=True)
class ListDef:
    code: str
    age: str  # adult | child
    form: str  # labour | sexual
    forms: tuple[str, ...]
    labels: dict[str, str]
    # element -> strength -> indicator codes (ILO and conflict indicators merged)
    items: dict[str, dict[str, tuple[str, ...]]]
    # answer key "element.indicator" -> (element, strength): the same indicator asked in two
    # elements (documents confiscated at recruitment, at destination) is two answers
    weights: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorSet:
    code: str
    version: int
    labels: dict[str, str]
    combinations: tuple[dict[str, int], ...]
    required_groups: dict[str, tuple[str, ...]]
    groups: dict[str, dict[str, str]]
    elements: dict[str, tuple[str, dict[str, str]]]  # code -> (group, labels)
    lists: dict[str, ListDef]
    indicators: dict[str, Indicator]
    flags: dict[str, tuple[str, ...]]  # indicator -> flags (non_punishment_check)
    # age -> armed-conflict indicators that make their element positive on their own
    sufficient: dict[str, frozenset[str]]

    def list(self, code: str) -> ListDef:
        try:
            return self.lists[code]
        except KeyError:
            raise Invalid(
                _("Unknown indicator list “%(code)s”.") % {"code": code},
                code="unknown_indicator_list",
                detail={"list": code, "known": sorted(self.lists)},
            ) from None


def _load(path: Path) -> IndicatorSet:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    indicators = {
        code: Indicator(
            code,
            {k: v for k, v in d.items() if k in ("en", "fr", "ar")},
            tuple(d.get("means", ())),
            tuple(d.get("forms", ())),
            "un" if code in raw.get("conflict", {}) else "ilo",
        )
        for code, d in raw["indicators"].items()
    }
    flags: dict[str, tuple[str, ...]] = {}
    lists: dict[str, ListDef] = {}
    for code, d in raw["lists"].items():
        items: dict[str, dict[str, list[str]]] = {
            el: {s: list(by.get(s, ())) for s in STRENGTHS} for el, by in d["indicators"].items()
        }
        for ind, c in raw.get("conflict", {}).items():
            if d["age"] in c.get("ages", ("adult", "child")):
                items.setdefault(c["element"], {s: [] for s in STRENGTHS})[c["strength"]].append(
                    ind
                )
            flags[ind] = tuple(c.get("flags", ()))
        weights: dict[str, tuple[str, str]] = {}
        for el, by in items.items():
            for strength, codes in by.items():
                for ind in codes:
                    if ind not in indicators:
                        raise ValueError(f"{path.name}: {code}.{el} names unknown {ind}")
                    weights[f"{el}.{ind}"] = (el, strength)
        lists[code] = ListDef(
            code,
            d["age"],
            d["form"],
            tuple(d.get("forms", ())),
            d["label"],
            {el: {s: tuple(v) for s, v in by.items()} for el, by in items.items()},
            weights,
        )
    for ind, c in raw.get("conflict", {}).items():
        indicators[ind] = Indicator(
            ind,
            indicators[ind].labels,
            tuple(c.get("means", ())),
            tuple(c.get("forms", ())),
            "un",
        )
    rule = raw["rule"]
    return IndicatorSet(
        raw["set"],
        int(raw["version"]),
        raw["title"],
        tuple(dict(c) for c in rule["element_present_when"]),
        {k: tuple(v) for k, v in rule["required_groups"].items()},
        raw["groups"],
        {k: (v["group"], v["label"]) for k, v in raw["elements"].items()},
        lists,
        indicators,
        flags,
        {
            age: frozenset(
                ind
                for ind, c in raw.get("conflict", {}).items()
                if age in c.get("sufficient_for", ())
            )
            for age in rule["required_groups"]
        },
    )


@cache
def indicator_set(code: str = DEFAULT_SET) -> IndicatorSet:
    path = DATA / f"{code}.yaml"
    if not path.exists():
        raise Invalid(
            _("Unknown indicator set “%(code)s”.") % {"code": code},
            code="unknown_indicator_set",
            detail={"set": code},
        )
    return _load(path)


@dataclass(frozen=True)
class ElementResult:
    code: str
    group: str
    present: bool
    counts: dict[str, int]
    drivers: tuple[str, ...]  # answer keys present in this element, strongest first


@dataclass(frozen=True)
class Result:
    set_code: str
    version: int
    list_code: str
    indicated: bool
    elements: tuple[ElementResult, ...]
    groups: dict[str, bool]
    conflict: tuple[str, ...]  # armed-conflict indicators present (S/2017/939 para 75)
    flags: tuple[str, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """A stored result as it was computed (its set version, not today's)."""
        return cls(
            d["set"],
            d["version"],
            d["list"],
            d["indicated"],
            tuple(
                ElementResult(e["code"], e["group"], e["present"], e["counts"], tuple(e["drivers"]))
                for e in d["elements"]
            ),
            d["groups"],
            tuple(d["conflict"]),
            tuple(d["flags"]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_code,
            "version": self.version,
            "list": self.list_code,
            "indicated": self.indicated,
            "groups": self.groups,
            "elements": [
                {
                    "code": e.code,
                    "group": e.group,
                    "present": e.present,
                    "counts": e.counts,
                    "drivers": list(e.drivers),
                }
                for e in self.elements
            ],
            "conflict": list(self.conflict),
            "flags": list(self.flags),
        }


def _meets(counts: dict[str, int], combinations: tuple[dict[str, int], ...]) -> bool:
    return any(all(counts.get(k, 0) >= n for k, n in combo.items()) for combo in combinations)


def score(list_code: str, present: list[str] | set[str], set_code: str = DEFAULT_SET) -> Result:
    """Apply the set's decision rule to the answers marked present for one person (keys
    ``"<element>.<indicator>"``, e.g. ``"coercion_destination.debt_bondage"``)."""
    iset = indicator_set(set_code)
    ldef = iset.list(list_code)
    unknown = [c for c in present if c not in ldef.weights]
    if unknown:
        raise Invalid(
            _("Some indicators are not in this list."),
            code="unknown_indicator",
            detail={"list": list_code, "indicators": sorted(unknown)},
        )
    hits: dict[str, dict[str, list[str]]] = {el: {} for el in ldef.items}
    for key in present:
        el, strength = ldef.weights[key]
        hits[el].setdefault(strength, []).append(key)
    elements = []
    groups: dict[str, bool] = {g: False for g in iset.groups}
    for el in iset.elements:
        group = iset.elements[el][0]
        by = hits.get(el, {})
        counts = {s: len(by.get(s, ())) for s in STRENGTHS}
        alone = iset.sufficient.get(ldef.age, frozenset())
        ok = _meets(counts, iset.combinations) or any(
            key.split(".", 1)[1] in alone for s in STRENGTHS for key in by.get(s, ())
        )
        drivers = tuple(i for s in STRENGTHS for i in sorted(by.get(s, ())))
        elements.append(ElementResult(el, group, ok, counts, drivers))
        groups[group] = groups[group] or ok
    required = iset.required_groups[ldef.age]
    codes = {key.split(".", 1)[1] for key in present}
    conflict = tuple(sorted(i for i in codes if iset.indicators[i].source == "un"))
    flags = tuple(sorted({f for i in codes for f in iset.flags.get(i, ())}))
    return Result(
        iset.code,
        iset.version,
        list_code,
        all(groups[g] for g in required),
        tuple(elements),
        {g: groups[g] for g in iset.groups},
        conflict,
        flags,
    )


def prefill(
    list_code: str, present: list[str] | set[str], set_code: str = DEFAULT_SET
) -> dict[str, list[str]]:
    """The forms of exploitation and means the answers imply, for the case they open."""
    iset = indicator_set(set_code)
    ldef = iset.list(list_code)
    forms = list(ldef.forms)
    means: list[str] = []
    for key in sorted(present):
        d = iset.indicators[key.split(".", 1)[1]]
        forms += [f for f in d.forms if f not in forms]
        means += [m for m in d.means if m not in means]
    return {"forms": forms, "means": means}
