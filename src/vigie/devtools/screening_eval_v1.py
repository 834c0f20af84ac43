"""Build the screening evaluation set from the public lists in ../shared/data.

    python -m vigie.devtools.screening_eval_v1 [--shared PATH] [--out PATH]

Writes ``screening/data/eval/screening_eval_v1.jsonl``: one query a line with ``query``, ``schema``,
``expected`` (``watchlist:reference`` of the entries it must find; empty for a name that must
not match) and ``category``:

- ``alias``: a multi-word alias (UN good and low quality, OFAC a.k.a.) searched for its entry;
- ``original_script``: the UN NAME_ORIGINAL_SCRIPT (Arabic, Cyrillic, Chinese, ...);
- ``romanisation``: the primary name rewritten with another common romanisation
  (Mohammed/Muhammad/Mohamed, al-/el-, bin/ibn, Abu/Abou, 'Abd al-/Abdul, ...);
- ``word_order``: the primary name with its words reversed;
- ``diacritics``: the primary name lower-cased, hyphens dropped, accents removed;
- ``negative``: a first word of one listed person with a last word of another, kept only if no
  listed name holds both words (by sound, metaphone), and synthetic supplier names.

Deterministic (seed 2331). Only names already published on the lists are used.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import jellyfish

from vigie.screening.parsers import ParsedList, parse

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
VERSION = 1
OUT = (
    Path(__file__).resolve().parents[1]
    / "screening"
    / "data"
    / "eval"
    / f"screening_eval_v{VERSION}.jsonl"
)
LISTS = ("un-sanctions/UN_consolidated_2025-04-19.xml", "ofac/sdn.csv")
VARIANTS = [
    (r"\bmohammed\b", "muhammad"),
    (r"\bmuhammad\b", "mohamed"),
    (r"\bmohamed\b", "mohammed"),
    (r"\bmohammad\b", "muhammad"),
    (r"\bahmed\b", "ahmad"),
    (r"\bahmad\b", "ahmed"),
    (r"\babdul ", "abd al-"),
    (r"\babd al-", "abdul "),
    (r"\babdel", "abdul"),
    (r"\bal-", "el-"),
    (r"\bel-", "al-"),
    (r"\bbin\b", "ibn"),
    (r"\bibn\b", "bin"),
    (r"\babu\b", "abou"),
    (r"\babou\b", "abu"),
    (r"\bhussein\b", "husayn"),
    (r"\bhassan\b", "hasan"),
    (r"\bomar\b", "umar"),
    (r"\bumar\b", "omar"),
    (r"\byusuf\b", "youssef"),
    (r"\busama\b", "osama"),
    (r"ou", "u"),
]
SUPPLIER_WORDS = [
    "Sahel",
    "Horizon",
    "Atlas",
    "Delta",
    "Nile",
    "Lakeside",
    "Savanna",
    "Meridian",
    "Baobab",
    "Harmattan",
    "Oasis",
    "Crescent",
    "Kivu",
    "Tana",
    "Volta",
    "Zambezi",
    "Kalahari",
    "Ruwenzori",
    "Aurora",
    "Cedar",
]
SUPPLIER_TRADES = [
    "Logistics",
    "Transport",
    "Medical",
    "Supplies",
    "Construction",
    "Catering",
    "Fuel",
    "Services",
    "Telecom",
    "Water",
    "Engineering",
]
SUPPLIER_FORMS = ("SARL", "Ltd", "LLC", "SA", "GmbH", "& Partners", "Trading Company", "PLC")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _romanise(name: str, rng: random.Random) -> str | None:
    low = name.lower()
    options = [(p, r) for p, r in VARIANTS if re.search(p, low)]
    if not options:
        return None
    rng.shuffle(options)
    out = low
    for pattern, repl in options[:2]:
        out = re.sub(pattern, repl, out, count=1)
    return out.title() if out != low else None


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", name) if w]


def _sound(word: str) -> str:
    return jellyfish.metaphone(_fold(word).lower()) or word.lower()


def build(shared: Path, seed: int = 2331) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lists: list[ParsedList] = [parse(shared / p) for p in LISTS]
    un, ofac = lists
    rows: list[dict[str, Any]] = []

    def add(query: str, schema: str, expected: list[str], category: str) -> None:
        query = " ".join(query.split())
        if query:
            rows.append(
                {"query": query, "schema": schema, "expected": expected, "category": category}
            )

    for entry in un.entries:
        key = f"{un.code}:{entry.reference}"
        primary = entry.names[0]["name"]
        for n in entry.names[1:]:
            if n["kind"] == "alias" and len(_words(n["name"])) >= 2:
                add(n["name"], entry.schema, [key], "alias")
            elif n["kind"] == "original_script":
                add(n["name"], entry.schema, [key], "original_script")
        variant = _romanise(primary, rng)
        if variant:
            add(variant, entry.schema, [key], "romanisation")
        if len(_words(primary)) >= 2 and entry.schema == "Person":
            add(" ".join(reversed(_words(primary))), entry.schema, [key], "word_order")
        folded = _fold(primary).lower().replace("-", " ")
        if folded != primary.lower():
            add(folded, entry.schema, [key], "diacritics")
    sample = rng.sample([e for e in ofac.entries if e.schema in ("Person", "Organization")], 600)
    for entry in sample:
        key = f"{ofac.code}:{entry.reference}"
        aliases = [
            n for n in entry.names[1:] if n["kind"] == "alias" and len(_words(n["name"])) >= 2
        ]
        if aliases:
            add(rng.choice(aliases)["name"], entry.schema, [key], "alias")
        variant = _romanise(entry.caption, rng)
        if variant:
            add(variant, entry.schema, [key], "romanisation")

    # Negatives: recombined words of different listed people, kept only if no listed name
    # holds both words by sound; plus synthetic suppliers.
    people = [e for pl in lists for e in pl.entries if e.schema == "Person"]
    sounds: dict[str, set[int]] = {}
    for i, e in enumerate(people):
        for n in e.names:
            for w in _words(n["name"]):
                sounds.setdefault(_sound(w), set()).add(i)
    negatives = 0
    while negatives < 1200:
        a, b = rng.sample(people, 2)
        wa, wb = _words(a.caption), _words(b.caption)
        if len(wa) < 2 or len(wb) < 2:
            continue
        first, last = wa[0], wb[-1]
        if len(first) < 3 or len(last) < 3 or first.lower() == last.lower():
            continue
        if sounds.get(_sound(first), set()) & sounds.get(_sound(last), set()):
            continue
        add(f"{first.title()} {last.title()}", "Person", [], "negative")
        negatives += 1
    for _ in range(400):
        words = (
            rng.choice(SUPPLIER_WORDS),
            rng.choice(SUPPLIER_TRADES),
            rng.choice(SUPPLIER_FORMS),
        )
        add(" ".join(words), "Organization", [], "negative")
    seen: set[tuple[str, str]] = set()
    unique = []
    for r in rows:
        k = (r["query"].lower(), r["category"])
        if k not in seen:
            seen.add(k)
            unique.append(r)
    return unique


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build(args.shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["category"]] = counts.get(r["category"], 0) + 1
    print(json.dumps({"file": str(args.out), "rows": len(rows), **counts}))


if __name__ == "__main__":
    main()
