"""Links to terrorism financing (S/2017/939 para 73): who do flagged accounts pay?

For the accounts the other rules flagged, the transaction graph is followed ``hops``
transfers in either direction (DuckDB over the ``tx`` view); every account met whose holder
name is known is screened once against the watchlists in force by the screening engine,
and a match above the rule's threshold raises ``listed_counterparty`` on the flagged account,
naming the listing and the transactions that link them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from vigie.finance import rules
from vigie.finance.models import Account

NEIGHBOURS_SQL = """
WITH e AS (SELECT DISTINCT from_account AS a, to_account AS b FROM tx
           WHERE from_account IS NOT NULL AND to_account IS NOT NULL
             AND from_account <> to_account),
     u AS (SELECT a, b FROM e UNION SELECT b, a FROM e),
     seeds AS (SELECT unnest($seeds::VARCHAR[]) AS s),
     h1 AS (SELECT s AS seed, b AS n, b AS via, 1 AS hops FROM seeds JOIN u ON u.a = s),
     h2 AS (SELECT h1.seed, u.b AS n, h1.n AS via, 2 AS hops FROM h1 JOIN u ON u.a = h1.n
            WHERE $hops >= 2 AND u.b <> h1.seed)
SELECT seed, n, arg_min(via, hops), min(hops) FROM (SELECT * FROM h1 UNION ALL SELECT * FROM h2)
GROUP BY seed, n
"""
LINK_TX_SQL = """
SELECT list(tx_id), coalesce(sum(amount), 0) FROM tx
WHERE (from_account = $x AND to_account = $y) OR (from_account = $y AND to_account = $x)
"""


def screen_name(name: str, threshold: float) -> list[dict[str, Any]]:
    """The watchlist entries matching ``name`` (the one call into the screening app)."""
    from django.core.exceptions import ValidationError

    from vigie.screening import services as screening

    try:
        query = screening.make_query(name)
    except ValidationError:
        return []
    return [r.as_dict() for r in screening.screen(query, threshold=threshold, limit=3)]


def listed_counterparties(
    con: duckdb.DuckDBPyConnection,
    organisation: Any,
    seeds: set[str],
    rule: rules.Rule,
) -> list[tuple[str, list[str], Decimal, dict[str, Any]]]:
    if not seeds:
        return []
    hops = int(rule.params.get("hops", 2))
    threshold = float(rule.params.get("threshold", 0.9))
    regimes = {str(r).lower() for r in rule.params.get("regimes") or []}
    reach = con.execute(NEIGHBOURS_SQL, {"seeds": sorted(seeds), "hops": hops}).fetchall()
    holders = {
        a.number_key: a.holder
        for a in Account.objects.filter(
            organisation=organisation, number_key__in={n for _, n, _, _ in reach}
        ).exclude(holder__isnull=True)
    }
    matches: dict[str, list[dict[str, Any]]] = {}
    for key, holder in holders.items():
        if not holder:
            continue
        found = [
            m
            for m in screen_name(holder, threshold)
            if not regimes or (m.get("regime") or "").lower() in regimes
        ]
        if found:
            matches[key] = found
    out: dict[str, tuple[str, list[str], Decimal, dict[str, Any]]] = {}
    for seed, n, via, distance in sorted(reach, key=lambda r: r[3]):
        if n not in matches or seed in out:
            continue
        best = max(matches[n], key=lambda m: m["score"])
        first_leg = con.execute(LINK_TX_SQL, {"x": seed, "y": via}).fetchone()
        last_leg = con.execute(LINK_TX_SQL, {"x": via, "y": n}).fetchone() if distance > 1 else None
        ids = list(first_leg[0] or []) if first_leg else []
        if last_leg:
            ids += list(last_leg[0] or [])
        amount = Decimal(str(first_leg[1])) if first_leg else Decimal(0)
        regime = best.get("regime") or ""
        out[seed] = (
            seed,
            ids,
            amount,
            {
                "hops": distance,
                "watchlist": best["watchlist"],
                "reference": best["reference"],
                "regime": regime,
                "regime_note": f", {regime}" if regime else "",
                "score_pct": round(100 * float(best["score"])),
                "amount": float(amount),
            },
        )
    return list(out.values())
