"""Record linkage speed: deduplicating N records, and linking 1,000 new records against
them incrementally, each beside Splink called directly with the same settings.

Prints one JSON line. Vigie's path = comparison columns from the records (the screening
name normalisation, romanisation, skeletons) + training (EM) + prediction (and for the
increment: prediction between the new and the existing records and among the new, with
the trained model, no training). The baseline runs Splink itself on the same prepared
columns with the same settings and training calls, so the ratio shows what Vigie adds
around Splink. Clustering into persons and writing to the database are not timed here
(see ``vigie link run``); turning the pairs into persons (clustering) is. The records come
from the realistic-frequency generator (ADR 1002); generating them is not timed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")

import django

django.setup()

import resource  # noqa: E402

import pyarrow as pa  # noqa: E402
from splink import DuckDBAPI, Linker, block_on  # noqa: E402

from vigie.devtools import linkage_eval  # noqa: E402
from vigie.linkage import clustering, comparisons, engine, features  # noqa: E402

NEW = 1000


def progress(stage: str, seconds: float) -> None:
    """A stage's time on stderr as it ends (a run at a million records is long), with the
    CPU seconds used so far (under load, wall time mostly measures the other processes)."""
    print(
        f"{stage}: {seconds:.1f} s, cpu so far {cpu():.1f} s, load {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
        flush=True,
    )


def cpu() -> float:
    """CPU seconds of this process and its children (the machine is shared: wall time
    alone says more about the other helpers' load than about this code)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def splink_directly(data: pa.Table, new_data: pa.Table, vigie_model: Any) -> dict[str, Any]:
    """The same settings and training calls as vigie.linkage.engine, written out: the same
    rules, the same bound on EM pairs. An error is the measurement (Splink 5 can stop in an
    EM pass where a level is never seen among matches, which Vigie recovers from)."""
    out: dict[str, Any] = {}
    t0, c0 = time.monotonic(), cpu()
    con = engine.connect()
    api = DuckDBAPI(connection=con)
    frame = api.register(data)
    rules = engine.blocking_for(data)  # the rules Vigie's model chose for these records
    linker = Linker(frame, engine.settings(rules), log_level=logging.WARNING)
    n = data.num_rows
    model = vigie_model
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("given_sk", "family_sk", "dob"), block_on("document"), block_on("phone")],
            recall=0.6,
        )
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(2e6, max(1e5, n * 20.0)), seed=1
        )
        for rules in engine.EM_PASSES:  # at this size the first rule of each pass learns
            linker.training.estimate_parameters_using_expectation_maximisation(
                rules[0], max_pairs=engine.EM_MAX_PAIRS, record_sample_proportion=engine.em_probe(n)
            )
        out["training_seconds"] = round(time.monotonic() - t0, 2)
        predicted = linker.inference.predict(threshold_match_probability=engine.KEEP_FLOOR)
        con.sql(f"SELECT count(*) FROM {predicted.physical_name}").fetchall()  # noqa: S608
        out["dedupe_seconds"] = round(time.monotonic() - t0, 2)
        out["dedupe_cpu_seconds"] = round(cpu() - c0, 2)
        model = linker.misc.save_model_to_json()
    except Exception as exc:  # the failure is what this run measures
        out["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out["failed_after_seconds"] = round(time.monotonic() - t0, 2)
        out["incremental_model"] = "vigie's (Splink's own training failed)"
    con.close()
    progress("splink directly: dedupe", time.monotonic() - t0)
    t0, c0 = time.monotonic(), cpu()
    con2 = engine.connect()
    api2 = DuckDBAPI(connection=con2)
    old_f, new_f = api2.register(data), api2.register(new_data)
    inc = Linker(old_f, model, log_level=logging.WARNING)
    for column in comparisons.TF_COLUMNS:  # as engine.predict_new does
        inc.table_management.compute_tf_table(column)
    a = inc.inference.predict_between(old_f, new_f, threshold_match_probability=0.05)
    b = inc.inference.predict_within(new_f, threshold_match_probability=0.05)
    for x in (a, b):
        con2.sql(f"SELECT count(*) FROM {x.physical_name}").fetchall()  # noqa: S608
    out["incremental_seconds"] = round(time.monotonic() - t0, 2)
    out["incremental_cpu_seconds"] = round(cpu() - c0, 2)
    con2.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    if args.records > 1_000_000:
        sys.exit("at most 1,000,000 records on this shared machine")
    load_before = os.getloadavg()
    people = int(args.records / 1.7) + 1  # the generator gives about 1.8 records a person
    recs = linkage_eval.generate(people=people, seed=7)
    base, extra = recs[: args.records], recs[args.records : args.records + NEW]
    if len(extra) < NEW:
        extra = linkage_eval.generate(people=NEW, seed=8)[:NEW]
        for i, r in enumerate(extra):
            r.record_key = f"NEW-{i:06d}"

    def prepared(records: list[linkage_eval.Record]) -> pa.Table:
        return engine.table_of(
            features.columns({**r.__dict__, "unique_id": r.record_key} for r in records)
        )

    t0, c0 = time.monotonic(), cpu()
    data = prepared(base)
    t_features, c_features = time.monotonic() - t0, cpu() - c0
    progress("vigie: features", t_features)
    model = engine.train(data)
    t_train, c_train = time.monotonic() - t0, cpu() - c0
    progress("vigie: features and training", t_train)
    pairs = engine.predict(data, model)
    t_predict, c_predict = time.monotonic() - t0, cpu() - c0
    progress("vigie: prediction", t_predict - t_train)
    groups = clustering.cluster(
        data.column("unique_id").to_pylist(), ((a, b, p) for a, b, p, _ in pairs if p >= 0.5)
    )
    t_dedupe, c_dedupe = time.monotonic() - t0, cpu() - c0
    progress("vigie: dedupe", t_dedupe)

    t0, c0 = time.monotonic(), cpu()
    new_data = prepared(extra)
    new_pairs = engine.predict_new(data, new_data, model)
    t_inc, c_inc = time.monotonic() - t0, cpu() - c0
    progress("vigie: incremental", t_inc)

    direct = splink_directly(data, new_data, model.params)
    engine_only = t_predict - t_features  # training and prediction: what Splink directly does
    out = {
        "bench": "linkage_speed",
        "command": " ".join(["python", *sys.argv]),
        "records": len(base),
        "new_records": len(extra),
        "cores": os.cpu_count(),
        "em_max_pairs": engine.EM_MAX_PAIRS,
        "vigie": {
            "dedupe_seconds": round(t_dedupe, 2),
            "dedupe_cpu_seconds": round(c_dedupe, 2),
            "of_which_features_seconds": round(t_features, 2),
            "of_which_training_seconds": round(t_train - t_features, 2),
            "of_which_prediction_seconds": round(t_predict - t_train, 2),
            "of_which_clustering_seconds": round(t_dedupe - t_predict, 2),
            "cpu_seconds_of_features_training_prediction_clustering": [
                round(c_features, 2),
                round(c_train - c_features, 2),
                round(c_predict - c_train, 2),
                round(c_dedupe - c_predict, 2),
            ],
            "persons": len(groups),
            "pairs": len(pairs),
            "incremental_seconds": round(t_inc, 2),
            "incremental_cpu_seconds": round(c_inc, 2),
            "incremental_pairs": len(new_pairs),
        },
        "splink_direct": direct,
        "ratio_dedupe": (
            round(t_dedupe / direct["dedupe_seconds"], 2) if "dedupe_seconds" in direct else None
        ),
        "ratio_training_and_prediction": (
            round(engine_only / direct["dedupe_seconds"], 2) if "dedupe_seconds" in direct else None
        ),
        "ratio_incremental": round(t_inc / direct["incremental_seconds"], 2),
        "duckdb": {"threads": engine.THREADS, "memory_limit": engine.MEMORY_LIMIT},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
