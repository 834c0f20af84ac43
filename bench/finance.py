"""Import and the red-flag library over N synthetic transactions, against bare DuckDB.

Prints one JSON line. Baselines, in the same run and on the same file:
- import: DuckDB reading the CSV and writing Parquet with no checks, no mapping, no keys;
- rules: the same SQL of every rule run by DuckDB directly over that bare Parquet file.
Also the ranking quality on the planted schemes (labels known): precision at k and recall
of the scores, of the rules alone (count of rules fired), and of a naive fan-in baseline.

    python bench/finance.py --rows 1000000 [--networks 50]
"""

from __future__ import annotations

# ruff: noqa: S608  (benchmark SQL over its own temporary files)
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


# The bare reference reads the file with the types the rules need, and nothing else.
BARE_TYPES = (
    "{'tx_id': 'VARCHAR', 'ts': 'TIMESTAMP', 'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR', "
    "'from_account': 'VARCHAR', 'to_account': 'VARCHAR', 'channel': 'VARCHAR', "
    "'from_country': 'VARCHAR', 'to_country': 'VARCHAR', 'location': 'VARCHAR', "
    "'merchant_category': 'VARCHAR'}"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--networks", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-finance-"))
    os.environ["VIGIE_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command

    from vigie.core.actor import Actor
    from vigie.core.models import Organisation
    from vigie.devtools import transactions
    from vigie.finance import mapping, rules, services
    from vigie.finance.models import Account, Alert

    def load() -> str:  # the machine is shared: the load beside every figure
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()

    load_start = load()
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(code="bench-fiu", name="Bench FIU", kind="fiu")
    actor = Actor.system("benchmark", org.pk)
    csv_path = tmp / "tx.csv"
    t = time.perf_counter()
    labels = transactions.write(
        csv_path, rows=args.rows, accounts=max(1000, args.rows // 20), networks=args.networks
    )
    generated = time.perf_counter() - t

    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, types={BARE_TYPES})) "
        f"TO '{tmp / 'bare.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
    )
    bare_import = time.perf_counter() - t

    t = time.perf_counter()
    result = services.import_transactions(actor, org, csv_path, mapping.IDENTITY_MAPPING)
    vigie_import = time.perf_counter() - t

    con.execute(f"CREATE VIEW tx AS SELECT * FROM read_parquet('{tmp / 'bare.parquet'}')")
    lib = rules.library()
    t = time.perf_counter()
    for name, sql in lib.prepare.items():  # the relations the rules share, as Vigie does
        con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
    for rule in lib.rules.values():
        if not rule.sql.strip():  # rules computed in Python (listed_counterparty)
            continue
        params = {k: v for k, v in rule.params.items() if f"${k}" in rule.sql}
        con.execute(rule.sql, params).fetchall()
    bare_rules = time.perf_counter() - t

    t = time.perf_counter()
    run = services.run_rules(actor, org)
    vigie_rules = time.perf_counter() - t

    bad = set(labels)
    numbers = dict(Account.objects.filter(organisation=org).values_list("pk", "number"))
    scored = sorted(
        Account.objects.filter(organisation=org, score__isnull=False).values_list("pk", "score"),
        key=lambda r: -r[1],
    )
    fired: dict[int, int] = {}
    for account_id in Alert.objects.filter(organisation=org).values_list("account_id", flat=True):
        fired[account_id] = fired.get(account_id, 0) + 1
    rules_only = sorted(fired, key=lambda a: -fired[a])
    fan_in = con.execute(
        "SELECT to_account, count(DISTINCT from_account) f FROM tx WHERE to_account IS NOT NULL "
        "GROUP BY ALL ORDER BY f DESC LIMIT 1000"
    ).fetchall()

    def quality(ranked_numbers: list[str], k: int) -> dict[str, float]:
        top = ranked_numbers[:k]
        hits = sum(1 for n in top if n in bad)
        found = sum(1 for n in ranked_numbers if n in bad)
        return {
            "precision_at_k": round(hits / max(1, len(top)), 3),
            "recall": round(found / len(bad), 3),
        }

    k = min(100, len(bad))
    kk = len(bad)  # R-precision: as many as there are planted accounts
    print(
        json.dumps(
            {
                "bench": "finance",
                "load_start": load_start,
                "load_end": load(),
                "rows": result.rows,
                "accounts": len(numbers),
                "planted_accounts": len(bad),
                "generate_s": round(generated, 2),
                "import_s": round(vigie_import, 2),
                "bare_duckdb_import_s": round(bare_import, 2),
                "import_ratio_to_bare": round(vigie_import / bare_import, 2),
                "rules_s": round(vigie_rules, 2),
                "bare_duckdb_rules_s": round(bare_rules, 2),
                "rules_ratio_to_bare": round(vigie_rules / bare_rules, 2),
                "alerts": run.alerts_new,
                "alerts_by_rule": run.by_rule,
                "seconds_by_rule": {k: round(v, 2) for k, v in run.seconds.items()},
                "k": k,
                "score": quality([numbers[a] for a, _ in scored], k),
                "rules_only": quality([numbers[a] for a in rules_only], k),
                "fan_in_baseline": quality([str(r[0]) for r in fan_in], k),
                "r_precision": {
                    "score": quality([numbers[a] for a, _ in scored], kk)["precision_at_k"],
                    "rules_only": quality([numbers[a] for a in rules_only], kk)["precision_at_k"],
                    "fan_in_baseline": quality([str(r[0]) for r in fan_in], kk)["precision_at_k"],
                },
            }
        )
    )


if __name__ == "__main__":
    main()
