"""Linkage without names: Bloom-filter encodings (CLKs) and Dice-coefficient matching.

clkhash 0.18.3 pins cryptography < 41 and cannot be installed beside Vigie's cryptography
50, so this module follows the published clkhash linkage-schema v3 semantics itself (ADR
1001): each field is cut into q-grams (bigrams of the padded value by default), each
q-gram sets k bits of one 1024-bit filter by HMAC-keyed double hashing
(bit_i = (HMAC-SHA256(k1, t) + i * HMAC-SHA256(k2, t)) mod 1024), and each field has a bit
budget spread over its tokens ("bitsPerFeature"), so a long name does not drown the date.
The per-field keys come from the secret the organisations agreed by HKDF, so filters of
different fields are unrelated and the linkage unit, without the secret, cannot test a
guessed name. Values are normalised first as the plaintext matcher normalises them
(romanised, consonant skeletons), so an Arabic and a Latin spelling share q-grams.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vigie.linkage import features

SCHEMA_ID = "vigie-clk-1"
LENGTH = 1024  # bits


@dataclass(frozen=True)
class FieldSpec:
    name: str
    bits: int  # the field's budget of hash functions over all its tokens
    q: int = 2


# Bit budgets: the fields that tell people apart best get most (names, date, document).
SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec("given", 180),
    FieldSpec("family", 180),
    FieldSpec("middle", 60),
    FieldSpec("birth", 160, q=0),
    FieldSpec("place", 40),
    FieldSpec("phone", 100, q=0),
    FieldSpec("document", 100, q=0),
    FieldSpec("sex", 10, q=0),
)


def qgrams(value: str, q: int) -> list[str]:
    """Padded q-grams of ``value`` (q=0: the value as one token)."""
    if not value:
        return []
    if q == 0:
        return [value]
    padded = "_" * (q - 1) + value + "_" * (q - 1)
    return [padded[i : i + q] for i in range(len(padded) - q + 1)]


def field_tokens(record: Mapping[str, Any]) -> dict[str, list[str]]:
    """The tokens of each field, from the same normalisation as the plaintext matcher."""
    row = features.row({**record, "unique_id": ""})
    given = row["given_sk"] or ""
    family = row["family_sk"] or ""
    tokens: dict[str, list[str]] = {
        "given": qgrams(given, 2) + ([f"r:{row['given_rom']}"] if row["given_rom"] else []),
        "family": qgrams(family, 2) + ([f"r:{row['family_rom']}"] if row["family_rom"] else []),
        "middle": [t for m in row["middle_sk"] or [] for t in qgrams(m, 2)],
        "birth": [],
        "place": qgrams(row["place_sk"] or "", 2),
        "phone": [row["phone"]] if row["phone"] else [],
        "document": [row["document"]] if row["document"] else [],
        "sex": [row["sex"]] if row["sex"] else [],
    }
    year, dob = row["birth_year"], row["dob"]
    if year is not None:
        tokens["birth"].append(f"y:{year}" if not row["year_estimated"] else f"y~:{year}")
    if dob:
        month, day = dob[5:7], dob[8:10]
        # day and month as an unordered pair: a swapped date still shares this token
        tokens["birth"] += [f"md:{min(month, day)}{max(month, day)}", f"d:{dob}"]
    return tokens


def _keys(secret: bytes, field: str) -> tuple[bytes, bytes]:
    okm = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=SCHEMA_ID.encode(), info=field.encode()
    ).derive(secret)
    return okm[:32], okm[32:]


def encode(record: Mapping[str, Any], secret: bytes) -> bytes:
    """One record's CLK: LENGTH bits as bytes."""
    bits = np.zeros(LENGTH, dtype=bool)
    tokens = field_tokens(record)
    for spec in SCHEMA:
        toks = tokens.get(spec.name) or []
        if not toks:
            continue
        k1, k2 = _keys(secret, spec.name)
        k = max(1, spec.bits // len(toks))
        for t in toks:
            data = t.encode()
            h1 = int.from_bytes(hmac.new(k1, data, hashlib.sha256).digest()[:8], "big")
            h2 = int.from_bytes(hmac.new(k2, data, hashlib.sha256).digest()[:8], "big")
            for i in range(k):
                bits[(h1 + i * h2) % LENGTH] = True
    return np.packbits(bits).tobytes()


def encode_all(records: Iterable[Mapping[str, Any]], secret: bytes, key: str) -> dict[str, str]:
    """Record key -> base64 CLK: the whole of what leaves the organisation."""
    return {str(r[key]): base64.b64encode(encode(r, secret)).decode() for r in records}


def _matrix(clks: Mapping[str, str]) -> tuple[list[str], np.ndarray]:
    keys = list(clks)
    arr = np.frombuffer(b"".join(base64.b64decode(clks[k]) for k in keys), dtype=np.uint8)
    return keys, arr.reshape(len(keys), LENGTH // 8)


def dice(a: bytes, b: bytes) -> float:
    x = np.frombuffer(a, dtype=np.uint8)
    y = np.frombuffer(b, dtype=np.uint8)
    total = int(np.bitwise_count(x).sum() + np.bitwise_count(y).sum())
    return 2 * int(np.bitwise_count(x & y).sum()) / total if total else 0.0


def match(
    uploads: Mapping[str, Mapping[str, str]], threshold: float = 0.8, chunk: int = 512
) -> list[tuple[str, str, str, str, float]]:
    """Pairs of records (upload, key, upload, key, Dice) at or above ``threshold``, within
    and across uploads. Only encodings are read: the unit never holds a secret."""
    labels: list[tuple[str, str]] = []
    blocks = []
    for name, clks in uploads.items():
        keys, m = _matrix(clks)
        labels += [(name, k) for k in keys]
        blocks.append(m)
    if not labels:
        return []
    allm = np.concatenate(blocks)
    unpacked = np.unpackbits(allm, axis=1).astype(np.float32)
    counts = unpacked.sum(axis=1)
    out = []
    for start in range(0, len(labels), chunk):
        part = unpacked[start : start + chunk]
        inter = part @ unpacked.T
        denom = counts[start : start + chunk, None] + counts[None, :]
        score = np.divide(2 * inter, denom, out=np.zeros_like(inter), where=denom > 0)
        rows, cols = np.nonzero(score >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if c > i:
                a, b = labels[i], labels[c]
                out.append((a[0], a[1], b[0], b[1], float(score[r, c])))
    return out
