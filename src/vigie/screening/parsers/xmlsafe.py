"""Parse XML with no network, no DTD and no entity resolution; refuse any DOCTYPE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from vigie.screening.parsers.base import ListFormatError


def read(path: Path, expected_root: str) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise ListFormatError(
            path.name, f"line {line}", f"not well-formed XML ({exc.msg}); truncated file?"
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ListFormatError(
            path.name, "line 1", "a DOCTYPE is not allowed (entity expansion is refused)"
        )
    root = tree.getroot()
    if etree.QName(root).localname != expected_root:
        raise ListFormatError(
            path.name,
            f"line {root.sourceline}",
            f"root element is <{etree.QName(root).localname}>, expected <{expected_root}>",
        )
    return root


def local(el: Any) -> str:
    return str(etree.QName(el).localname) if isinstance(el.tag, str) else ""


def child_text(el: Any, name: str) -> str:
    for ch in el:
        if local(ch) == name:
            return " ".join((ch.text or "").split())
    return ""


def children(el: Any, name: str) -> list[Any]:
    return [ch for ch in el if local(ch) == name]


def values(el: Any, name: str) -> list[str]:
    """Texts of ``<name><VALUE>..</VALUE></name>`` groups (the UN list's repeated values)."""
    out: list[str] = []
    for group in children(el, name):
        for v in group:
            text = " ".join((v.text or "").split())
            if text and text not in out:
                out.append(text)
    return out
