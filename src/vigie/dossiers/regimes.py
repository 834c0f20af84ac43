"""The sanctions regimes and their designation criteria, read from ``data/regimes.yaml``
(versioned data with en/fr/ar labels and the resolution paragraph of each criterion)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from vigie.core.errors import Invalid

DATA = Path(__file__).resolve().parent / "data" / "regimes.yaml"


@dataclass(frozen=True)
class Criterion:
    code: str
    labels: dict[str, str]
    document: str
    paragraph: str
    verified: bool
    verify: str
    trafficking: bool

    def label(self, lang: str) -> str:
        return self.labels.get(lang[:2]) or self.labels["en"]

    @property
    def citation(self) -> str:
        para = f", para. {self.paragraph}" if self.paragraph else ""
        return f"{self.document}{para}"


@dataclass(frozen=True)
class Regime:
    code: str
    un_list_type: str
    prefix: str
    entity_prefix: str
    labels: dict[str, str]
    committee: dict[str, str]
    measures: dict[str, str]
    note: str
    criteria: dict[str, Criterion]

    def label(self, lang: str) -> str:
        return self.labels.get(lang[:2]) or self.labels["en"]

    def committee_name(self, lang: str) -> str:
        return self.committee.get(lang[:2]) or self.committee["en"]

    def measures_text(self, lang: str) -> str:
        return self.measures.get(lang[:2]) or self.measures["en"]

    def criterion(self, code: str) -> Criterion:
        try:
            return self.criteria[code]
        except KeyError:
            raise Invalid(
                f"Regime {self.code} has no criterion {code!r}.",
                code="unknown_criterion",
                detail={"regime": self.code, "criterion": code, "known": sorted(self.criteria)},
            ) from None


@dataclass(frozen=True)
class Catalogue:
    version: int
    regimes: dict[str, Regime]

    def get(self, code: str) -> Regime:
        try:
            return self.regimes[str(code)]
        except KeyError:
            raise Invalid(
                f"Unknown sanctions regime {code!r}.",
                code="unknown_regime",
                detail={"regime": str(code), "known": sorted(self.regimes)},
            ) from None


def _criterion(code: str, raw: dict[str, Any]) -> Criterion:
    source = raw.get("source") or {}
    return Criterion(
        code=code,
        labels=dict(raw["label"]),
        document=str(source.get("document", "")),
        paragraph=str(source.get("paragraph", "")),
        verified=bool(raw.get("verified", False)),
        verify=str(raw.get("verify", "")),
        trafficking=bool(raw.get("trafficking", False)),
    )


@cache
def catalogue() -> Catalogue:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    regimes = {
        str(code): Regime(
            code=str(code),
            un_list_type=r["un_list_type"],
            prefix=r["prefix"],
            entity_prefix=r["entity_prefix"],
            labels=dict(r["label"]),
            committee=dict(r["committee"]),
            measures=dict(r["measures"]),
            note=" ".join(str(r.get("note", "")).split()),
            criteria={str(c): _criterion(str(c), v) for c, v in r["criteria"].items()},
        )
        for code, r in raw["regimes"].items()
    }
    return Catalogue(int(raw["version"]), regimes)
