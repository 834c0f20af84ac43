"""Names as text, before rigour analyses them: the way people write a name folded to one form
(``normalise``), the romanised form of another script (``romanised``), the keys
romanisation systems agree on (``romkeys``) and the typing-error keys (``typo_keys``).
The given-name equivalents, honorifics and particles are data: ``data/name_variants.yaml``.
Part of the name matcher described in ``names``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jellyfish
import yaml
from rigour.text import ascii_text

VARIANTS_FILE = Path(__file__).parent / "data" / "name_variants.yaml"


def _variants() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    with VARIANTS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    equivalent = {}
    for group in data["equivalents"]:
        for word in group:
            equivalent[str(word)] = str(group[0])
    return equivalent, frozenset(data["honorifics"]), frozenset(data["particles"])


EQUIVALENT, HONORIFICS, PARTICLES = _variants()


def _legal_forms() -> dict[str, str]:
    with VARIANTS_FILE.open(encoding="utf-8") as fh:
        return {str(k): str(v) for k, v in yaml.safe_load(fh)["legal_forms"].items()}


LEGAL_FORMS = _legal_forms()  # ELF code list abbreviations -> a form rigour knows

# East Slavic patronymics: the father's given name and a suffix, in the Russian (BGN/PCGN,
# passport: -ovich, -evich, -ovna) and Ukrainian (national 2010 system: -ovych, -ivna)
# spellings. "Volodymyrovych" and "Vladimirovich" are the patronymic of one given name.
_PATRONYMIC = re.compile(r"([a-z]{3,}?)(?:y?[eo]vi?ch|y?[eo]vych|y?[eo]vna|ivna|ovych)")


@lru_cache(maxsize=50_000)
def patronymic_of(word: str) -> str | None:
    """The equivalence group (``EQUIVALENT``) of the given name a patronymic is made from,
    or None: "sergeevich" and "serhiyovych" are Sergei's, "nikolaevich" and "mykolaiovych"
    Nikolai's (a given name's last vowel is merged into the suffix: "-eevich", "-ovych")."""
    m = _PATRONYMIC.fullmatch(word)
    if m is None:
        return None
    stem = m.group(1)
    # Mykhailo / Mykhailovych, Mykola / Mykolaiovych, Sergei / Sergeevich
    for given in (stem, stem + "i", stem + "y", stem + "iy", stem + "o", stem + "a", stem[:-1]):
        if given in EQUIVALENT:
            return EQUIVALENT[given]
    return None


JOINABLE = frozenset({"al", "el", "abu", "abou", "bin", "ben", "ibn", "ould", "abd", "abdul", "ul"})
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
        "\u0671": "\u0627",  # alef wasla
        "\u0629": "\u0647",  # taa marbuta -> haa
        "\u0649": "\u064a",  # alef maqsura -> yaa
        "\u06cc": "\u064a",  # Persian yeh
        "\u06a9": "\u0643",  # Persian kaf (keheh)
        "\u0624": "\u0648",  # waw with hamza
        "\u0626": "\u064a",  # yaa with hamza
    }
)
# "Abd al-Rahman", "Abdul Rahman", "Abdelrahman", "Abd-ur-Rahman" -> "Abdul Rahman": the
# compound is matched part by part, so "Abdul Mansur" still meets "Abdul Latif Mansur".
_ABD_APART = re.compile(
    r"\b(?:abd|abdul|abdel|abdal|abdol|abdoul|abdu|abdur|abdus|abder|abdes|abdi)"
    r"(?:[\s\-'\u2019]+(?:al|el|ul|ur|ar|as|ad|an|at|az|ush|es|er)(?=[\s\-'\u2019]))?"
    r"[\s\-'\u2019]+(?=[^\W\d_]{3,})",
    re.IGNORECASE,
)
# Joined, the article may be written assimilated to a sun letter and doubled
# ("Abdurrahman", "Abdessalam": the "r", "s" is the article's) or not written at all, the
# link vowel before the name ("Abdurahman", "Abdusalam", "Abdukarim": Central Asian and
# Somali usage): there the consonant is the name's first letter, "Abdusattar" is "Abdul
# Sattar", not "Abdul Attar". An "l" after "Abdu" is the article's ("Abdulaziz"). "Abdullah"
# in any spelling (Abdoulaye, Abdulahi) is one name.
_ABD_JOINED = re.compile(
    r"\b(?!abd[aeiou]{0,2}ll?(?:ah|a|ahi|aye)\b)"
    r"(?:abdul|abdel|abdal|abdol|abdoul|abd[ue](?:r(?=r)|s(?=s)|sh(?=sh))"
    r"|abd(?:ou|[ueo])(?=[b-df-hj-km-np-tv-z])|abdi|abd)"
    r"(?!(?:lah|la|lahi|allah|ullah|ulla|ullahi|ou|u|o)\b)(?=[^\W\d_]{3,}\b)",
    re.IGNORECASE,
)
# "Abd" or a compound's first half left alone (before the surname of "SURNAME, Given": "RAHMAN,
# Abdur"; "Abd A. Salim") is written "Abdul", as the compounds are.
_ABD_ALONE = re.compile(
    r"(?<![^\W\d_])['\u2018\u2019]?(?:abd|abdel|abdal|abdol|abdoul|abdur|abdus|abder|abdes)\b"
    r"(?![\-'\u2019])",
    re.IGNORECASE,
)


def _abd_typos() -> dict[str, str]:
    """The "Abd" compound's written prefixes with one typing error of the two kinds that
    leave the compound unread: two neighbouring letters swapped ("Adbul", "Abdlu", "Adballah":
    OFAC's list has such spellings) and a key struck twice ("Abddel", "Abbdul"). Only the
    misspellings no name is written with: "d" before "b", "l" right after "Abd", a doubled
    "b" or "d" (not "Abad", "Abed", "Abud", "Badawi", "Badal", which are names)."""
    out: dict[str, str] = {}
    for prefix in ("abdul", "abdel", "abdal", "abdol", "abdu", "abda", "abde"):
        typos = {"adb" + prefix[3:], prefix[:3] + prefix[4:5] + prefix[3:4] + prefix[5:]}
        typos |= {"abbd" + prefix[3:], "abdd" + prefix[3:]}
        for typo in typos:
            if typo.startswith(("adb", "abdl", "abbd", "abdd")):
                out.setdefault(typo, prefix)
    return out


_ABD_TYPO = _abd_typos()
# (before a name of three letters or more, or alone when the whole "Abdul" is written)
_ABD_TYPO_RE = re.compile(
    r"(?<![^\W\d_])(" + "|".join(sorted(_ABD_TYPO, key=len, reverse=True)) + r")"
    r"(?=[^\W\d_]{3,}|(?<=[^\W\d_]{5})\b)",
    re.IGNORECASE,
)
_NOTE = re.compile(r"\([^)]*\)")  # "(previously listed as)", "(JuA)"
_ULLAH = re.compile(r"([^\W\d_]{2,})[\s\-]+(?:ullah|ollah|ulla)\b", re.IGNORECASE)
# ALA-LC and DIN 31635 write ayn and hamza as modifier letters (U+02BF, U+02BE), which regular
# expressions read as letters (an "Abd al-Rahman" so written is no "Abd" compound): dropped,
# as the apostrophes that stand for them elsewhere are.
_AYN_HAMZA = str.maketrans({"\u02bf": None, "\u02be": None})
# The Arabic article before a "sun letter" (t th d dh r z s sh s. d. t. z. l n) is
# pronounced, and in most romanisations written, as that letter doubled: "ar-Rashid",
# "as-Sayyid", "ash-Shabab", "es-Salam" are "al-Rashid", "al-Sayyid" ...
# (ALA-LC's rule 11 writes "al-" always, BGN/PCGN and French usage follow the sound). Not
# the "ur", "ud" of South Asian names (Ata-ur-Rahman, Mati ur-Rehman), whose initials
# people write with a "U.".
_SUN_ARTICLE = re.compile(
    r"(?<![\w\-])[ae](?P<c>t|th|d|dh|r|z|s|sh|n)(?=[\s\-'\u2019]+(?P=c))", re.IGNORECASE
)
# "Salah ad-Din", "Salah al-Din", "Salahuddin", "Salaheddine": one compound (laqab
# "righteousness of the faith"), joined as the "-ullah" ones are. A word "Uddin" or
# "Udin" alone (a Bengali or Malay surname: "Bin Udin") is left as it is, and so are the
# plurals in "-idin", "-ideen" (Mujahidin, Muwahhidin) and "-udine" (Claudine).
_DIN = re.compile(
    r"\b(?!(?:bin|ibn|ben|abu|abou|ould)\b)([^\W\d_]{3,}?)"
    r"(?:[\s\-]+(?:al|el|ul|ad|ud|ed|id)[\s\-]+d?d(?:ine?|een)"
    r"|(?<=\w)(?:[aeiu]dd(?:ine?|een)|[aeu]d(?:in|een)))\b",
    re.IGNORECASE,
)

# The Persian and Urdu ezafe, the "of" that links a word to the next ("Bonyad-e Shahid",
# "Darya-ye Khazar", "Tehrik-i-Taliban"), is written "-e" after a consonant and "-ye" after
# a vowel by BGN/PCGN Persian, "-i-" or "-e-" by Urdu usage, or not at all ("Bonyad
# Shahid"): dropped, as a linking vowel is no name part. Left alone: "-e" after another
# vowel (a Chinese given name's syllable 娥, "Hsiu-e") and a final "-i" (a Korean one, 이).
_EZAFE = re.compile(
    r"(?<=[^\W\d_]{2})(?:(?<=[b-df-hj-np-tv-z'e])-e|-ye)(?=[\s\-]|$)|(?<=[^\W\d_]{2})-y?i(?=-)",
    re.IGNORECASE,
)


def _din(m: re.Match[str]) -> str:
    return m.group(1) + "uddin"


_SIDES = "\x00"  # where a "SURNAME, Given" name's two sides meet (see ``normalise``)


def normalise(text: str, person: bool = True) -> str:
    """A name as people write it, folded to one form: Arabic letter variants and marks,
    honorifics, titles and notes in brackets dropped (if two other words remain), "Abd al-"
    compounds written as "Abdul" and a part, the article before a sun letter written "al",
    "-ullah" and "ad-Din" compounds joined, the ezafe dropped, an "Abd" prefix's typing
    error read as the prefix, an organisation's ELF legal forms written as rigour's."""
    if any("\u0600" <= c <= "\u06ff" for c in text):
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = _EZAFE.sub("", text.translate(_AYN_HAMZA))
    if person:
        text = _NOTE.sub(" ", text)  # an organisation's "(PAKISTAN)" tells branches apart
        if text.count(",") == 1:  # "SURNAME, Given Names"
            surname, given = text.split(",")
            if surname.strip() and given.strip():
                # the comma stays between the two until the compounds are written: the
                # given names' last "'Abd" is no compound with the surname's article
                # ("AL-SAYYID, 'Ali Mas'ud 'Abd")
                text = f"{given} {_SIDES} {surname}"
    words = text.replace(",", " ").replace(_SIDES, ",").split()
    while len(words) - words.count(",") > 2 and words[0].lower().strip(".") in HONORIFICS:
        words.pop(0)
    if not person:
        words = [_legal_word(w) for w in words]
    text = " ".join(words)
    text = _ABD_TYPO_RE.sub(lambda m: _ABD_TYPO[m.group(1).lower()], text)
    text = _ABD_APART.sub("Abdul ", text)
    text = _ABD_JOINED.sub("Abdul ", text)
    text = _ABD_ALONE.sub("Abdul", text)  # "Abd A. Salim", "'Abd 'Ali", "Abd el Sayed"
    text = _SUN_ARTICLE.sub("al", text)
    text = _DIN.sub(_din, text)
    text = _ULLAH.sub(lambda m: m.group(1) + "ullah", text)
    return " ".join(text.replace(",", " ").split())


# Legal-form words as organisations are registered; a word one typing error away from one
# (Limmited, Linited, Compani, Grup) is read as it, so rigour recognises the legal form.
LEGAL_WORDS = ("limited", "company", "corporation", "incorporated", "group", "liability")


@lru_cache(maxsize=20_000)
def _legal_word(word: str) -> str:
    low = word.lower()
    form = LEGAL_FORMS.get(low.replace(".", ""))
    if form is not None:  # "S.A.L.", "W.L.L.": read as the legal form rigour knows
        return form
    if len(low) < 4 or not low.isalpha() or low in LEGAL_WORDS:
        return word
    for legal in LEGAL_WORDS:
        if jellyfish.damerau_levenshtein_distance(low, legal) == 1 and low[0] == legal[0]:
            return legal
    return word


@lru_cache(maxsize=50_000)
def romanised(text: str) -> str:
    return " ".join(ascii_text(text).replace("?", " ").split())


_ROMANISATIONS = (
    ("kh", "h"), ("gh", "g"), ("sh", "s"), ("dj", "j"), ("zh", "j"),
    ("ph", "f"), ("ts", "s"), ("tz", "s"), ("q", "k"), ("ck", "k"), ("x", "ks"), ("w", "v"),
    ("y", "i"), ("'", ""), ("\u2019", ""), ("-", ""),
)  # fmt: skip


def _conventions(w: str) -> set[str]:
    """A word and its readings under the conventions ``_ROMANISATIONS`` does not fold
    letter for letter:

    - French transcription writes the Arabic waw before a vowel "ou" (Ouahab, Oualid,
      Anouar: English Wahab, Walid, Anwar), and "tch" for the sound English writes "ch"
      (Tchad, Tchétchénie; Russian ч, Persian چ);
    - French and Turkish spellings end a word on a mute "e" the other systems do not write
      (Slimane, Ousmane, Yassine, Nasreddine: Sliman, Usman, Yasin, Nasruddin);
    - a first "x" before a, e or o stands for kh or ḥ in Somali's official orthography
      (Xasan, Xamar), in Uzbek Latin (Xo'jayev) and in older Spanish: read also as
      "kh"."""
    w = w.replace("tch", "ch")
    forms = {w}
    if "ou" in w:
        forms.add(re.sub("ou(?=[aeiy])", "w", w))
    if len(w) > 4 and w.endswith("e") and w[-2] not in "aeiouy":
        forms |= {f[:-1] for f in forms}
    # (inside a word, x is ks as often: Alexis, Maxim; before i or u it is pinyin's x,
    # not h: Xu, Xiao are not Hu, Hiao)
    if w[:1] == "x" and w[1:2] in ("a", "e", "o"):
        forms |= {"kh" + f[1:] for f in forms}
    return forms


@lru_cache(maxsize=100_000)
def romkeys(word: str) -> frozenset[str]:
    """A romanised word as romanisation systems agree on it: digraphs folded (kh / h,
    sh / s, dj / j, q / k ...), each run of vowels as one vowel, doubled letters once, "h"
    after a vowel dropped; "ch" read both as in French (sh) and as in English or Korean (j),
    "c" as k and as s, "z" as z and as s, "dh" as d and z, "th" as t and s (Arabic dhal and
    thaa). Qassem / Kasim, Youssef / Yusuf, Barich / Barij, Chol / Jol, Qadhafi / Qazafi."""
    forms = set()
    for w in _conventions(word.lower()):
        for a, b in _ROMANISATIONS:
            w = w.replace(a, b)
        forms |= {w.replace("ch", "s"), w.replace("ch", "j")}
    forms = {f.replace("dh", "d") for f in forms} | {f.replace("dh", "z") for f in forms}
    forms = {f.replace("th", "t") for f in forms} | {f.replace("th", "s") for f in forms}
    forms = {f.replace("c", "k") for f in forms} | {f.replace("c", "s") for f in forms}
    forms |= {f.replace("z", "s") for f in forms}
    out = set()
    for f in forms:
        f = re.sub("(?<=[aeiou])h", "", f)
        f = re.sub("[aeiou]+", "a", f)
        out.add(re.sub(r"(.)\1+", r"\1", f))
    return frozenset(out)


TYPO_LENGTH = 5  # parts this long get typing-error keys (shorter ones: too many neighbours)


@lru_cache(maxsize=100_000)
def typo_keys(word: str) -> tuple[str, ...]:
    """The word and every form of it with one letter deleted, as ``d:`` keys: two spellings
    one typing error apart (a letter left out, added, replaced or two swapped: Damerau's four
    kinds, most typing errors) share one of them (Rqhat / Rahat: ``d:rhat``), as in SymSpell's
    symmetric-deletion lookup. The candidate index uses them only for a searched part that
    its other keys leave short (``engine.ScreeningIndex.candidates``, ADR 0523)."""
    return (f"d:{word}", *sorted({f"d:{word[:i]}{word[i + 1 :]}" for i in range(len(word))}))
