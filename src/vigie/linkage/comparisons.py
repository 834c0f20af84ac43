"""The comparisons of the Splink model: SQL over the feature columns (ADR 1000, 1004).

Each comparison cuts the agreement of one field into levels, strongest first; EM learns how
often each level occurs among matches (m) and random pairs (u). The name levels read the
columns of vigie.linkage.features (the screening normalisation, romanised, consonant
skeletons); a name may have been written in the other box, with a middle name joined to it,
or misspelt by one consonant. Term frequencies adjust the exact name levels: two records
of "Mohammed Haddad" say less than two of a rare name.
"""

from __future__ import annotations

from typing import Any

from splink import comparison_level_library as cll
from splink import comparison_library as cl


def _name(part: str, other: str) -> Any:
    """One name part (given or family), also found in the other box or among the other
    record's words (names swapped, a middle name joined to one of them)."""
    sk, rom, osk = f"{part}_sk", f"{part}_rom", f"{other}_sk"
    close = (
        f"jaro_winkler_similarity({sk}_l, {sk}_r) >= 0.8"
        f" OR jaro_winkler_similarity({rom}_l, {rom}_r) >= 0.88"
        # one consonant dropped, added or changed (a typo: Zural / Zuaal, Husayn / Huaayn)
        f" OR (levenshtein({sk}_l, {sk}_r) <= 1 AND least(length({sk}_l), length({sk}_r)) >= 2)"
    )
    swapped_close = (
        f"(jaro_winkler_similarity({sk}_l, {osk}_r) >= 0.8 AND"
        f" jaro_winkler_similarity({osk}_l, {sk}_r) >= 0.8)"
    )
    return cl.CustomComparison(
        output_column_name=part,
        comparison_levels=[
            cll.NullLevel(sk),
            cll.ExactMatchLevel(rom).configure(tf_adjustment_column=rom),
            cll.ExactMatchLevel(sk).configure(tf_adjustment_column=sk),
            cll.CustomLevel(f"{sk}_l = {osk}_r AND {osk}_l = {sk}_r", "in each other's boxes"),
            cll.CustomLevel(f"{close} OR {swapped_close}", "close"),
            cll.CustomLevel(
                f"list_contains(name_sk_r, {sk}_l) OR list_contains(name_sk_l, {sk}_r)",
                "among the other's names",
            ),
            cll.ElseLevel(),
        ],
    )


def _middle() -> Any:
    return cl.CustomComparison(
        output_column_name="middle",
        comparison_levels=[
            cll.CustomLevel(
                "middle_sk_l IS NULL OR middle_sk_r IS NULL", "no middle name"
            ).configure(is_null_level=True),
            cll.CustomLevel("len(list_intersect(middle_sk_l, middle_sk_r)) >= 1", "shared"),
            cll.ElseLevel(),
        ],
    )


def _birth() -> Any:
    swapped = (
        "dob_l IS NOT NULL AND dob_r IS NOT NULL AND birth_year_l = birth_year_r AND "
        "substr(dob_l, 6, 2) = substr(dob_r, 9, 2) AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
    )
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL", "no birth").configure(
                is_null_level=True
            ),
            cll.CustomLevel("dob_l = dob_r", "same date"),
            cll.CustomLevel(swapped, "day and month swapped"),
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND NOT year_estimated_l AND NOT year_estimated_r"
                " AND (dob_l IS NULL OR dob_r IS NULL)",
                "same year, one date is a year only",
            ),
            cll.CustomLevel(
                "abs(birth_year_l - birth_year_r) <= 1 AND (year_estimated_l OR year_estimated_r)",
                "year within one of an age",
            ),
            cll.CustomLevel("birth_year_l = birth_year_r", "same year, other day"),
            cll.ElseLevel(),
        ],
    )


def _place() -> Any:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.NullLevel("place_sk"),
            cll.ExactMatchLevel("place_sk"),
            cll.JaroWinklerLevel("place_sk", 0.85),
            cll.ElseLevel(),
        ],
    )


def all_comparisons() -> list[Any]:
    """The comparisons, in the order of engine.COMPARISONS."""
    return [
        _name("given", "family"),
        _name("family", "given"),
        _middle(),
        _birth(),
        _place(),
        cl.ExactMatch("phone"),
        cl.LevenshteinAtThresholds("document", [1]),
        cl.ExactMatch("sex"),
    ]


# the columns whose term frequencies adjust a level: an incremental prediction takes them
# from the existing records (Splink computes them itself for a full prediction)
TF_COLUMNS = ("given_rom", "given_sk", "family_rom", "family_sk")
