"""Run the red-flag library over an organisation's transactions and keep the alerts.

Each rule is one DuckDB query over the ``tx`` view (``data/redflags.yaml``). A rule that
fires again for the same account updates its open alert (new transactions, new facts);
an alert already decided (false positive, reported) is left as the analyst decided it. The
account ranking (``scoring.py``) runs after the rules, over the same connection.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
from django.db import connection, transaction

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.core.events import announce
from vigie.finance import links, store
from vigie.finance import rules as rulebook
from vigie.finance.models import Account, Alert, TransactionFile

MAX_TX_PER_ALERT = 200


@dataclass
class RunResult:
    alerts_new: int = 0
    alerts_updated: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    scored: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "alerts_new": self.alerts_new,
            "alerts_updated": self.alerts_updated,
            "by_rule": self.by_rule,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "accounts_scored": self.scored,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def evaluate(
    con: duckdb.DuckDBPyConnection, rule: rulebook.Rule
) -> list[tuple[str, list[str], Decimal, dict[str, Any]]]:
    """The rows ``rule`` flags: (account number, transaction ids, amount, facts)."""
    try:
        cursor = con.execute(
            rule.sql, {k: v for k, v in rule.params.items() if f"${k}" in rule.sql}
        )
    except duckdb.Error as exc:
        raise Invalid(
            f"rule {rule.code} v{rule.version} failed: {str(exc).splitlines()[0]}",
            code="rule_failed",
        ) from None
    names = [d[0] for d in cursor.description or []]
    out = []
    for row in cursor.fetchall():
        values = dict(zip(names, row, strict=True))
        account = values.pop("account")
        ids = [str(t) for t in (values.pop("tx_ids") or [])]
        amount = Decimal(str(values.pop("amount") or 0))
        facts = {k: _plain(v) for k, v in values.items()}
        facts["amount"] = float(amount)
        out.append((str(account), ids, amount, facts))
    return out


def prepare(con: duckdb.DuckDBPyConnection, library: rulebook.Library) -> None:
    """Materialise the library's shared relations (``prepare`` in ``data/redflags.yaml``)."""
    for name, sql in library.prepare.items():
        con.execute(f"CREATE TEMP TABLE {name} AS {sql}")


def run(actor: Actor, organisation: Any, only: list[str] | None = None) -> RunResult:
    """Run every rule (or ``only`` those) for ``organisation``; create or refresh alerts."""
    actor.require("finance.view", organisation.pk)
    library = rulebook.library()
    unknown = [code for code in (only or []) if code not in library.rules]
    if unknown:
        raise Invalid(f"no rule {', '.join(unknown)}", code="rule_unknown")
    files = list(TransactionFile.objects.filter(organisation=organisation))
    with tempfile.TemporaryDirectory(prefix="vigie-finance-rules-") as tmpdir:
        started = time.perf_counter()
        con = store.connect(organisation.pk, files, in_memory=True)
        con.execute(f"SET temp_directory = {store.quote(tmpdir)}")
        prepare(con, library)
        loaded = time.perf_counter() - started
        result, fired, ranking = _evaluate_all(con, organisation, library, only)
        result.seconds["load"] = loaded
        con.close()
    with transaction.atomic():
        accounts = _accounts(organisation, set(fired) | set(ranking))
        touched = _write_alerts(organisation, accounts, fired, result)
        scored = [
            (accounts[number], score, detail)
            for number, (score, detail) in ranking.items()
            if number in accounts
        ]
        _write_scores(scored)
        result.scored = len(scored)
        if touched:
            announce(
                "finance.alert", touched, actor, action="mixed", organisation_id=organisation.pk
            )
        if scored:
            announce(
                "finance.account",
                [pk for pk, *_ in scored],
                actor,
                action="changed",
                organisation_id=organisation.pk,
            )
    return result


Fired = dict[str, list[tuple[rulebook.Rule, list[str], Decimal, dict[str, Any]]]]


def _evaluate_all(
    con: duckdb.DuckDBPyConnection,
    organisation: Any,
    library: rulebook.Library,
    only: list[str] | None,
) -> tuple[RunResult, Fired, dict[str, tuple[float, dict[str, Any]]]]:
    """Every rule, then the screening rules over what they flagged, then the ranking."""
    from vigie.finance import scoring

    result = RunResult()
    fired: Fired = {}
    screening_rules = []
    for code, rule in library.rules.items():
        if only and code not in only:
            continue
        if rule.screening:
            screening_rules.append(rule)
            continue
        started = time.perf_counter()
        rows = evaluate(con, rule)
        result.seconds[code] = time.perf_counter() - started
        result.by_rule[code] = len(rows)
        for number, ids, amount, facts in rows:
            fired.setdefault(number, []).append((rule, ids, amount, facts))
    for rule in screening_rules:
        started = time.perf_counter()
        rows = links.listed_counterparties(con, organisation, set(fired), rule)
        result.seconds[rule.code] = time.perf_counter() - started
        result.by_rule[rule.code] = len(rows)
        for number, ids, amount, facts in rows:
            fired.setdefault(number, []).append((rule, ids, amount, facts))
    started = time.perf_counter()
    ranking = scoring.score_accounts(
        con, {n: [r.code for r, *_ in hits] for n, hits in fired.items()}
    )
    result.seconds["scoring"] = time.perf_counter() - started
    return result, fired, ranking


def _write_alerts(
    organisation: Any,
    accounts: dict[str, int],
    fired: dict[str, list[tuple[rulebook.Rule, list[str], Decimal, dict[str, Any]]]],
    result: RunResult,
) -> list[Any]:
    """Create the new alerts and refresh the open ones, in bulk; decided ones stay as
    decided. Returns the ids written."""
    existing = {
        (a.account_id, a.rule, a.rule_version): a
        for a in Alert.objects.filter(
            organisation=organisation, account_id__in=list(accounts.values())
        )
    }
    fresh: list[Alert] = []
    changed: list[Alert] = []
    for number, hits in fired.items():
        account_id = accounts.get(number)
        if account_id is None:
            continue
        for rule, ids, amount, facts in hits:
            alert = existing.get((account_id, rule.code, rule.version))
            if alert is None:
                fresh.append(
                    Alert(
                        organisation=organisation,
                        account_id=account_id,
                        rule=rule.code,
                        rule_version=rule.version,
                        typology=rule.typology,
                        facts=facts,
                        transactions=ids[:MAX_TX_PER_ALERT],
                        amount=amount,
                    )
                )
            elif alert.status not in Alert.CLOSED and alert.facts != facts:
                alert.facts, alert.amount = facts, amount
                alert.transactions = ids[:MAX_TX_PER_ALERT]
                changed.append(alert)
    Alert.objects.bulk_create(fresh, batch_size=1000)
    Alert.objects.bulk_update(changed, ["facts", "amount", "transactions"], batch_size=1000)
    result.alerts_new, result.alerts_updated = len(fresh), len(changed)
    return [a.pk for a in fresh] + [a.pk for a in changed]


def _accounts(organisation: Any, keys: set[str]) -> dict[str, int]:
    """The ids of the accounts of ``organisation`` by their keys (what the rules return);
    ids only, so no account number is decrypted for a rule run."""
    found: dict[str, int] = {}
    listed = list(keys)
    for start in range(0, len(listed), 5000):
        found.update(
            Account.objects.filter(
                organisation=organisation, number_key__in=listed[start : start + 5000]
            ).values_list("number_key", "pk")
        )
    return found


def _write_scores(scored: list[tuple[int, float, dict[str, Any]]]) -> None:
    """One ``executemany``: Django's ``bulk_update`` builds a CASE of every id per batch and
    took 45 s for 15,000 accounts (ADR 0806)."""
    if not scored:
        return
    detail_field = Account._meta.get_field("score_detail")
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q(Account._meta.db_table)} SET {q('score')} = %s, {q('score_detail')} = %s "
        f"WHERE {q('id')} = %s"
    )
    rows = [
        (score, detail_field.get_db_prep_save(detail, connection), pk)
        for pk, score, detail in scored
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
