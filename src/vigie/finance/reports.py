"""Reports out of an alert: the goAML suspicious-transaction report (ADR 0802)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from vigie.core.actor import Actor
from vigie.finance import goaml, rules, store
from vigie.finance.models import Account, Alert, TransactionFile
from vigie.finance.services import record_report


def alert_transactions(alert: Alert) -> list[dict[str, Any]]:
    """The transactions that triggered ``alert``, read back from the Parquet files."""
    files = list(TransactionFile.objects.filter(organisation_id=alert.organisation_id))
    con = store.connect(alert.organisation_id, files)
    try:
        cursor = con.execute(
            "SELECT * FROM tx WHERE list_contains($ids, tx_id) ORDER BY ts",
            {"ids": [str(t) for t in alert.transactions]},
        )
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def goaml_str(actor: Actor, alert: Alert) -> bytes:
    """The STR for ``alert`` as goAML 5.0.1 XML, validated; its export is in the access log."""
    actor.require("finance.report", alert.organisation_id)
    transactions = alert_transactions(alert)
    keys = {k for t in transactions for k in (t["from_account"], t["to_account"]) if k}
    numbers = {
        a.number_key: a.number
        for a in Account.objects.filter(organisation_id=alert.organisation_id, number_key__in=keys)
    }
    rule = rules.library().rules.get(alert.rule)
    with translation.override("en"):
        explanation = rule.explanation(alert.facts, "en") if rule else alert.rule
        label = rule.label_in("en") if rule else alert.rule
    reason = f"{label}. {explanation}"
    if alert.notes:
        reason += f"\n{alert.notes}"
    data = goaml.build_str(
        reference=f"VIGIE-{str(alert.pk)[:8].upper()}",
        reason=reason,
        action="Alert raised by Vigie red-flag rules and reviewed by an analyst.",
        transactions=transactions,
        accounts=numbers,
    )
    record_report(actor, alert, "goaml-str", len(data))
    return data
