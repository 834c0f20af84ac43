"""The Splink model: blocking rules, comparisons, training by EM, prediction (ADR 1000).

Runs on an in-memory DuckDB database that lives for one job. Inputs are the rows of
vigie.linkage.features; outputs are pairs of unique ids with a match probability. The
comparisons are SQL over the feature columns, so the same settings run unchanged in
bench/linkage_speed.py against Splink called directly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException

from vigie.linkage import comparisons

log = logging.getLogger(__name__)
# Splink warns, several lines each time, of every level EM never saw among matches and again
# at every prediction ("m values not fully trained"). On a small register (a new deployment,
# the demo) that is expected, and the operator can act on none of it: Splink gives such a
# level its default m, and the saved model shows which ones (no m_probability). Dozens of
# lines at each `vigie demo` hid the URL and logins; only Splink's errors reach the console.
SPLINK_LOG_LEVEL = logging.ERROR

# Every pair scored at or above this is kept as a candidate, so that a user can move the
# threshold (and see what it does to precision and recall) without predicting again.
KEEP_FLOOR = 0.05

SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("org", pa.string()),
        ("sex", pa.string()),
        ("place_sk", pa.string()),
        ("phone", pa.string()),
        ("document", pa.string()),
        ("given_sk", pa.string()),
        ("family_sk", pa.string()),
        ("given_rom", pa.string()),
        ("family_rom", pa.string()),
        ("name_sk", pa.list_(pa.string())),
        ("middle_sk", pa.list_(pa.string())),
        ("dob", pa.string()),
        ("birth_year", pa.int32()),
        ("year_estimated", pa.bool_()),
    ]
)


def settings(rules: list[Any] | None = None) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons.all_comparisons(),
        blocking_rules_to_generate_predictions=BLOCKING if rules is None else rules,
        retain_intermediate_calculation_columns=True,  # mw_*: each comparison's weight
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


# Blocking (ADR 1002): each rule adds the pairs it alone finds, and none may grow with the
# square of the register. A rule on one common key (a given name and a birth year) gives
# blocks of thousands of records at a million records, so the looser keys are paired with a
# second one (a birth date, a place, a family name's first consonant). Measured on the
# synthetic register of 100,000 records (ADR 1002): about 6.6 pairs a record, 92% of the
# true pairs reachable.
BLOCKING: list[Any] = [
    block_on("given_sk", "family_sk"),
    block_on("family_sk", "birth_year"),
    block_on("phone"),
    block_on("document"),
    block_on("given_sk", "dob"),
    block_on("given_sk", "birth_year", "place_sk"),
    block_on("dob"),
    "l.given_sk = r.family_sk AND l.family_sk = r.given_sk",
    # a typo in the family name (rarely its first letter) or another script's spelling
    "l.given_sk = r.given_sk AND l.birth_year = r.birth_year"
    " AND left(l.family_sk, 1) = left(r.family_sk, 1)",
]

# Looser rules that find a few more true pairs (a family name misspelt and no full birth
# date), used only where this register's blocks keep each of them under PAIR_BUDGET pairs a
# record: in a small register they cost nothing, in a million records with common names
# they would add tens of millions of pairs (ADR 1002).
LOOSE = (
    ("given_sk", "birth_year"),
    ("family_sk", "place_sk"),
    # names in each other's boxes with the other misspelt, a given name misspelt, a family
    # name misspelt past its first letters (ADR 1004: 95% to 97.5% of the true pairs of the
    # development split reached)
    ("least(given_sk, family_sk)", "birth_year"),
    ("greatest(given_sk, family_sk)", "birth_year"),
    ("given_sk", "place_sk"),
    ("family_sk", "substr(given_sk, 1, 1)"),
    ("given_sk", "substr(family_sk, 1, 2)", "sex"),
)
PAIR_BUDGET = 10


def blocking_for(data: pa.Table) -> list[Any]:
    """The blocking rules for ``data``: BLOCKING and the LOOSE rules within the budget."""
    con = connect()
    con.register("records", data)
    rules = list(BLOCKING)
    for columns in LOOSE:
        present = " AND ".join(f"{c} IS NOT NULL" for c in columns)
        keys = ", ".join(columns)
        pairs = con.sql(
            f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n"  # noqa: S608
            f" FROM records WHERE {present} GROUP BY {keys})"
        ).fetchall()[0][0]
        if pairs <= PAIR_BUDGET * data.num_rows:
            rules.append(block_on(*columns))
    con.close()
    return rules


# EM in two passes, each blocked on columns whose comparisons the other pass learns; a pass
# falls back on its next rule when the register gives its first too little to learn from
EM_PASSES = (
    (block_on("given_sk", "family_sk"), block_on("given_sk", "family_rom")),
    (block_on("birth_year", "place_sk"), block_on("dob"), block_on("birth_year", "sex")),
)

# EM learns m on about this many blocked pairs at most per pass (ADR 1040): Splink keeps
# each record on each side by a hash of its id, so that the pairs of a larger register are
# a deterministic sample of its blocked pairs. Until round four, `record_sample_proportion`
# was passed alone, which Splink 5 reads only as the size of the probe that counts the
# pairs when `max_pairs` is set: EM ran on every blocked pair (890 s of 1,256 at 1M).
EM_MAX_PAIRS = 2_000_000


def em_probe(n: int) -> float:
    """The share of records on each side with which Splink counts a rule's pairs before
    sampling them: every record up to 100,000 (an exact count, and no sampling where the
    pairs fit), a tenth of a million (about 1% of its pairs: a close enough count)."""
    return min(1.0, 100_000 / max(n, 1))


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database for one job, bounded in threads and memory (ADR 1002):
    the machine's cores are shared with the web server and the other jobs."""
    return duckdb.connect(config={"threads": THREADS, "memory_limit": MEMORY_LIMIT,
                                  "preserve_insertion_order": False})  # fmt: skip


THREADS = 2
MEMORY_LIMIT = "8GB"


def table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SCHEMA)


def table_of(columns: dict[str, list[Any]]) -> pa.Table:
    """The table of vigie.linkage.features.columns (faster than row by row)."""
    return pa.Table.from_pydict(columns, schema=SCHEMA)


@dataclass
class Model:
    """A trained model: its Splink settings with m and u, as Splink saves them."""

    params: dict[str, Any]
    records: int = 0
    trained_on: list[str] = field(default_factory=list)


def _linker(
    con: duckdb.DuckDBPyConnection, data: pa.Table | Sequence[pa.Table], model: Any
) -> Linker:
    api = DuckDBAPI(connection=con)
    tables = [data] if isinstance(data, pa.Table) else list(data)
    frames = [api.register(t) for t in tables]
    return Linker(frames if len(frames) > 1 else frames[0], model, log_level=SPLINK_LOG_LEVEL)


def train(data: pa.Table, seed: int = 1) -> Model:
    """m and u estimated on the data itself: u from random pairs, the prior from exact
    agreement on name and date, m by expectation-maximisation in two passes blocked on
    different columns (each pass learns the comparisons its blocking does not fix)."""
    con = connect()
    linker = _linker(con, data, settings(blocking_for(data)))
    n = data.num_rows
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_sk", "family_sk", "dob"), block_on("document"), block_on("phone")],
        recall=0.6,
    )
    # a handful of records (a new deployment, perpetrators) can give a prior of 0 or 1:
    # at least one matching pair among all, at most one pair in two
    settings_obj = linker._settings_obj
    prior = settings_obj._probability_two_random_records_match
    settings_obj._probability_two_random_records_match = min(max(prior, 1 / max(n * n, 4)), 0.5)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(2e6, max(1e5, n * 20.0)), seed=seed
    )
    probe = em_probe(n)
    for rules in EM_PASSES:
        for rule in rules:  # the first that this register lets EM learn from
            before = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, max_pairs=EM_MAX_PAIRS, record_sample_proportion=probe
                )
                break
            except (ValueError, SplinkException) as exc:  # too few pairs, or a level
                # never seen among matches (its m underflows to 0)
                log.warning("linkage: one EM session skipped (%s)", type(exc).__name__)
                # a failed session leaves out of the settings the comparisons it had set
                # aside (those of its blocking columns): start again from the model before
                linker = _linker(con, data, before)
    params = linker.misc.save_model_to_json()
    con.close()
    return Model(params=params, records=n)


Pair = tuple[str, str, float, dict[str, int]]
COMPARISONS = ("given", "family", "middle", "birth", "place", "phone", "document", "sex")


def _level_weights(params: dict[str, Any]) -> dict[str, list[float]]:
    """Per comparison, the match weight of each level that is not the null level, the
    strongest first (Splink numbers them from the top: gamma n-1 ... 0)."""
    out: dict[str, list[float]] = {}
    for comparison in params.get("comparisons", []):
        weights = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weights.append(math.log2(m / u) if m and u else 0.0)
        out[comparison["output_column_name"]] = weights
    return out


def _pairs(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[Pair]:
    """(unique id, unique id, probability, comparison -> level) of a prediction. Splink 5
    returns each comparison's partial match weight (``mw_*``); the level is the one whose
    weight it is (-1: the value was missing on a side, weight 0). Read column by column
    through Arrow, each distinct weight matched to its level once: a million pairs took
    9 CPU seconds row by row (ADR 1040)."""
    cols = [c[0] for c in con.sql(f"DESCRIBE {name}").fetchall()]
    # (mw_tf_adj_*: a name's term-frequency adjustment, not a comparison of its own)
    parts = [c for c in cols if c.startswith("mw_") and not c.startswith("mw_tf_adj_")]
    select = ", ".join(["unique_id_l", "unique_id_r", "match_probability", *parts])
    result = con.sql(f"SELECT {select} FROM {name}").to_arrow_table()  # noqa: S608
    weights = _level_weights(params)

    def gamma(comparison: str, mw: float | None) -> int:
        levels = weights.get(comparison, [])
        if mw is None or not levels or abs(mw) < 1e-9:
            return -1
        nearest = min(range(len(levels)), key=lambda i: abs(levels[i] - float(mw)))
        return len(levels) - 1 - nearest

    names = [c[3:] for c in parts]
    levels = []
    for column, comparison in zip(parts, names, strict=True):
        values = result.column(column)
        distinct = pc.unique(values)
        of_distinct = pa.array([gamma(comparison, v) for v in distinct.to_pylist()], pa.int64())
        where = pc.index_in(values, value_set=distinct)
        levels.append(pc.take(of_distinct, where).fill_null(-1).to_pylist())
    probabilities = [float(p) for p in result.column("match_probability").to_pylist()]
    return list(
        zip(
            result.column("unique_id_l").to_pylist(),
            result.column("unique_id_r").to_pylist(),
            probabilities,
            [dict(zip(names, row, strict=True)) for row in zip(*levels, strict=True)]
            if levels
            else [{} for _ in probabilities],
            strict=True,
        )
    )


def predict(data: pa.Table, model: Model, floor: float = KEEP_FLOOR) -> list[Pair]:
    """Every blocked pair scored at or above `floor`."""
    con = connect()
    linker = _linker(con, data, model.params)
    out = linker.inference.predict(threshold_match_probability=floor)
    pairs = _pairs(con, out.physical_name, model.params)
    con.close()
    return pairs


def predict_new(
    existing: pa.Table, new: pa.Table, model: Model, floor: float = KEEP_FLOOR
) -> list[Pair]:
    """Pairs between new records and existing ones, and among the new: never between two
    existing records (incremental linkage, without scoring the whole table again)."""
    con = connect()
    api = DuckDBAPI(connection=con)
    old_frame, new_frame = api.register(existing), api.register(new)
    linker = Linker(old_frame, model.params, log_level=SPLINK_LOG_LEVEL)
    for column in comparisons.TF_COLUMNS:  # the name frequencies of the existing records
        linker.table_management.compute_tf_table(column)
    between = linker.inference.predict_between(
        old_frame, new_frame, threshold_match_probability=floor
    )
    within = linker.inference.predict_within(new_frame, threshold_match_probability=floor)
    pairs = _pairs(con, between.physical_name, model.params)
    pairs += _pairs(con, within.physical_name, model.params)
    con.close()
    return pairs
