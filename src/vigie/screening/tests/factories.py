"""Small, synthetic watchlist files for tests (real formats, invented names)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

UN_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<CONSOLIDATED_LIST xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' "
    "dateGenerated='2026-01-01T00:00:00.000Z'>\n"
)


def un_individual(
    ref: str,
    first: str,
    second: str = "",
    aliases: tuple[tuple[str, str], ...] = (),
    original: str = "",
    dob: str = "",
    nationality: str = "",
    passport: str = "",
    comments: str = "",
    designation: str = "",
) -> str:
    alias_xml = "".join(
        f"<INDIVIDUAL_ALIAS><QUALITY>{q}</QUALITY><ALIAS_NAME>{escape(a)}</ALIAS_NAME></INDIVIDUAL_ALIAS>"
        for a, q in aliases
    )
    return (
        "<INDIVIDUAL><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM>"
        f"<FIRST_NAME>{escape(first)}</FIRST_NAME><SECOND_NAME>{escape(second)}</SECOND_NAME>"
        f"<UN_LIST_TYPE>Libya</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>"
        f"<LISTED_ON>2018-06-07</LISTED_ON><NAME_ORIGINAL_SCRIPT>{escape(original)}</NAME_ORIGINAL_SCRIPT>"
        f"<COMMENTS1>{escape(comments)}</COMMENTS1>"
        f"<DESIGNATION><VALUE>{escape(designation)}</VALUE></DESIGNATION>"
        f"<NATIONALITY><VALUE>{escape(nationality)}</VALUE></NATIONALITY>"
        "<LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>"
        f"{alias_xml}"
        f"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>{dob}</DATE></INDIVIDUAL_DATE_OF_BIRTH>"
        f"<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>{passport}</NUMBER></INDIVIDUAL_DOCUMENT>"
        "</INDIVIDUAL>"
    )


def un_entity(ref: str, name: str, aliases: tuple[str, ...] = ()) -> str:
    alias_xml = "".join(
        f"<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>{escape(a)}</ALIAS_NAME></ENTITY_ALIAS>"
        for a in aliases
    )
    return (
        f"<ENTITY><DATAID>2</DATAID><FIRST_NAME>{escape(name)}</FIRST_NAME>"
        f"<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>"
        f"<LISTED_ON>2001-10-06</LISTED_ON><COMMENTS1/>{alias_xml}</ENTITY>"
    )


def un_xml(individuals: list[str], entities: list[str] = ()) -> str:  # type: ignore[assignment]
    return (
        UN_HEAD
        + "<INDIVIDUALS>"
        + "".join(individuals)
        + "</INDIVIDUALS><ENTITIES>"
        + "".join(entities)
        + "</ENTITIES></CONSOLIDATED_LIST>\n"
    )


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


SAMPLE = [
    un_individual(
        "LYi.901",
        "Ermias",
        "Testfay",
        aliases=(("Ermias Gebray", "Good"), ("Ermies Gebrai", "Low")),
        dob="1980-04-15",
        nationality="Eritrea",
        passport="X1234567",
    ),
    un_individual(
        "LYi.902",
        "Mohammed",
        "Abdelkader Al-Synthetic",
        original="محمد عبد القادر",
        dob="1975-01-01",
        nationality="Libya",
    ),
]
