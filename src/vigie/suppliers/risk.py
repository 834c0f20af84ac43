"""Supply-chain risk: every point of a supplier's score comes with its source.

Points (ADR 1201; capped at 100):

- a product's good sourced from a country on the DOL TVPRA list for forced labour: 30;
  for child labour: 20; on the EO 13126 list (forced or indentured child labour): 25;
- a sourcing country where Vigie's case statistics (disclosure-controlled, the released
  figures only) record victims of forced labour: 10;
- the answers of the latest submitted due-diligence questionnaire (points per answer in
  data/questionnaire.yaml); none submitted, or expired: 10.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from vigie.suppliers import dol, questionnaire
from vigie.suppliers.countries import code_of

DOL_FORCED, DOL_CHILD, DOL_EO13126 = 30, 20, 25
CASES_FORCED_LABOUR = 10
NO_QUESTIONNAIRE = 10
CAP = 100
SOURCE_TVPRA = "US DOL, TVPRA List of Goods Produced by Child Labor or Forced Labor"
SOURCE_EO = "US DOL, EO 13126 List of Products (forced or indentured child labour)"
SOURCE_CASES = "Vigie case statistics (disclosure-controlled release)"
SOURCE_DD = "Due-diligence questionnaire"


@cache
def _unspsc() -> dict[str, str]:
    doc = yaml.safe_load((Path(__file__).parent / "data" / "unspsc_goods.yaml").read_text())
    return {str(k): str(v) for k, v in doc["prefixes"].items()}


def good_for(description: str, unspsc: str, goods: set[str]) -> str:
    """The DOL good a product is: named in its description, else by its UNSPSC code."""
    text = f" {dol.good_key(description)} "
    named = sorted((g for g in goods if g and f" {g} " in text), key=len, reverse=True)
    if named:
        return named[0]
    code = "".join(c for c in unspsc if c.isdigit())
    for n in range(len(code), 1, -1):
        if code[:n] in _unspsc():
            return _unspsc()[code[:n]]
    return ""


@dataclass
class Point:
    points: int
    source: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"points": self.points, "source": self.source, "reason": self.reason, **self.detail}


def case_statistics() -> dict[str, int]:
    """Released counts of victims of forced labour by country of exploitation, from the
    analytics snapshot through its disclosure control (suppressed cells give nothing)."""
    from vigie.analytics import selectors as stats
    from vigie.core.actor import Actor

    try:
        release = stats.typology(
            Actor.system("supplier risk"), stats.parse_request(by="country,form")
        )
    except Exception:
        return {}
    out: dict[str, int] = {}
    for row in release.rows(with_margins=False, nonzero=True):
        if row.get("form") == "forced_labour" and row.get("count"):
            out[str(row["country"])] = int(row["count"])
    return out


@dataclass
class Context:
    """What a score is computed from, read once for many suppliers."""

    lists: dol.Lists
    cases: dict[str, int]

    @classmethod
    def now(cls) -> Context:
        return cls(dol.current(), case_statistics())


def countries_of(supplier: Any, product: Any = None) -> list[str]:
    if product is not None and product.country:
        return [product.country]
    found = [code_of(c) for c in (supplier.sourcing_countries or [])]
    found = [c for c in found if c] or ([supplier.country] if supplier.country else [])
    return list(dict.fromkeys(found))


def score(
    supplier: Any, ctx: Context, invitation: Any = None, products: Any = None
) -> tuple[int, list[Point]]:
    """The score of ``supplier`` (with its products loaded, or ``products`` given) and every
    point's source."""
    points: list[Point] = []
    lists = ctx.lists
    for product in supplier.products.all() if products is None else products:
        good = product.good or good_for(product.description, product.unspsc, lists.goods)
        for country in countries_of(supplier, product):
            where = {"good": good, "country": country, "product": product.description}
            if (good, country) in lists.forced:
                points.append(Point(DOL_FORCED, SOURCE_TVPRA, "forced labour", where))
            if (good, country) in lists.child:
                points.append(Point(DOL_CHILD, SOURCE_TVPRA, "child labour", where))
            if (good, country) in lists.eo13126:
                points.append(Point(DOL_EO13126, SOURCE_EO, "forced child labour", where))
    for country in countries_of(supplier):
        victims = ctx.cases.get(country)
        if victims:
            points.append(
                Point(
                    CASES_FORCED_LABOUR,
                    SOURCE_CASES,
                    "victims of forced labour recorded",
                    {"country": country, "victims": victims},
                )
            )
    if invitation is None or (
        invitation.submitted_at is None and invitation.expires_at < timezone.now()
    ):
        points.append(Point(NO_QUESTIONNAIRE, SOURCE_DD, "no current questionnaire"))
    elif invitation.submitted_at is not None:
        q = questionnaire.current()
        for question, answer, n in q.points(invitation.answers or {}):
            points.append(
                Point(
                    n, SOURCE_DD, question.code, {"answer": answer, "version": invitation.version}
                )
            )
    else:
        points.append(Point(NO_QUESTIONNAIRE, SOURCE_DD, "questionnaire not answered yet"))
    if not lists.loaded:
        points.append(Point(0, "US DOL lists", "not configured (VIGIE_SUPPLIERS_DOL_DIR)"))
    return min(CAP, sum(p.points for p in points)), points
