"""Reports out of an alert or a case: the goAML suspicious-transaction report (ADR 0802)."""

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


def goaml_str_for_case(actor: Actor, case: Any) -> bytes:
    """The STR of a case: the transactions behind the alerts (not dismissed) of the accounts
    your unit linked to it. The reason names the case's forms of exploitation, countries and
    period, never a victim."""
    from vigie.core.errors import NotFound
    from vigie.finance.models import CaseLink

    orgs = actor.organisations_with("finance.report")
    links = CaseLink.objects.filter(case=case).select_related("account")
    if orgs is not None:
        links = links.filter(organisation_id__in=orgs)
    accounts = {x.account_id: x.account for x in links}
    if not accounts:
        raise NotFound("No account of your unit is linked to this case.", code="no_linked_account")
    org_id = next(iter(accounts.values())).organisation_id
    actor.require("finance.report", org_id)
    alerts = list(
        Alert.objects.filter(account_id__in=accounts, organisation_id=org_id)
        .exclude(status=Alert.Status.FALSE_POSITIVE)
        .order_by("created_at")
    )
    wanted = {str(t) for a in alerts for t in a.transactions}
    if not wanted:
        raise NotFound("The linked accounts have no alert to report.", code="no_alert_to_report")
    files = list(TransactionFile.objects.filter(organisation_id=org_id))
    con = store.connect(org_id, files)
    try:
        cursor = con.execute(
            "SELECT * FROM tx WHERE list_contains($ids, tx_id) ORDER BY ts", {"ids": sorted(wanted)}
        )
        names = [d[0] for d in cursor.description or []]
        transactions = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    keys = {k for t in transactions for k in (t["from_account"], t["to_account"]) if k}
    numbers = {
        a.number_key: a.number
        for a in Account.objects.filter(organisation_id=org_id, number_key__in=keys)
    }
    forms = sorted({f for e in case.exploitations.all() for f in (e.forms or [])})
    countries = sorted({c for c in [case.country, *(leg.country for leg in case.route.all())] if c})
    rule_names = sorted({a.rule for a in alerts})
    reason = (
        f"Accounts linked to a trafficking-in-persons case (forms of exploitation: "
        f"{', '.join(forms) or 'not recorded'}; countries: {', '.join(countries) or 'not recorded'}"
        f"; identified {case.identification_year or 'year not recorded'}). Red flags: "
        f"{', '.join(rule_names)}."
    )
    data = goaml.build_str(
        reference=f"VIGIE-CASE-{str(case.uuid)[:8].upper()}",
        reason=reason,
        action="Case-linked accounts reviewed by an analyst of the financial intelligence unit.",
        transactions=transactions,
        accounts=numbers,
    )
    for alert in alerts[:1]:
        record_report(actor, alert, f"goaml-str-case:{case.uuid}", len(data))
    return data
