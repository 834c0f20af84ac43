"""Watchlist parsers: UN Consolidated List XML, OFAC SDN (legacy CSV, sdnList XML),
FollowTheMoney JSON lines and any CSV with a column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vigie.screening.parsers.base import ListFormatError, ParsedEntry, ParsedList

SOURCES = ("un", "ofac", "ftm", "csv", "debarment")


def detect_source(path: Path) -> str:
    """Guess the format from the file's first bytes (``--source`` overrides)."""
    if path.is_dir():
        if (path / "sdn.csv").exists():
            return "ofac"
        raise ListFormatError(str(path), "", "a folder is read only as OFAC legacy CSV (sdn.csv)")
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace").lstrip("\ufeff \r\n\t")
    if head.startswith("<"):
        return "ofac" if "<sdnList" in head else "un"
    if head.startswith("{"):
        return "ftm"
    if path.name.lower().startswith("sdn") and head[:1].isdigit():
        return "ofac"
    return "csv"


def parse(path: Path, source: str | None = None, **options: Any) -> ParsedList:
    """Read a whole watchlist file; raise ListFormatError for anything that is not right."""
    from vigie.screening.parsers import csvlist, debarment, ftm, ofac, un

    if not path.exists():
        raise ListFormatError(str(path), "", "no such file")
    source = source or detect_source(path)
    if source == "un":
        result = un.parse(path)
    elif source == "ofac":
        result = ofac.parse(path)
    elif source == "ftm":
        result = ftm.parse(path, code=options.get("code"))
    elif source == "debarment":
        result = debarment.parse(path, code=options.get("code"))
    elif source == "csv":
        result = csvlist.parse(path, mapping=options.get("mapping"), code=options.get("code"))
    else:
        raise ListFormatError(str(path), "", f"unknown source {source!r}; use one of {SOURCES}")
    if not result.entries:
        raise ListFormatError(str(path), "", "no entries found: refusing to load an empty list")
    result.check_unique(path.name)
    return result


__all__ = ["SOURCES", "ListFormatError", "ParsedEntry", "ParsedList", "detect_source", "parse"]
