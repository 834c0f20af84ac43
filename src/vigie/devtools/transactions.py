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


# Background: accounts 0..n-1 are people, each with a home branch and an employer (one of
# n/50 employer accounts numbered from n); every month the employer pays the salary and the
# rent leaves a day or two later (a third to a half of it: busy, not passing through);
# between, card spending at ordinary merchants, person-to-person transfers and a few cash
# deposits, mostly at the home branch. Then `rows` is reached with those events.
BACKGROUND_SQL = """
WITH people AS (
  SELECT p,
         {accounts} + CAST(hash(p, {seed}, 10) % greatest({accounts} // 50, 1) AS BIGINT)
           AS employer,
         CAST(hash(p, {seed}, 11) % 26 AS INTEGER) AS home,
         800 + CAST(hash(p, {seed}, 12) % 2200 AS INTEGER) AS salary
  FROM range({accounts}) t(p)),
months AS (SELECT m FROM range({months}) t(m)),
salaries AS (
  SELECT 'S' || p || '-' || m AS tx_id,
         TIMESTAMP '2025-01-01' + to_days(CAST(m * 30 + hash(p, {seed}, 13) % 3 AS INTEGER))
           + to_hours(9) AS ts,
         salary::DECIMAL(18,2) AS amount, acct(employer) AS from_account, acct(p) AS to_account,
         'payroll' AS channel, NULL::VARCHAR AS location, NULL::VARCHAR AS mcc, 'IT' AS to_country
  FROM people, months),
rents AS (
  SELECT 'R' || p || '-' || m,
         TIMESTAMP '2025-01-02' + to_days(CAST(m * 30 + hash(p, {seed}, 14) % 3 AS INTEGER)),
         round(salary * (0.3 + (hash(p, {seed}, 15) % 20) / 100.0), 2)::DECIMAL(18,2),
         acct(p), acct(CAST(hash(p, {seed}, 16) % {accounts} AS BIGINT)), 'transfer',
         NULL, NULL, 'IT'
  FROM people, months),
events AS (
  SELECT 'B' || i AS tx_id, CAST(hash(i, {seed}, 0) % 100 AS INTEGER) AS kind,
         CAST(hash(i, {seed}, 1) % {accounts} AS BIGINT) AS p,
         TIMESTAMP '2025-01-01'
           + to_seconds(CAST(hash(i, {seed}, 2) % ({months} * 30 * 86400) AS BIGINT)) AS ts,
         i
  FROM range(greatest({rows} - 2 * {accounts} * {months}, 0)) t(i)),
other AS (
  SELECT e.tx_id, e.ts,
    CASE WHEN kind < 70 THEN round(3 + (hash(i, {seed}, 3) % 12000) / 100.0, 2)
         WHEN kind < 92 THEN round(10 + (hash(i, {seed}, 4) % 40000) / 100.0, 2)
         ELSE round(20 + (hash(i, {seed}, 5) % 80000) / 100.0, 2) END::DECIMAL(18,2),
    CASE WHEN kind < 92 THEN acct(e.p) ELSE NULL END,
    CASE WHEN kind < 70 THEN NULL
         WHEN kind < 92 THEN acct(CAST(hash(i, {seed}, 6) % {accounts} AS BIGINT))
         ELSE acct(e.p) END,
    CASE WHEN kind < 70 THEN 'card' WHEN kind < 92 THEN 'transfer' ELSE 'cash_deposit' END,
    'Branch ' || chr(65 + CASE WHEN hash(i, {seed}, 7) % 10 = 0
                               THEN CAST(hash(i, {seed}, 8) % 26 AS INTEGER) ELSE pe.home END),
    CASE WHEN kind < 70
         THEN ['5411', '5812', '5541', '4111', '5311', '5912', '5651', '7011']
              [1 + CAST(hash(i, {seed}, 9) % 8 AS INTEGER)]
         END,
    CASE WHEN kind >= 70 AND kind < 92 AND hash(i, {seed}, 17) % 200 = 0 THEN 'FR' ELSE 'IT' END
  FROM events e JOIN people pe ON pe.p = e.p)
SELECT tx_id, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, CAST(amount AS VARCHAR) AS amount,
       'EUR' AS currency, from_account, to_account, channel, 'IT' AS from_country, to_country,
       location, mcc AS merchant_category
FROM (SELECT * FROM salaries UNION ALL SELECT * FROM rents UNION ALL SELECT * FROM other)
"""


def write(
    path: Path, *, rows: int, accounts: int, networks: int, seed: int = 2331
) -> dict[str, str]:
    """Write a CSV of about ``rows`` background transactions plus the planted schemes;
    return the labels (account number -> typology)."""
    rng = random.Random(seed)
    planted = plant(rng, accounts + accounts // 50 + 10, networks)  # after the employers
    con = duckdb.connect()
    # The same numbers as account(): background and planted accounts share one numbering.
    con.execute(
        "CREATE MACRO acct(n) AS 'IT' || lpad(CAST((n * 7919) % 97 AS VARCHAR), 2, '0') "
        "|| 'X' || lpad(CAST(n AS VARCHAR), 12, '0')"
    )
    background = path.with_suffix(".background.csv")
    con.execute(
        "COPY ("
        + BACKGROUND_SQL.format(seed=seed, months=DAYS // 30, accounts=accounts, rows=rows)
        + f") TO '{background}' (HEADER, DELIMITER ',')"
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
