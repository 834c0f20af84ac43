"""Cost of anchored tamper evidence (ADR 0030), each figure beside its baseline measured in
the same run, without a database:

- the keyed access-log chain (HMAC-SHA256 per entry) against the unkeyed SHA-256 chain it
  replaced, over --entries synthetic entries;
- a custody checkpoint for a log of --leaves leaves: building the tree from the stored leaf
  hashes (what `verify` already does: the baseline), then the RFC 9162 consistency proof
  from half the log and its check, the Ed25519 signature and the append to a witness file.

Prints one JSON line. `python bench/witness.py [--entries 100000] [--leaves 1000000]`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vigie.evidence import merkle


def _payloads(n: int) -> list[str]:
    return [
        json.dumps(
            {"seq": i, "actor": "u-field_officer", "action": "view", "object_type": "victim",
             "object_id": str(i), "fields": ["name"], "organisation": "own-org"},
            sort_keys=True,
            separators=(",", ":"),
        )
        for i in range(1, n + 1)
    ]  # fmt: skip


def chains(n: int) -> dict[str, float]:
    payloads, key = _payloads(n), os.urandom(32)
    start, prev = time.perf_counter(), "0" * 64
    for p in payloads:
        prev = hashlib.sha256(f"{prev}\n{p}".encode()).hexdigest()
    sha = time.perf_counter() - start
    start, prev = time.perf_counter(), "0" * 64
    for p in payloads:
        prev = hmac.digest(key, f"{prev}\n{p}".encode(), "sha256").hex()
    mac = time.perf_counter() - start
    return {
        "sha256_chain_us_per_entry": round(sha / n * 1e6, 2),
        "hmac_chain_us_per_entry": round(mac / n * 1e6, 2),
        "hmac_over_sha256": round(mac / sha, 2),
    }


def checkpoint(leaves: int) -> dict[str, float]:
    hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(leaves)]
    start = time.perf_counter()
    tree = merkle.Tree(hashes)
    root = tree.root()
    build = time.perf_counter() - start
    first = leaves // 2
    start = time.perf_counter()
    proof = tree.consistency_proof(first, leaves)
    ok = merkle.verify_consistency(first, leaves, proof, tree.root(first), root)
    prove = time.perf_counter() - start
    assert ok
    key = Ed25519PrivateKey.generate()
    witness = Path(tempfile.mkdtemp(prefix="vigie-bench-witness-")) / "checkpoints.jsonl"
    start = time.perf_counter()
    body = {"head": root.hex(), "log": "custody", "size": leaves, "timestamp": 0}
    line = {**body, "signature": key.sign(json.dumps(body, sort_keys=True).encode()).hex(),
            "proof": [h.hex() for h in proof]}  # fmt: skip
    fd = os.open(witness, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a") as out:
        out.write(json.dumps(line) + "\n")
        out.flush()
        os.fsync(out.fileno())
    sign = time.perf_counter() - start
    return {
        "leaves": leaves,
        "tree_build_s_baseline": round(build, 3),
        "consistency_proof_and_check_ms": round(prove * 1000, 3),
        "proof_hashes": len(proof),
        "sign_and_append_ms": round(sign * 1000, 3),
        "checkpoint_over_baseline": round((build + prove + sign) / build, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    args = parser.parse_args()
    print(json.dumps({"bench": "witness", **chains(args.entries), **checkpoint(args.leaves)}))


if __name__ == "__main__":
    main()
