"""Demonstration data: synthetic transactions of the demo FIU with planted schemes.

Twenty thousand background transactions and three networks of each typology of the red-flag
library (``transactions.py``), imported as the demo financial analyst and run through the rules,
so the alert queue has something to triage. Synthetic accounts only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from vigie.core.actor import Actor
from vigie.devtools import transactions
from vigie.finance import mapping, services
from vigie.finance.models import TransactionFile


def load(ctx: Any) -> None:
    org = ctx.organisations.get("fiu-it")
    user = ctx.users.get("finance")
    if org is None or user is None or TransactionFile.objects.filter(organisation=org).exists():
        return  # loading the demo again adds nothing
    actor = Actor(user=user, organisation_id=org.pk)
    with tempfile.TemporaryDirectory(prefix="vigie-demo-finance-") as tmp:
        path = Path(tmp) / "demo-bank-export.csv"
        transactions.write(path, rows=20000, accounts=4000, networks=3, seed=ctx.seed)
        result = services.import_transactions(actor, org, path, mapping.IDENTITY_MAPPING)
    run = services.run_rules(actor, org)
    ctx.echo(f"  finance: {result.rows} synthetic transactions, {run.alerts_new} alerts for fiu-it")
