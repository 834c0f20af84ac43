"""Fit the account-scoring model on generated typologies with known labels.

``vigie finance train`` generates a labelled set (``vigie.devtools.transactions``, its own
seed), imports it into a throw-away organisation, runs the rules and computes every account's
features, then fits an L2-regularised logistic regression (scikit-learn, the ``ml`` extra) with
balanced class weights and writes the coefficients to ``data/model.json``. The product only reads
the coefficients (``scoring.py``), so scikit-learn is not needed to run Vigie. The
benchmark evaluates the model on a set generated with another seed.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction

from vigie.core.actor import Actor
from vigie.core.errors import Unavailable
from vigie.core.models import Organisation
from vigie.finance import engine, keys, mapping, rules, scoring, services, store
from vigie.finance.models import TransactionFile

TRAIN_SEED = 90210


class _Rollback(Exception):
    pass


def training_rows(
    rows: int, networks: int, seed: int = TRAIN_SEED
) -> tuple[list[list[float]], list[int]]:
    """Features and labels of every account of a generated set (nothing is kept)."""
    from vigie.devtools import transactions  # a developer command: runtime code never loads it

    X: list[list[float]] = []
    y: list[int] = []
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory(prefix="vigie-train-") as tmp:
            org = Organisation.objects.create(code=f"train-{seed}", name="Training set")
            actor = Actor.system("model training", org.pk)
            path = Path(tmp) / "train.csv"
            labels = transactions.write(
                path, rows=rows, accounts=max(500, rows // 20), networks=networks, seed=seed
            )
            services.import_transactions(actor, org, path, mapping.IDENTITY_MAPPING)
            bad = {keys.account_key(n) for n in labels}
            con = store.connect(org.pk, TransactionFile.objects.filter(organisation=org))
            lib = rules.library()
            engine.prepare(con, lib)
            fired: dict[str, list[str]] = {}
            for rule in lib.rules.values():
                for account, *_ in engine.evaluate(con, rule):
                    fired.setdefault(account, []).append(rule.code)
            for account, f_in, f_out, a_in, a_out, cash, hours in con.execute(
                scoring.FEATURES_SQL
            ).fetchall():
                weight = sum(lib.rules[c].weight for c in fired.get(str(account), []))
                values = scoring.features(
                    f_in, f_out, a_in, a_out, cash, hours, rules_weight=weight
                )
                X.append([values[name] for name in scoring.FEATURE_NAMES])
                y.append(1 if account in bad else 0)
            con.close()
            raise _Rollback
    except _Rollback:
        pass
    return X, y


def fit(rows: int = 200_000, networks: int = 40) -> dict[str, Any]:
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise Unavailable(
            "Training needs scikit-learn: pip install 'vigie[ml]'.", code="ml_extra_missing"
        ) from None
    X, y = training_rows(rows, networks)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    model.fit(X, y)
    data = {
        "version": f"lr-{dt.date.today():%Y%m%d}",
        "note": (
            f"Logistic regression fitted by `vigie finance train` on {len(y)} generated "
            f"accounts ({sum(y)} planted), seed {TRAIN_SEED}."
        ),
        "intercept": round(float(model.intercept_[0]), 4),
        "coefficients": {
            name: round(float(c), 4)
            for name, c in zip(scoring.FEATURE_NAMES, model.coef_[0], strict=True)
        },
    }
    scoring.MODEL.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    scoring.model.cache_clear()
    return data
