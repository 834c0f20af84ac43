"""Synthetic transactions with planted trafficking typologies and known labels.

Shaped like AMLSim's outputs (accounts, transactions, alert labels) but in Vigie's own
layout and with the typologies of the red-flag library: background activity (salaries,
card spending, transfers, cash) for ``accounts`` accounts, DuckDB-generated so ten million
rows take seconds; then, written in Python, ``networks`` planted schemes of each typology
with the accounts that run them labelled, and hard negatives (shops with many payers,
payroll bureaux, families) that look busy but are not. Deterministic for a seed. Account
numbers are synthetic IBAN-like strings; nobody real appears.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

START = dt.datetime(2025, 1, 1)
DAYS = 180
CONFLICT = ["LY", "SY", "YE", "SD", "SS", "SO", "ML"]
PLACES = [f"Branch {c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]


def account(n: int) -> str:
    return f"IT{(n * 7919) % 97:02d}X{n:012d}"


@dataclass
class Planted:
    labels: dict[str, str] = field(default_factory=dict)  # account number -> typology
    rows: list[list[str]] = field(default_factory=list)


def _row(
    tx: str,
    ts: dt.datetime,
    amount: float,
    src: str | None,
    dst: str | None,
    channel: str,
    *,
    src_c: str = "IT",
    dst_c: str = "IT",
    place: str = "",
    mcc: str = "",
) -> list[str]:
    return [
        tx,
        ts.isoformat(sep=" ", timespec="seconds"),
        f"{amount:.2f}",
        "EUR",
        src or "",
        dst or "",
        channel,
        src_c,
        dst_c,
        place,
        mcc,
    ]


def plant(rng: random.Random, first_account: int, networks: int) -> Planted:
    """``networks`` schemes of each typology, on fresh accounts from ``first_account``."""
    out = Planted()
    next_acct = first_account
    serial = 0

    def new() -> str:
        nonlocal next_acct
        next_acct += 1
        return account(next_acct)

    def tx_id() -> str:
        nonlocal serial
        serial += 1
        return f"P{serial:09d}"

    def when(day: int, hour: int | None = None) -> dt.datetime:
        return START + dt.timedelta(
            days=day, hours=hour if hour is not None else rng.randint(8, 20)
        )

    for _ in range(networks):
        day = rng.randint(0, DAYS - 40)
        # Funnel: cash deposited in many places, sent abroad within a day.
        hub, boss = new(), new()
        out.labels[hub] = "funnel"
        for k in range(rng.randint(6, 10)):
            amount = rng.uniform(300, 900)
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + k),
                    amount,
                    None,
                    hub,
                    "cash_deposit",
                    place=rng.choice(PLACES),
                )
            )
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + k, 21),
                    amount * 0.95,
                    hub,
                    boss,
                    "transfer",
                    dst_c=rng.choice(CONFLICT),
                )
            )
        # Money sent to an area of armed conflict (S/2017/939 para 73).
        financier = new()
        out.labels[financier] = "conflict"
        country = rng.choice(CONFLICT)
        for k in range(rng.randint(3, 5)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + 5 * k),
                    rng.uniform(2000, 4000),
                    financier,
                    new(),
                    "remittance",
                    dst_c=country,
                )
            )
        # Wages of several workers paid into one controller's account.
        controller, employer = new(), new()
        out.labels[controller] = "wages_collected"
        for _k in range(rng.randint(4, 8)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + rng.randint(0, 3)),
                    rng.uniform(900, 1300),
                    employer,
                    controller,
                    "payroll",
                )
            )
        # Online adult advertising and short stays in many hotels.
        pimp = new()
        out.labels[pimp] = "sexual_exploitation"
        for k in range(rng.randint(4, 7)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + 3 * k),
                    rng.uniform(20, 90),
                    pimp,
                    None,
                    "card",
                    mcc=rng.choice(["7273", "7311"]),
                )
            )
        for k in range(rng.randint(6, 9)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + k, 23),
                    rng.uniform(40, 120),
                    pimp,
                    None,
                    "card",
                    mcc="7011",
                    place=rng.choice(PLACES),
                )
            )
        # Recruitment fees: many people pay the same amount to a recruiter.
        recruiter = new()
        out.labels[recruiter] = "recruitment_fees"
        fee = rng.choice([500, 750, 1000, 1200])
        for _k in range(rng.randint(7, 12)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + rng.randint(0, 20)),
                    fee * rng.uniform(0.97, 1.03),
                    new(),
                    recruiter,
                    "remittance",
                    src_c=rng.choice(["NG", "ER", "ET", "BD"]),
                )
            )
        # Round trip through two intermediaries.
        a, b, c = new(), new(), new()
        out.labels[a] = "round_trip"
        amount = rng.uniform(5000, 20000)
        out.rows.append(_row(tx_id(), when(day), amount, a, b, "transfer"))
        out.rows.append(_row(tx_id(), when(day + 2), amount * 0.98, b, c, "transfer"))
        out.rows.append(_row(tx_id(), when(day + 4), amount * 0.96, c, a, "transfer"))
        # Structuring below 10,000.
        smurf = new()
        out.labels[smurf] = "structuring"
        for k in range(rng.randint(3, 5)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + k),
                    rng.uniform(8600, 9950),
                    None,
                    smurf,
                    "cash_deposit",
                    place=rng.choice(PLACES),
                )
            )
        # Hard negatives: a shop with many card payers, a family with two salaries.
        shop = new()
        for _k in range(rng.randint(15, 30)):
            out.rows.append(
                _row(
                    tx_id(),
                    when(day + rng.randint(0, 25)),
                    rng.uniform(5, 80),
                    new(),
                    shop,
                    "card",
                    mcc="5411",
                )
            )
        family, work1, work2 = new(), new(), new()
        for month in range(3):
            out.rows.append(_row(tx_id(), when(day + 30 * month), 1800, work1, family, "payroll"))
            out.rows.append(_row(tx_id(), when(day + 30 * month), 1500, work2, family, "payroll"))
    return out


BACKGROUND_SQL = """
SELECT 'B' || lpad(i::VARCHAR, 10, '0') AS tx_id,
  strftime(TIMESTAMP '2025-01-01'
           + to_seconds(CAST(hash(i, {seed}, 1) % ({days} * 86400) AS BIGINT)),
           '%Y-%m-%d %H:%M:%S') AS ts,
  CAST(round(5 + (hash(i, {seed}, 2) % 150000) / 100.0, 2) AS VARCHAR) AS amount,
  'EUR' AS currency,
  CASE WHEN kind < 10 THEN NULL ELSE acct(hash(i, {seed}, 3) % {accounts}) END AS from_account,
  CASE WHEN kind >= 85 THEN NULL ELSE acct(hash(i, {seed}, 4) % {accounts}) END AS to_account,
  CASE WHEN kind < 10 THEN 'cash_deposit' WHEN kind < 20 THEN 'payroll'
       WHEN kind < 70 THEN 'transfer' WHEN kind < 85 THEN 'remittance' ELSE 'card' END AS channel,
  'IT' AS from_country,
  CASE WHEN hash(i, {seed}, 5) % 100 = 0 THEN 'FR' ELSE 'IT' END AS to_country,
  'Branch ' || chr(65 + CAST(hash(i, {seed}, 6) % 26 AS INTEGER)) AS location,
  CASE WHEN kind >= 85
       THEN ['5411', '5812', '5541', '4111', '5311'][1 + CAST(hash(i, {seed}, 7) % 5 AS INTEGER)]
       ELSE NULL END AS merchant_category
FROM (SELECT i, CAST(hash(i, {seed}, 0) % 100 AS INTEGER) AS kind FROM range({rows}) t(i))
"""


def write(
    path: Path, *, rows: int, accounts: int, networks: int, seed: int = 2331
) -> dict[str, str]:
    """Write a CSV of about ``rows`` background transactions plus the planted schemes;
    return the labels (account number -> typology)."""
    rng = random.Random(seed)
    planted = plant(rng, accounts + 1, networks)
    con = duckdb.connect()
    # The same numbers as account(): background and planted accounts share one numbering.
    con.execute(
        "CREATE MACRO acct(n) AS 'IT' || lpad(CAST((n * 7919) % 97 AS VARCHAR), 2, '0') "
        "|| 'X' || lpad(CAST(n AS VARCHAR), 12, '0')"
    )
    background = path.with_suffix(".background.csv")
    con.execute(
        f"COPY ({BACKGROUND_SQL.format(seed=seed, days=DAYS, accounts=accounts, rows=rows)}) "
        f"TO '{background}' (HEADER, DELIMITER ',')"
    )
    con.close()
    with path.open("w", newline="", encoding="utf-8") as out:
        with background.open(encoding="utf-8") as fh:
            for line in fh:
                out.write(line)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(planted.rows)
    background.unlink()
    return planted.labels
