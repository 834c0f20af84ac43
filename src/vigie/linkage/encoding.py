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

SCHEMA_ID = "vigie-clk-3"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    length: int  # bits of the field's own segment of the filter
    cuts: tuple[float, ...]  # Dice coefficients that cut the field's agreement into levels
    q: int = 2
    per_token: bool = False  # k hash functions per token, not a budget for the field
    key: str = ""  # the fields sharing a key can be compared with each other (names)

    @property
    def bits(self) -> int:
        """The field's budget of hash functions over all its tokens (a segment about a
        third full: unrelated values then share few bits); per token for fields of a few
        exact tokens, so that a year alone still agrees with the full date."""
        return int(self.length * 0.4) if not self.per_token else int(self.length * 0.12)


_NAME_CUTS = (0.45, 0.6, 0.75, 0.9)
# Each field writes into its own segment, so the linkage unit can tell a field that
# disagrees from one that is missing (a field-level layout, ADR 1001). The three name
# fields share one key and one length, so the unit can also compare a given name with the
# other record's family or middle name (boxes swapped, a middle name joined: ADR 1004).
# Birth cuts: a year alone against the full date shares 2 tokens of 4 (Dice 0.67), a swapped
# day and month 3 of 4 (0.75), the same year with another day 2 of 4 on both sides (0.5).
SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec("given", 192, _NAME_CUTS, key="name"),
    FieldSpec("family", 192, _NAME_CUTS, key="name"),
    FieldSpec("middle", 192, _NAME_CUTS, key="name"),
    FieldSpec("birth", 128, (0.4, 0.6, 0.72, 0.9), q=0, per_token=True),
    FieldSpec("place", 96, _NAME_CUTS),
    FieldSpec("phone", 96, (0.3, 0.5, 0.7, 0.9), q=0, per_token=True),
    FieldSpec("document", 96, (0.3, 0.5, 0.7, 0.9), q=0, per_token=True),
    FieldSpec("sex", 32, (0.3, 0.5, 0.7, 0.9), q=0, per_token=True),
)
LENGTH = sum(f.length for f in SCHEMA)  # 1024 bits
_OFFSETS = [sum(f.length for f in SCHEMA[:i]) for i in range(len(SCHEMA))]
N_LEVELS = 5  # per field: 0 .. 4, the strongest; -1 missing
GIVEN, FAMILY, MIDDLE, BIRTH, PLACE, PHONE, DOCUMENT, SEX, CROSSED = range(9)


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
        # the year twice (it weighs as much as the rest of the date); a year estimated
        # from an age also as the year before, the age being often a year short
        tokens["birth"] += [f"y:{year}", f"y2:{year}"]
        if row["year_estimated"]:
            tokens["birth"] += [f"y:{year - 1}", f"y2:{year - 1}"]
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
    """One record's CLK: LENGTH bits as bytes, one segment per field."""
    bits = np.zeros(LENGTH, dtype=bool)
    tokens = field_tokens(record)
    for spec, offset in zip(SCHEMA, _OFFSETS, strict=True):
        toks = tokens.get(spec.name) or []
        if not toks:
            continue
        k1, k2 = _keys(secret, spec.key or spec.name)
        k = spec.bits if spec.per_token else max(1, spec.bits // len(toks))
        for t in toks:
            data = t.encode()
            h1 = int.from_bytes(hmac.new(k1, data, hashlib.sha256).digest()[:8], "big")
            h2 = int.from_bytes(hmac.new(k2, data, hashlib.sha256).digest()[:8], "big")
            for i in range(k):
                bits[offset + (h1 + i * h2) % spec.length] = True
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


def _dice(
    fields: list[tuple[np.ndarray, np.ndarray]], f: int, g: int, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dice coefficients of field f of rows start..stop against field g of every record,
    and where both are present."""
    seg_f, counts_f = fields[f]
    seg_g, counts_g = fields[g]
    inter = seg_f[start:stop] @ seg_g.T
    a, b = counts_f[start:stop, None], counts_g[None, :]
    present = (a > 0) & (b > 0)
    return np.divide(2 * inter, a + b, out=np.zeros_like(inter), where=present), present


def _level(dice_f: np.ndarray, cuts: tuple[float, ...]) -> np.ndarray:
    return np.searchsorted(np.array(cuts, dtype=np.float32), dice_f, side="right")


def _levels(fields: list[tuple[np.ndarray, np.ndarray]], start: int, stop: int) -> np.ndarray:
    """Per field, the agreement level of rows start..stop against every record: -1 when
    the field is missing on either side, else 0..4 by the Dice coefficient. The given and
    family names take the better of the direct and the swapped agreement; a last column
    ("crossed") is the best agreement of a name with another box of the other record (a
    middle name joined to the given name, a name written in the other box)."""
    out = []
    for f, spec in enumerate(SCHEMA):
        dice_f, present = _dice(fields, f, f, start, stop)
        out.append(np.where(present, _level(dice_f, spec.cuts), -1))
    crossed = np.full_like(out[GIVEN], -1)
    cross: dict[tuple[int, int], np.ndarray] = {}
    for f, g in ((GIVEN, FAMILY), (FAMILY, GIVEN), (GIVEN, MIDDLE), (MIDDLE, GIVEN),
                 (FAMILY, MIDDLE), (MIDDLE, FAMILY)):  # fmt: skip
        dice_fg, present = _dice(fields, f, g, start, stop)
        cross[f, g] = np.where(present, _level(dice_fg, _NAME_CUTS), -1)
        crossed = np.maximum(crossed, cross[f, g])
    swapped = np.minimum(cross[GIVEN, FAMILY], cross[FAMILY, GIVEN])
    out[GIVEN] = np.maximum(out[GIVEN], swapped)
    out[FAMILY] = np.maximum(out[FAMILY], swapped)
    out.append(crossed)
    return np.stack(out, axis=-1).astype(np.int8)  # rows x records x fields


def _candidate(levels: np.ndarray) -> np.ndarray:
    """Pairs worth scoring (the unit's blocking): names close, or a phone, a document or
    a birth date and one name part agreeing."""
    given, family, birth, place, phone, document, crossed = (
        levels[..., i] for i in (GIVEN, FAMILY, BIRTH, PLACE, PHONE, DOCUMENT, CROSSED)
    )
    names = (given >= 2) & (family >= 2)
    one_name = (given >= 3) | (family >= 3) | (crossed >= 3)
    return (
        names
        | (phone == 4)
        | (document == 4)
        | ((birth >= 2) & ((given >= 2) | (family >= 2) | (crossed >= 3)))
        | (one_name & (place >= 3))
    )


def _share(patterns: np.ndarray) -> float:
    """The share of matches among the candidate pairs, from the pairs that agree
    exactly on a document, a phone, or both names and the birth date (taken to find 60 %
    of the matches, as Splink's deterministic estimate does)."""
    sure = (patterns[:, DOCUMENT] == 4) | (patterns[:, PHONE] == 4)
    sure |= (patterns[:, GIVEN] == 4) & (patterns[:, FAMILY] == 4) & (patterns[:, BIRTH] == 4)
    return float(np.clip(sure.mean() / 0.6, 1e-4, 0.9))


def _em(patterns: np.ndarray, u: np.ndarray, rounds: int = 15) -> np.ndarray:
    """m probabilities per field and level by expectation-maximisation with u fixed, in
    two sessions as Splink trains: on the pairs whose names agree, m of the other fields;
    on the pairs whose birth date agrees, m of the names (a session cannot learn the
    fields its selection fixed). No label and no secret: only the encodings' levels."""
    n_fields, n_levels = u.shape
    m = np.tile(np.linspace(0.05, 0.7, n_levels), (n_fields, 1))
    m /= m.sum(axis=1, keepdims=True)
    names = (patterns[:, GIVEN] >= 3) & (patterns[:, FAMILY] >= 3)
    others = [MIDDLE, BIRTH, PLACE, PHONE, DOCUMENT, SEX]
    sessions = [
        (names, [*others, CROSSED]),
        (patterns[:, BIRTH] == 4, [GIVEN, FAMILY, MIDDLE, PLACE, PHONE, DOCUMENT, SEX, CROSSED]),
    ]
    for selected, trained in sessions:
        sub = patterns[selected]
        if not len(sub):
            continue
        prior = np.log(_share(sub) / (1 - _share(sub)))
        for _ in range(rounds):
            p = 1 / (1 + np.exp(-(_log_ratio(sub, m, u, trained) + prior)))
            for f in trained:
                col = sub[:, f]
                m[f] = [p[col == k].sum() + 1e-3 for k in range(n_levels)]
                m[f] /= m[f].sum()
    return m


def _log_ratio(
    patterns: np.ndarray, m: np.ndarray, u: np.ndarray, fields: list[int] | None = None
) -> np.ndarray:
    out = np.zeros(len(patterns), dtype=np.float64)
    for f in range(patterns.shape[1]) if fields is None else fields:
        col = patterns[:, f]
        present = col >= 0
        ratio = np.log(m[f] / u[f])
        out[present] += ratio[col[present]]
    return out


def _frequency(
    fields: list[tuple[np.ndarray, np.ndarray]],
    patterns: np.ndarray,
    u: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
) -> np.ndarray:
    """Term-frequency adjustment of the names' strongest level, as Splink's: a pair whose
    given (or family) name filters agree fully is worth more when few records carry that
    filter. The unit counts identical filters among the uploads (it sees them anyway); the
    adjustment is log(u of the level / share of records with the commoner of the two)."""
    out = np.zeros(len(patterns), dtype=np.float64)
    top = N_LEVELS - 1
    for f in (GIVEN, FAMILY):
        seg = np.packbits(fields[f][0].astype(bool), axis=1)
        _, inverse, counts = np.unique(seg, axis=0, return_inverse=True, return_counts=True)
        share = counts[inverse.reshape(-1)] / len(seg)
        tf = np.maximum(share[left], share[right])
        exact = patterns[:, f] == top
        out[exact] += np.log(u[f, top] / np.maximum(tf[exact], 1e-6))
    return out


def match(
    uploads: Mapping[str, Mapping[str, str]], threshold: float = 0.5, chunk: int = 256
) -> list[tuple[str, str, str, str, float]]:
    """Pairs of records (upload, key, upload, key, probability) at or above ``threshold``,
    within and across uploads. Only encodings are read: the unit never holds a secret.

    Each field's segment gives an agreement level (its Dice coefficient, or missing); u
    (how often levels occur by chance) is counted over every pair, m and the share of
    matches are trained by EM on the candidate pairs, and a pair's probability follows
    from its levels as in the plaintext model (ADR 1001)."""
    labels: list[tuple[str, str]] = []
    blocks = []
    for name, clks in uploads.items():
        keys, mat = _matrix(clks)
        labels += [(name, k) for k in keys]
        blocks.append(mat)
    if len(labels) < 2:
        return []
    bits = np.unpackbits(np.concatenate(blocks), axis=1).astype(np.float32)
    fields = []
    for spec, offset in zip(SCHEMA, _OFFSETS, strict=True):
        seg = bits[:, offset : offset + spec.length]
        fields.append((seg, seg.sum(axis=1)))
    n, n_levels, n_fields = len(labels), N_LEVELS, len(SCHEMA) + 1
    u = np.full((n_fields, n_levels), 1.0)
    pairs_i, pairs_j, patterns = [], [], []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        levels = _levels(fields, start, stop)
        upper = np.arange(n)[None, :] > np.arange(start, stop)[:, None]
        for f in range(n_fields):
            col = levels[..., f][upper]
            u[f] += np.bincount(col[col >= 0], minlength=n_levels)[:n_levels]
        keep = _candidate(levels) & upper
        rows, cols = np.nonzero(keep)
        pairs_i.append(rows + start)
        pairs_j.append(cols)
        patterns.append(levels[rows, cols])
    u /= u.sum(axis=1, keepdims=True)
    pattern = np.concatenate(patterns) if patterns else np.zeros((0, n_fields), np.int8)
    if not len(pattern):
        return []
    m = _em(pattern, u)
    # the prior over all pairs (the candidates were chosen by agreeing fields, whose
    # weights count again in the sum): sure matches among candidates over every pair
    share = _share(pattern) * len(pattern) / (n * (n - 1) / 2)
    left, right = np.concatenate(pairs_i), np.concatenate(pairs_j)
    weight = _log_ratio(pattern, m, u) + _frequency(fields, pattern, u, left, right)
    prob = 1 / (1 + np.exp(-(weight + np.log(share / (1 - share)))))
    out = []
    for i, j, p in zip(left, right, prob, strict=True):
        if p >= threshold:
            a, b = labels[int(i)], labels[int(j)]
            out.append((a[0], a[1], b[0], b[1], float(p)))
    return out
