"""Rank accounts by combining the rules that fired with features of the transaction graph.

Features per account (one DuckDB query): distinct senders (fan-in) and receivers (fan-out),
money in and out, the share passed on, the median hours between a credit and the next
debit (pass-through time), cash deposits, and the weight of the rules that fired. The score
is a logistic model over those features whose coefficients live in ``data/model.json``
(fitted by ``vigie finance train`` on generated typologies with known labels); each score
keeps the features that drove it, largest contribution first, for the analyst.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext_lazy as _

from vigie.finance import rules as rulebook

MODEL = Path(__file__).with_name("data") / "model.json"

#: Reads ``tx`` and ``next_out`` (prepared by ``engine.prepare``).
FEATURES_SQL = """
WITH i AS (SELECT to_account AS account, from_account AS other, ts, amount, channel FROM tx
           WHERE to_account IS NOT NULL),
     o AS (SELECT from_account AS account, to_account AS other, ts, amount FROM tx
           WHERE from_account IS NOT NULL),
     fi AS (SELECT account, count(DISTINCT other) AS fan_in, sum(amount) AS amount_in,
                   count(*) FILTER (WHERE channel = 'cash_deposit') AS cash_in
            FROM i GROUP BY account),
     fo AS (SELECT account, count(DISTINCT other) AS fan_out, sum(amount) AS amount_out
            FROM o GROUP BY account),
     pt AS (SELECT account, median(date_diff('minute', in_ts, out_ts) / 60.0) AS hours
            FROM next_out GROUP BY account)
SELECT coalesce(fi.account, fo.account) AS account,
       coalesce(fan_in, 0), coalesce(fan_out, 0),
       coalesce(amount_in, 0)::DOUBLE, coalesce(amount_out, 0)::DOUBLE,
       coalesce(cash_in, 0), pt.hours
FROM fi FULL JOIN fo ON fi.account = fo.account LEFT JOIN pt ON pt.account = fi.account
"""
FEATURE_NAMES = (
    "fan_in_log",
    "fan_out_log",
    "pass_through_share",
    "fast_pass_through",
    "cash_in_log",
    "rules_weight",
)


FEATURE_LABELS = {
    "fan_in_log": _("many senders"),
    "fan_out_log": _("many receivers"),
    "pass_through_share": _("money passed on"),
    "fast_pass_through": _("money passed on within two days"),
    "cash_in_log": _("cash deposits"),
    "rules_weight": _("red flags raised"),
}


@cache
def model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL.read_text(encoding="utf-8"))
    return data


def features(
    fan_in: int,
    fan_out: int,
    amount_in: float,
    amount_out: float,
    cash_in: int,
    hours: float | None,
    rules_weight: float,
) -> dict[str, float]:
    share = min(amount_out / amount_in, 1.5) if amount_in > 0 else 0.0
    fast = 1.0 if hours is not None and hours <= 48 and share >= 0.5 else 0.0
    return {
        "fan_in_log": math.log1p(fan_in),
        "fan_out_log": math.log1p(fan_out),
        "pass_through_share": share,
        "fast_pass_through": fast,
        "cash_in_log": math.log1p(cash_in),
        "rules_weight": rules_weight,
    }


def score(values: dict[str, float]) -> tuple[float, list[tuple[str, float]]]:
    """Probability-like score in [0, 1] and each feature's contribution (largest first)."""
    m = model()
    contributions = [(name, m["coefficients"][name] * values[name]) for name in FEATURE_NAMES]
    z = m["intercept"] + sum(c for _, c in contributions)
    ranked = sorted(contributions, key=lambda item: -item[1])
    return 1 / (1 + math.exp(-z)), ranked


def score_accounts(
    con: duckdb.DuckDBPyConnection, fired: dict[str, list[str]]
) -> dict[str, tuple[float, dict[str, Any]]]:
    """Score every account that a rule flagged, or that receives from 5+ others."""
    library = rulebook.library()
    out: dict[str, tuple[float, dict[str, Any]]] = {}
    for account, fan_in, fan_out, a_in, a_out, cash_in, hours in con.execute(
        FEATURES_SQL
    ).fetchall():
        codes = fired.get(str(account), [])
        if not codes and fan_in < 5:
            continue
        weight = sum(library.rules[c].weight for c in codes)
        values = features(fan_in, fan_out, a_in, a_out, cash_in, hours, rules_weight=weight)
        probability, ranked = score(values)
        out[str(account)] = (
            round(probability, 4),
            {
                "features": {k: round(v, 3) for k, v in values.items()},
                "drivers": [name for name, c in ranked if c > 0][:3],
                "rules": codes,
                "model": model()["version"],
            },
        )
    return out
