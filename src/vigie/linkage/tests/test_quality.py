"""Linkage quality on a synthetic register of another seed than the benchmark's: the
comparisons, the blocking and the encodings keep finding the same people across scripts,
swapped boxes and dates, typos and missing fields (ADR 1004)."""

from __future__ import annotations

import pytest

from vigie.devtools import linkage_eval
from vigie.linkage import encoding, engine, features

SECRET = b"agreed by the three organisations in 2026"


@pytest.mark.slow
def test_full_and_encoded_linkage_find_the_same_people() -> None:
    records = linkage_eval.generate(people=600, seed=314)
    truth = linkage_eval.true_pairs(records)
    dicts = [{**r.__dict__, "unique_id": r.record_key} for r in records]
    data = engine.table(features.row(d) for d in dicts)
    pairs = engine.predict(data, engine.train(data), floor=0.0)
    blocked = {tuple(sorted((a, b))) for a, b, _, _ in pairs}
    assert len(blocked & truth) / len(truth) >= 0.95  # blocking recall
    full = linkage_eval.scores({tuple(sorted((a, b))) for a, b, p, _ in pairs if p >= 0.5}, truth)
    assert full["f1"] >= 0.93, full

    uploads = {
        org: encoding.encode_all([d for d in dicts if d["org"] == org], SECRET, "record_key")
        for org in linkage_eval.ORGS
    }
    matched = encoding.match(uploads, threshold=0.7)
    encoded = linkage_eval.scores({tuple(sorted((a, b))) for _, a, _, b, _ in matched}, truth)
    assert encoded["f1"] >= full["f1"] - 0.05, (encoded, full)
