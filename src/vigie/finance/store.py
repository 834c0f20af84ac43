"""Where transactions live: Parquet files read through DuckDB (ADR 0800).

One file per imported transaction file, under ``DATA_DIR/finance/<organisation id>/``.
Account numbers never reach these files: each is replaced by its keyed pseudonym
(``keys.account_key``), and free-text descriptions are not kept (they may name people).
What remains — amounts, times, channels, countries, places, merchant categories — is
sensitive, not identifying, and is what the red-flag rules read. The ``tx`` view of a
connection covers exactly the files the database lists for the organisation: a file left
by a crashed import (written, not committed) is never read and is swept a day later.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from django.conf import settings

if TYPE_CHECKING:
    from vigie.finance.models import TransactionFile

#: The columns of every Parquet file (``from_key``/``to_key`` are account pseudonyms).
COLUMNS = (
    "tx_id",
    "ts",
    "amount",
    "currency",
    "from_key",
    "to_key",
    "channel",
    "from_country",
    "to_country",
    "location",
    "merchant_category",
)
EMPTY_TX = (
    "SELECT NULL::VARCHAR AS tx_id, NULL::TIMESTAMP AS ts, NULL::DECIMAL(18,2) AS amount, "
    "NULL::VARCHAR AS currency, NULL::VARCHAR AS from_account, NULL::VARCHAR AS to_account, "
    "NULL::VARCHAR AS channel, NULL::VARCHAR AS from_country, NULL::VARCHAR AS to_country, "
    "NULL::VARCHAR AS location, NULL::VARCHAR AS merchant_category WHERE false"
)
#: The rules read accounts as ``from_account``/``to_account`` (their keys).
VIEW_COLUMNS = (
    "tx_id, ts, amount, currency, from_key AS from_account, to_key AS to_account, channel, "
    "from_country, to_country, location, merchant_category"
)
SWEEP_AFTER = 24 * 3600


def folder(organisation_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "finance" / str(organisation_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(tx_file: TransactionFile) -> Path:
    return folder(tx_file.organisation_id) / f"tx-{tx_file.pk}.parquet"


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(
    organisation_id: int, files: Iterable[TransactionFile], *, in_memory: bool = False
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose view ``tx`` covers ``files`` (all of one organisation).
    ``in_memory``: ``tx`` is a table read once from the files, for a run of every rule
    (each reads it several times; decoding Parquet once is cheaper, ADR 0806)."""
    conf: dict[str, Any] = {"threads": max(1, os.cpu_count() or 1), "memory_limit": "8GB"}
    conf.update(getattr(settings, "VIGIE_FINANCE_DUCKDB", {}))
    con = duckdb.connect()
    # Ten million transactions fit in a few GB; DuckDB spills past the limit instead of
    # taking 80 % of the machine (its default) from the web and the other jobs.
    con.execute(f"SET threads TO {int(conf['threads'])}")
    con.execute(f"SET memory_limit = {quote(str(conf['memory_limit']))}")
    con.execute("SET enable_progress_bar = false")
    paths = []
    for f in files:
        if f.organisation_id != organisation_id:
            raise ValueError("files of another organisation")
        path = path_of(f)
        if path.exists():
            paths.append(quote(str(path)))
    if paths:
        kind = "TABLE" if in_memory else "VIEW"
        con.execute(
            f"CREATE {kind} tx AS SELECT {VIEW_COLUMNS} FROM read_parquet([{', '.join(paths)}])"
        )
    else:
        con.execute(f"CREATE VIEW tx AS {EMPTY_TX}")
    return con


def sweep(organisation_id: int, known: set[str], now: float | None = None) -> int:
    """Delete files no committed import lists that are older than a day (a crashed import's)."""
    now = time.time() if now is None else now
    removed = 0
    for path in folder(organisation_id).glob("*.parquet*"):
        if path.name in known:
            continue
        if now - path.stat().st_mtime > SWEEP_AFTER:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
