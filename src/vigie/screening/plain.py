"""A match explained in plain words, in the reader's language (issue 16): "2 name parts are
the same; 1 is a known variant of the listed one; the listed name has 1 more part (a middle
name or patronymic); year of birth differs by one".

The engine stores language-neutral *codes* with counts (``codes``), never names, so that a
hit kept for review (whose explanation must not repeat the subject's name) can be described
again in French or Arabic when it is read (``describe``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigie.screening import corroboration as evidence


def codes(alignment: list[dict[str, Any]], adj: evidence.Adjustment, kind: str) -> list[str]:
    """The codes of one match: its name parts compared (``NameMatch.explain()``), the
    secondary evidence and the kind of listed name that matched. Counts are written
    ``code:n``."""
    same = variant = spelled = initial = extra_listed = extra_searched = 0
    for a in alignment:
        if a["query"] and a["entry"]:
            if len(a["query"]) == 1 and len(a["entry"]) > 1:
                initial += 1
            elif a["score"] >= 0.999:
                same += len(a["query"].split())
            elif str(a["how"]).startswith("symbol"):
                variant += 1
            elif a["score"] >= 0.75:
                spelled += 1
            else:
                extra_searched += 1
        elif a["query"]:
            extra_searched += 1
        elif a["entry"]:
            extra_listed += 1
    out = [
        f"{code}:{n}"
        for code, n in (
            ("same", same),
            ("variant", variant),
            ("spelled", spelled),
            ("initial", initial),
            ("extra_listed", extra_listed),
            ("extra_searched", extra_searched),
        )
        if n
    ]
    dob = adj.features.get("birth_date")
    if dob is not None:
        out.append(
            {
                evidence.DOB_EXACT: "dob_same",
                evidence.DOB_YEAR: "dob_year",
                evidence.DOB_CONFLICT / 3: "dob_one_year",
            }.get(dob, "dob_differs")
        )
    country = adj.features.get("country")
    if country is not None:
        out.append("country_same" if country > 0 else "country_differs")
    if "document" in adj.features:
        out.append("document_same" if adj.decisive else "document_differs")
    if kind in ("original_script",):
        out.append("via_original_script")
    elif kind == "narrative":
        out.append("via_narrative")
    elif kind and kind != "primary":
        out.append("via_alias")
    return out


def describe(plain: list[str]) -> list[str]:
    """The codes as sentences in the active language."""
    out = []
    for item in plain:
        code, _sep, count = item.partition(":")
        n = int(count) if count.isdigit() else 1
        text = _phrase(code, n)
        if text:
            out.append(text)
    return out


def _phrase(code: str, n: int) -> str:
    counted = {
        "same": ngettext(
            "%(n)d name part is spelled the same", "%(n)d name parts are spelled the same", n
        ),
        "variant": ngettext(
            "%(n)d name part is a known variant of the listed one (another romanisation)",
            "%(n)d name parts are known variants of the listed ones (other romanisations)",
            n,
        ),
        "spelled": ngettext(
            "%(n)d name part is spelled a little differently (typing or transliteration)",
            "%(n)d name parts are spelled a little differently (typing or transliteration)",
            n,
        ),
        "initial": ngettext(
            "%(n)d initial stands for a listed name part",
            "%(n)d initials stand for listed name parts",
            n,
        ),
        "extra_listed": ngettext(
            "the listed name has %(n)d more part (a middle name or patronymic not given)",
            "the listed name has %(n)d more parts (middle names or patronymics not given)",
            n,
        ),
        "extra_searched": ngettext(
            "%(n)d part of the searched name is not in the listed name",
            "%(n)d parts of the searched name are not in the listed name",
            n,
        ),
    }
    if code in counted:
        return counted[code] % {"n": n}
    return {
        "dob_same": _("same date of birth"),
        "dob_year": _("same year of birth"),
        "dob_one_year": _("year of birth differs by one"),
        "dob_differs": _("different year of birth"),
        "country_same": _("nationality or country matches"),
        "country_differs": _("nationality or country differs"),
        "document_same": _("identity document matches exactly: decisive"),
        "document_differs": _("identity document differs"),
        "via_original_script": _("matched on the name in its original script"),
        "via_narrative": _("matched on a name from the listing's narrative"),
        "via_alias": _("matched on an alias"),
    }.get(code, "")
