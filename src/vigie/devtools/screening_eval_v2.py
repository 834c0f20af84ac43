# ruff: noqa: RUF001, RUF002  (Arabic and Cyrillic letters are the point here)
"""Build the harder screening evaluation set (v2) from the public lists in ../shared/data.

    python -m vigie.devtools.screening_eval_v2 [--shared PATH] [--out PATH]

Written before the engine was tuned on it, from rules that do not look at the engine: the
transliteration variants below come from the romanisation conventions in use (UNGEGN / BGN
Arabic and Persian, ALA-LC, French colonial spellings, BGN/PCGN and passport Russian,
McCune-Reischauer / Revised Korean, Wade-Giles / pinyin), typing errors from keyboard
adjacency, the alias pairs from the lists themselves. Each row has ``query``, ``schema``,
``expected`` (``watchlist:reference``; empty for a name that must not match), ``category``
and ``split``:

- ``dev`` / ``test`` by entity (a hash of the reference): tune on ``dev`` only; the
  benchmark reports ``test``. Negatives are split the same way by a hash of the query.
- ``alias_pair``: a listed alias that spells the same person's name differently (at least
  two of its words have a counterpart, by consonant skeleton, in another of the entry's
  names). The row carries ``removed``: the benchmark takes that alias out of the index, so
  the entry must be found from its *other* names.
- ``romanisation``, ``joined_split``, ``script_variant``, ``middle_dropped``,
  ``surname_first``, ``typo``, ``honorific``, ``initials``, ``combined``: rule variants of
  the primary name (see the functions below).
- ``negative_random``: invented names from common given names and surnames of many
  languages, kept only if no listed name holds two of their words (by sound).
- ``negative_near_miss``: a listed person's given name(s) with a *different* listed surname,
  kept only if no listed name holds all their words (by sound).

Deterministic (seed 2331).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import jellyfish

from vigie.screening.parsers import ParsedEntry, ParsedList, parse

# ../shared/data beside the checkout (a worktree sits one level deeper than the main one).
SHARED = next(
    (
        p / "shared" / "data"
        for p in Path(__file__).resolve().parents[4:6]
        if (p / "shared").is_dir()
    ),
    Path(__file__).resolve().parents[4] / "shared" / "data",
)
VERSION = 2
OUT = (
    Path(__file__).resolve().parents[1]
    / "screening"
    / "data"
    / "eval"
    / f"screening_eval_v{VERSION}.jsonl"
)
LISTS = ("un-sanctions/UN_consolidated_2025-04-19.xml", "ofac/sdn.csv")
TEST_SHARE = 60  # percent of entities in the held-out test half

# Whole-word spellings of the same name in different romanisation systems.
WORD_VARIANTS = [
    ("mohammed", "muhammad", "mohamad", "mohamed", "muhammed", "mohammad", "mouhamed"),
    ("ahmed", "ahmad", "ahmet"),
    ("hussein", "husayn", "hussain", "hossein", "husein"),
    ("hassan", "hasan", "hassen"),
    ("hasan", "hassan"),
    ("yusuf", "youssef", "yousef", "yusef", "yussuf", "youssouf"),
    ("omar", "umar", "omer"),
    ("osama", "usama", "oussama"),
    ("abdullah", "abdallah", "abdulla"),
    ("abu", "abou", "abo"),
    ("ali", "aly"),
    ("khalid", "khaled"),
    ("mahmoud", "mahmud", "mahmood"),
    ("mustafa", "mostafa", "moustapha", "mustapha"),
    ("ibrahim", "ebrahim", "ibraheem"),
    ("ismail", "ismael", "esmail"),
    ("said", "saeed", "sayed", "saied"),
    ("salih", "saleh", "salah"),
    ("jamal", "gamal", "djamel"),
    ("abdel", "abdul", "abd el"),
    ("bin", "ibn", "ben"),
    ("al", "el", "ul"),
    ("qasim", "kasim", "qassem", "kassem"),
    ("jafar", "jaafar", "djafar"),
    ("aziz", "azeez"),
    ("rahman", "rehman", "rahmane"),
    ("haqqani", "hakkani"),
    ("sergei", "sergey", "serguei"),
    ("dmitry", "dmitriy", "dmitri"),
    ("yevgeny", "evgeny", "evgueni"),
    ("aleksandr", "alexander", "aleksander"),
    ("kim", "gim"),
    ("pak", "park", "bak"),
    ("ri", "lee", "yi"),
    ("choe", "choi"),
]
# Letter groups rewritten inside a word (first match only): one romanisation for another.
LETTER_RULES = [
    (r"ou", "u"),
    (r"oo", "u"),
    (r"ee", "i"),
    (r"kh", "h"),
    (r"q", "k"),
    (r"dj", "j"),
    (r"sh", "ch"),
    (r"dh", "z"),
    (r"ph", "f"),
    (r"y", "i"),
    (r"iy", "i"),
    (r"ts", "tz"),
    (r"zh", "j"),
    (r"yu", "iu"),
    (r"ya", "ia"),
    (r"ov$", "off"),
    (r"ei", "ey"),
    (r"eo", "o"),
    (r"ch", "j"),
    (r"([bcdfgklmnprstz])\1", r"\1"),
    (r"([aeiou])([bdlmnrst])([aeiou])", r"\1\2\2\3"),
]
HONORIFICS = ("Mr", "Dr.", "Sheikh", "Mullah", "Haji", "General", "Colonel", "M.", "Mme")
KEYBOARD = {
    "a": "qsz", "b": "vgn", "c": "xdv", "d": "sfe", "e": "wrd", "f": "dgr", "g": "fht",
    "h": "gjy", "i": "uok", "j": "hku", "k": "jli", "l": "kop", "m": "n", "n": "bm",
    "o": "ipl", "p": "ol", "q": "wa", "r": "etf", "s": "adw", "t": "ryg", "u": "yij",
    "v": "cb", "w": "qes", "x": "zc", "y": "tuh", "z": "xs",
}  # fmt: skip
GIVEN = (  # noqa: SIM905 (a list of words, read as one)
    "John Mary Peter Anna Luis Maria Jose Carmen Pierre Sophie Jean Claire Hans Greta Ivan  "
    "Olga Chen Li Wei Mei Hiroshi Yuki Raj Priya Kwame Ama Chidi Ngozi Tunde Bola Juma  "
    "Neema Aisha Fatou Moussa Awa Amadou Mariam Oumar Kofi Esi Tomas Eva Lars Ingrid Paolo  "
    "Giulia Carlos Lucia Diego Elena Nikos Eleni Mehmet Ayse Emre Zeynep Arjun Deepa  "
    "Sanjay Nia Patrice Odile Bernard Brigitte Samuel Grace Daniel Ruth David Sarah Thabo  "
    "Lerato Sipho"
).split()
SURNAMES = (  # noqa: SIM905 (a list of words, read as one)
    "Smith Garcia Martin Dubois Muller Rossi Novak Kowalski Silva Santos Tanaka Sato Wang  "
    "Zhang Patel Sharma Okafor Mensah Diallo Traore Kamara Ndlovu Mwangi Otieno Banda  "
    "Phiri Johansson Larsen Virtanen Papadopoulos Yilmaz Demir Kaya Fernandez Lopez Moreau  "
    "Lefebvre Fischer Weber Schneider Horvat Petrov Popescu Nagy Costa Ferreira Mbeki  "
    "Dlamini Adeyemi Boateng Asante Keita Coulibaly Sow Ba Kone Tshabalala Nkosi Haddad  "
    "Mansour Khoury Nasser"
).split()
SUPPLIERS = (
    ("Sahel", "Horizon", "Atlas", "Delta", "Nile", "Baobab", "Oasis", "Kivu", "Volta", "Cedar"),
    ("Logistics", "Transport", "Medical", "Supplies", "Catering", "Fuel", "Water", "Telecom"),
    ("SARL", "Ltd", "LLC", "SA", "GmbH", "PLC", "Trading Company"),
)
TITLES = {"haji", "hajji", "dr", "mullah", "maulvi", "sheikh", "qari", "mr", "general"}
PARTICLES = {"al", "el", "bin", "ibn", "ben", "wa", "ould", "abu", "abou", "de", "van", "von"}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", name) if w]


def skeleton(word: str) -> str:
    """Consonants only, doubled letters once: the part of a word romanisations agree on."""
    w = re.sub(r"[^a-z]", "", fold(word).lower())
    w = re.sub(r"[aeiouyhw]", "", w[1:]) if len(w) > 1 else w
    return re.sub(r"(.)\1+", r"\1", w)


def sound(word: str) -> str:
    return jellyfish.metaphone(fold(word).lower()) or word.lower()


def split_of(key: str) -> str:
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return "test" if digest % 100 < TEST_SHARE else "dev"


def _case_like(new: str, old: str) -> str:
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def romanise(name: str, rng: random.Random) -> str | None:
    """One or two words spelled in another romanisation: a whole-word equivalent if the
    name has one, otherwise a letter-group rule."""
    ws = words(name)
    order = list(range(len(ws)))
    rng.shuffle(order)
    changed = 0
    for i in order:
        w = ws[i]
        prefix, core = ("", w)
        m = re.match(r"^((?:al|el)[-'])(.+)$", w, re.I)
        if m:
            prefix, core = m.group(1), m.group(2)
        low = fold(core).lower()
        options = [v for group in WORD_VARIANTS if low in group for v in group if v != low]
        if options:
            new = rng.choice(options)
        else:
            rules = [(p, r) for p, r in LETTER_RULES if re.search(p, low)]
            if not rules or len(low) < 4:
                continue
            p, r = rng.choice(rules)
            new = re.sub(p, r, low, count=1)
        if new != low:
            ws[i] = prefix + _case_like(new, core)
            changed += 1
        if changed >= (2 if len(ws) >= 3 else 1):
            break
    out = " ".join(ws)
    return out if changed and out.lower() != name.lower() else None


def joined_split(name: str) -> str | None:
    """Parts written together or apart: Abd al-Rahman / Abdulrahman, Al-Amin / Alamin /
    Al Amin, Abu Bakr / Abubakr."""
    low = name
    for pattern, repl in (
        (r"\b(Abd)[ -]?(?:al|el|ul)[- ]?(\w+)", lambda m: f"{m.group(1)}ul{m.group(2).lower()}"),
        (r"\b(Abdul|Abdel)(\w{3,})", lambda m: f"Abd al-{m.group(2).title()}"),
        (r"\b(Abdul|Abdel) (\w{3,})", lambda m: f"{m.group(1)}{m.group(2).lower()}"),
        (r"\b(Abu|Abou) (\w+)", lambda m: f"{m.group(1)}{m.group(2).lower()}"),
        (r"\b(Al|El)-(\w+)", lambda m: f"{m.group(1)}{m.group(2).lower()}"),
        (r"\b(Al|El) (\w+)", lambda m: f"{m.group(1)}-{m.group(2)}"),
        (r"\b(\w+)ullah\b", lambda m: f"{m.group(1)} Ullah"),
    ):
        new = re.sub(pattern, repl, low, count=1, flags=re.I)
        if new != low:
            return new
    return None


def script_variant(name: str, rng: random.Random) -> str | None:
    """The original-script name as people type it: Arabic without hamza on alef, with taa
    marbuta as haa, alef maqsura as yaa, with tashkeel or tatweel; Cyrillic ё as е."""
    if re.search(r"[\u0600-\u06FF]", name):
        rules = [
            ("[أإآ]", "ا"),
            ("ة", "ه"),
            ("ى", "ي"),
            ("ي", "ى"),
            ("ك", "ک"),
            ("ي", "ی"),
            ("ؤ", "و"),
        ]
        rng.shuffle(rules)
        out = name
        for p, r in rules:
            new = re.sub(p, r, out)
            if new != out:
                out = new
                break
        pick = rng.random()
        if pick < 0.3:
            out = re.sub(r"(\w)(\w)", "\\1\u064e\\2", out, count=2)  # fatha
        elif pick < 0.5:
            out = out.replace("ل", "لـ", 1)  # tatweel
        return out if out != name else None
    if re.search(r"[ёЁ]", name):
        return name.replace("ё", "е").replace("Ё", "Е")
    return None


def typo(name: str, rng: random.Random) -> str | None:
    ws = words(name)
    long = [i for i, w in enumerate(ws) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    w = ws[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.choice(("delete", "swap", "neighbour", "double"))
    if kind == "delete":
        new = w[:j] + w[j + 1 :]
    elif kind == "swap":
        new = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == "neighbour":
        near = KEYBOARD.get(w[j].lower(), "")
        if not near:
            return None
        c = rng.choice(near)
        new = w[:j] + (c.upper() if w[j].isupper() else c) + w[j + 1 :]
    else:
        new = w[:j] + w[j] + w[j:]
    if new == w:
        return None
    ws[i] = new
    return " ".join(ws)


def _given_and_surname(name: str) -> tuple[list[str], list[str]]:
    """Words of a name as given part and surname; a particle before the last word stays with
    it (AL TIKRITI, WA MYAMURO)."""
    ws = words(name)
    k = len(ws) - 1
    while k > 1 and ws[k - 1].lower() in PARTICLES:
        k -= 1
    return ws[:k], ws[k:]


def middle_dropped(name: str, rng: random.Random) -> str | None:
    given, surname = _given_and_surname(name)
    if len(given) < 2 or not surname:
        return None
    if len(given) >= 3 and rng.random() < 0.4:
        kept = [given[0], rng.choice(given[1:])]
    else:
        kept = [given[0]]
    return " ".join(kept + surname)


def surname_first(name: str, rng: random.Random) -> str | None:
    given, surname = _given_and_surname(name)
    if not given or not surname:
        return None
    sur = " ".join(surname)
    if rng.random() < 0.5:
        return f"{sur.upper()} {' '.join(w.title() for w in given)}"
    return f"{sur.title()}, {' '.join(given)}"


def initials(name: str) -> str | None:
    given, surname = _given_and_surname(name)
    if len(given) < 2 or not surname:
        return None
    middle = [f"{w[0].upper()}." for w in given[1:] if w.lower() not in PARTICLES]
    return " ".join([given[0], *middle, *surname]) if middle else None


def _alias_is_spelling(alias: str, others: list[str]) -> bool:
    aw = [skeleton(w) for w in words(alias) if w.lower() not in PARTICLES]
    aw = [s for s in aw if len(s) >= 2]
    if len(aw) < 2:
        return False
    pool = {skeleton(w) for o in others for w in words(o)}
    shared = sum(1 for s in aw if s in pool)
    return shared >= 2


def build(shared: Path, seed: int = 2331) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lists: list[ParsedList] = [parse(shared / p) for p in LISTS]
    un, ofac = lists
    rows: list[dict[str, Any]] = []

    def add(
        query: str | None, entry: ParsedEntry | None, code: str, category: str, **more: Any
    ) -> None:
        query = " ".join((query or "").split())
        if not query:
            return
        if entry is None:
            row = {"query": query, "schema": "Person", "expected": [], "category": category}
            row["split"] = split_of(query.lower())
        else:
            key = f"{code}:{entry.reference}"
            row = {"query": query, "schema": entry.schema, "expected": [key], "category": category}
            row["split"] = split_of(key)
        rows.append({**row, **more})

    ofac_people = [e for e in ofac.entries if e.schema == "Person"]
    ofac_orgs = [e for e in ofac.entries if e.schema == "Organization"]
    sample = [(un.code, e) for e in un.entries] + [
        (ofac.code, e) for e in rng.sample(ofac_people, 700) + rng.sample(ofac_orgs, 150)
    ]
    for code, entry in sample:
        primary = entry.names[0]["name"]
        if entry.schema == "Person" and primary.count(",") == 1:
            # OFAC writes "SURNAME, Given Names": the variants start from the natural order.
            surname, given = (p.strip() for p in primary.split(","))
            primary = f"{given} {surname}".strip()
        person = entry.schema == "Person"
        texts = [n["name"] for n in entry.names]
        aliases = [
            n["name"]
            for n in entry.names[1:]
            if n["kind"] in ("alias", "weak")
            and _alias_is_spelling(n["name"], [t for t in texts if t != n["name"]])
        ]
        if aliases:
            alias = rng.choice(aliases)
            add(alias, entry, code, "alias_pair", removed=alias)
        for n in entry.names:
            if n["kind"] == "original_script":
                add(script_variant(n["name"], rng), entry, code, "script_variant")
        add(romanise(primary, rng), entry, code, "romanisation")
        add(joined_split(primary), entry, code, "joined_split")
        if len(words(primary)) >= 2:
            add(typo(primary, rng), entry, code, "typo")
        if not person:
            continue
        add(middle_dropped(primary, rng), entry, code, "middle_dropped")
        add(surname_first(primary, rng), entry, code, "surname_first")
        add(initials(primary), entry, code, "initials")
        if rng.random() < 0.5:
            add(f"{rng.choice(HONORIFICS)} {primary}", entry, code, "honorific")
        dropped = middle_dropped(primary, rng)
        if dropped:
            add(romanise(dropped, rng), entry, code, "combined")

    _negatives(lists, rng, add)
    seen: set[tuple[str, str]] = set()
    unique = []
    for r in rows:
        k = (r["query"].lower(), r["category"])
        if k not in seen:
            seen.add(k)
            unique.append(r)
    return unique


def _negatives(lists: list[ParsedList], rng: random.Random, add: Any) -> None:
    people = [e for pl in lists for e in pl.entries if e.schema == "Person"]
    holders: dict[str, set[int]] = {}
    for i, e in enumerate(people):
        for n in e.names:
            for w in words(n["name"]):
                holders.setdefault(sound(w), set()).add(i)
    for pl in lists:
        for e in pl.entries:
            if e.schema != "Person":
                for n in e.names:
                    for w in words(n["name"]):
                        holders.setdefault(sound(w), set()).add(-1)

    def held(ws: list[str], need: int) -> bool:
        sets = [holders.get(sound(w), set()) for w in ws]
        counts: dict[int, int] = {}
        for s in sets:
            for i in s:
                counts[i] = counts.get(i, 0) + 1
        return any(c >= need for i, c in counts.items() if i >= 0)

    made = 0
    while made < 900:
        ws = [rng.choice(GIVEN), rng.choice(SURNAMES)]
        if rng.random() < 0.3:
            ws.insert(1, rng.choice(GIVEN))
        if held(ws, 2):
            continue
        add(" ".join(ws), None, "", "negative_random")
        made += 1
    for _ in range(150):
        add(" ".join(rng.choice(part) for part in SUPPLIERS), None, "", "negative_random")
    made = 0
    tries = 0
    while made < 600 and tries < 100_000:
        tries += 1
        a, b = rng.sample(people, 2)
        ga, _ = _given_and_surname(a.caption)
        _, sb = _given_and_surname(b.caption)
        if not ga or not sb or len(" ".join(sb)) < 4:
            continue
        keep = [w for w in ga if w.lower().strip(".") not in TITLES][: rng.choice((1, 2))]
        ws = keep + sb
        if held(ws, len(ws)) or sound(sb[-1]) in {sound(w) for w in ga}:
            continue
        add(" ".join(ws).title(), None, "", "negative_near_miss")
        made += 1


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
        k = f"{r['category']}/{r['split']}"
        counts[k] = counts.get(k, 0) + 1
    print(json.dumps({"file": str(args.out), "rows": len(rows), **dict(sorted(counts.items()))}))


if __name__ == "__main__":
    main()
