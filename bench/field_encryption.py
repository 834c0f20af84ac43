"""Field encryption throughput: Vigie's encrypt/decrypt (key ring, key id, field-bound AAD,
base64) against bare AES-256-GCM from `cryptography` on the same values, in the same run.

Prints one JSON line. `python bench/field_encryption.py [--n 50000]`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))

import django

django.setup()

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from vigie.core import crypto  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    n = parser.parse_args().n
    values = [f"Synthetic Person {i:07d}" for i in range(n)]
    context = "cases.victim.family_name"

    t0 = time.perf_counter()
    stored = [crypto.encrypt(v, context) for v in values]
    back = [crypto.decrypt(s, context) for s in stored]
    vigie_s = time.perf_counter() - t0
    assert back == values

    _active, keys = crypto.keyring()
    aead = AESGCM(next(iter(keys.values())))
    t0 = time.perf_counter()
    sealed = []
    for v in values:
        nonce = os.urandom(12)
        sealed.append((nonce, aead.encrypt(nonce, v.encode(), context.encode())))
    plain = [aead.decrypt(nonce, ct, context.encode()).decode() for nonce, ct in sealed]
    bare_s = time.perf_counter() - t0
    assert plain == values

    t0 = time.perf_counter()
    indexes = {crypto.blind_index(v, context) for v in values}
    index_s = time.perf_counter() - t0
    assert len(indexes) == n

    print(
        json.dumps(
            {
                "bench": "field_encryption",
                "values": n,
                "vigie_roundtrip_us": round(1e6 * vigie_s / n, 2),
                "bare_aesgcm_roundtrip_us": round(1e6 * bare_s / n, 2),
                "ratio_to_baseline": round(vigie_s / bare_s, 2),
                "blind_index_us": round(1e6 * index_s / n, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
