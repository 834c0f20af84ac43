"""What the matcher compares, derived from one record's identity in memory.

The columns are built inside the linkage job only, from decrypted values, and live in an
in-memory DuckDB table for the length of the job; they are never logged or written to a
file, and are stored only encrypted, as the snapshot incremental runs read (ADRs 1000, 1040).
Names go through the screening name normalisation (Arabic letter variants, honorifics,
"Abd al-" compounds), are romanised (Arabic and Cyrillic to Latin by ICU) and reduced to a
consonant skeleton per word, so that Mohammed, Muhammad, محمد and Мухаммед share a key: ICU
writes Arabic without short vowels, so only consonants can agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from vigie.screening.names import normalise, romanised

# Changed whenever a column is computed differently: a stored feature snapshot of another
# version is not used (its rows would not compare with new records' rows), ADR 1040.
VERSION = "2026-12-06.name-keys-1004"

# digraphs that romanisation systems write differently for one Arabic or Cyrillic letter
# (th: Arabic thaa, said and often written s: Othman / Osman / عثمان)
# (g alone: jeem as Egyptian and Sudanese spellings write it, Gamal / Jamal / Djamel; ghain,
# written gh, is kept apart as an upper-case G that no other letter folds to)
_FOLDS = (("dzh", "j"), ("kh", "h"), ("gh", "G"), ("g", "j"), ("sh", "s"), ("ch", "s"),
          ("dj", "j"), ("zh", "j"), ("ph", "f"), ("th", "s"), ("dh", "d"), ("q", "k"), ("ck", "k"),
          ("c", "k"), ("x", "ks"), ("z", "s"), ("'", ""), ("\u2019", ""), ("-", ""))  # fmt: skip
_VOWELS = re.compile("[aeiouyw]")  # w and y: Arabic writes long vowels with them
_REPEAT = re.compile(r"(.)\1+")
_NOT_DIGIT = re.compile(r"\D")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_JOINED = frozenset(
    {"abd", "bd", "abdul", "abdel", "abdal", "abdoul", "abu", "abou", "abw", "bou"}
)  # "bd", "abw": Arabic عبد and أبو as ICU romanises them
_STOP = frozenset({"al", "el", "ad", "ar", "as", "at", "an", "az", "ibn", "bin", "ben", "ould"})
# Arabic letters Latin spellings leave out: ain (Yaqub, Saida; the romaniser would cut the
# word in two there) and a final taa marbuta or haa (Fatima, Rulaka), which the romaniser
# writes "h" and would fold with the consonant before it (k + h read as kh)
_UNWRITTEN = re.compile("\u0639|[\u0629\u0647](?=\\s|$)")


@lru_cache(maxsize=200_000)
def words(text: str) -> tuple[str, ...]:
    """A name's words as the screening normalisation folds them, romanised, lower case."""
    if not text or not text.strip():
        return ()
    plain = romanised(_UNWRITTEN.sub("", normalise(text))).lower()
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if c.isalnum() or c == " ")
    out: list[str] = []
    for w in plain.split():
        if out and out[-1] in _JOINED:  # Abd al-Lah, Abu Bakr: one name in two words
            out[-1] += w
        elif w not in _STOP:
            # the article written joined (Almasri, الطيب romanised "altyb")
            out.append(w[2:] if len(w) >= 5 and w[:2] in ("al", "el") else w)
    return tuple(out)


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonants of a romanised word, digraphs folded and doubled letters once."""
    # doubled letters once before the digraphs (Feghhach: gh doubled, not g + hh) and
    # after the vowels go (Abdoul-allah and Abdallah, Fushath and فشث)
    w = _REPEAT.sub(r"\1", word.lower())
    for a, b in _FOLDS:
        w = w.replace(a, b)
    bare = _VOWELS.sub("", _REPEAT.sub(r"\1", w))
    if len(bare) > 2 and bare.endswith("h"):  # a final taa marbuta or haa: Abdullah / Abdulla
        bare = bare[:-1]
    return _REPEAT.sub(r"\1", bare) or "v"  # vowels only (Aya, Ia): one key for all of them


def name_columns(given: str, family: str, other: str) -> dict[str, Any]:
    g, f, o = _skeletons(given), _skeletons(family), _skeletons(other)
    return {
        "given_sk": g[0][1] if g else None,
        "family_sk": f[-1][1] if f else None,
        "given_rom": g[0][0] if g else None,
        "family_rom": f[-1][0] if f else None,
        "name_sk": sorted({sk for _, sk in g + o + f}) or None,
        # the father's or a middle name, wherever it was written
        "middle_sk": sorted({sk for _, sk in g[1:] + o + f[:-1]}) or None,
    }


@lru_cache(maxsize=500_000)  # a register repeats its spellings: computed once for each
def _skeletons(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((w, skeleton(w)) for w in words(text))


_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})-(\d{1,2}))?\s*$")


def birth_columns(dob: Any, age: int | None, recorded_year: int | None) -> dict[str, Any]:
    """A full date, a year alone, or a year estimated from an age when it was recorded."""
    full, year, estimated = _birth(dob, age, recorded_year)
    return {"dob": full, "birth_year": year, "year_estimated": estimated}


@lru_cache(maxsize=200_000)
def _birth(
    dob: Any, age: int | None, recorded_year: int | None
) -> tuple[str | None, int | None, bool]:
    full: str | None = None
    year: int | None = None
    estimated = False
    if isinstance(dob, date):
        full, year = dob.isoformat(), dob.year
    elif isinstance(dob, str) and (m := _DATE.match(dob)):
        year = int(m.group(1))
        if m.group(2):
            full = f"{year:04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    if year is None and age is not None and recorded_year:
        year, estimated = recorded_year - age, True
    return full, year, estimated


def phone_key(phone: str | None) -> str | None:
    digits = _NOT_DIGIT.sub("", phone or "")
    return digits[-8:] if len(digits) >= 6 else None


def document_key(document: str | None) -> str | None:
    key = _NOT_ALNUM.sub("", (document or "").upper())
    return key or None


@lru_cache(maxsize=100_000)
def place_key(place: str | None) -> str | None:
    w = words(place or "")
    return "".join(skeleton(x) for x in w) or None


def row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The comparison columns of one record (a mapping with the evaluation set's keys)."""
    out: dict[str, Any] = {
        "unique_id": record["unique_id"],
        "org": record.get("org") or "",
        "sex": record.get("sex") or None,
        "place_sk": place_key(record.get("place")),
        "phone": phone_key(record.get("phone")),
        "document": document_key(record.get("document")),
    }
    out.update(
        name_columns(
            record.get("given_name") or "",
            record.get("family_name") or "",
            record.get("other_names") or "",
        )
    )
    out.update(
        birth_columns(record.get("date_of_birth"), record.get("age"), record.get("recorded_year"))
    )
    return out


COLUMNS = (
    "unique_id", "org", "sex", "place_sk", "phone", "document", "given_sk", "family_sk",
    "given_rom", "family_rom", "name_sk", "middle_sk", "dob", "birth_year", "year_estimated",
)  # fmt: skip


def columns(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The comparison columns of many records, column by column (what :func:`row` gives for
    each): no dictionary per record, each distinct spelling, place and date worked out once
    (ADR 1002: a million records)."""
    out: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    uid, org, sex, place, phone, document = (
        out[c] for c in ("unique_id", "org", "sex", "place_sk", "phone", "document")
    )
    g_sk, f_sk, g_rom, f_rom, every, middle = (
        out[c] for c in ("given_sk", "family_sk", "given_rom", "family_rom", "name_sk", "middle_sk")
    )
    dob, year, estimated = out["dob"], out["birth_year"], out["year_estimated"]
    for record in records:
        uid.append(record["unique_id"])
        org.append(record.get("org") or "")
        sex.append(record.get("sex") or None)
        place.append(place_key(record.get("place")))
        phone.append(phone_key(record.get("phone")))
        document.append(document_key(record.get("document")))
        g = _skeletons(record.get("given_name") or "")
        f = _skeletons(record.get("family_name") or "")
        o = _skeletons(record.get("other_names") or "")
        g_sk.append(g[0][1] if g else None)
        f_sk.append(f[-1][1] if f else None)
        g_rom.append(g[0][0] if g else None)
        f_rom.append(f[-1][0] if f else None)
        every.append(sorted({sk for _, sk in g + o + f}) or None)
        middle.append(sorted({sk for _, sk in g[1:] + o + f[:-1]}) or None)
        b = _birth(record.get("date_of_birth"), record.get("age"), record.get("recorded_year"))
        dob.append(b[0])
        year.append(b[1])
        estimated.append(b[2])
    return out
