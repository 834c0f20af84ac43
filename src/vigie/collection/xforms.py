"""XLSForm to XForm with pyxform's public API, what an XForm asks, and safe parsing of the
instances devices send back.

Instance XML comes from phones in the field: it is parsed with lxml with entities left
unresolved, no network and no DTD; a document that declares a DTD is refused outright, so
billion-laughs and external-entity documents never reach the database.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from lxml import etree
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from vigie.core import files
from vigie.core.errors import Invalid

XFORMS = "http://www.w3.org/2002/xforms"
XHTML = "http://www.w3.org/1999/xhtml"
NS = {"x": XFORMS, "h": XHTML}
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"'(survey|choices|settings|external_choices|entities)' sheet")
_COLUMN = re.compile(r"the '([\w:]+)' (?:value|column)")
_ID = re.compile(r"^[A-Za-z_][\w.-]{0,119}$")


@dataclass
class Converted:
    form_id: str
    title: str
    version: str
    xform: str
    md5: str
    questions: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def _check_workbook(data: bytes, file_name: str) -> None:
    """The bounded reader's checks (inflated sizes, DTDs and entities, over-long text) before
    openpyxl and pyxform open the workbook: they would build a zip bomb or a 64 MiB cell in
    memory (ADR 0050, 0059). A form definition names no one: the system temp dir serves."""
    name = Path(file_name.rsplit("/", 1)[-1] or "form.xlsx").name
    with tempfile.TemporaryDirectory(prefix="vigie-xlsform-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        if zipfile.is_zipfile(path):  # anything else is refused as unreadable just below
            files.check_zip(path)


def _settings_of(data: bytes) -> dict[str, str]:
    """The ``settings`` sheet as {column: value} (first data row), read before pyxform."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Invalid(
            _("This file is not an XLSForm workbook (.xlsx)."), code="xlsform_unreadable"
        ) from None
    if "settings" not in wb.sheetnames:
        return {}
    rows = list(wb["settings"].iter_rows(max_row=2, values_only=True))
    if len(rows) < 2:
        return {}
    return {
        str(k).strip(): str(v).strip()
        for k, v in zip(rows[0], rows[1], strict=False)
        if k is not None and v is not None
    }


def _problem(exc: Exception) -> Invalid:
    text = str(exc)
    ctx: dict[str, Any] = getattr(exc, "context", {}) or {}
    detail: dict[str, Any] = {"message": text}
    row = ctx.get("row") or (m.group(1) if (m := _ROW.search(text)) else None)
    sheet = ctx.get("sheet") or (m.group(1) if (m := _SHEET.search(text)) else None)
    column = ctx.get("column") or (m.group(1) if (m := _COLUMN.search(text)) else None)
    for key, value in (("sheet", sheet), ("row", row), ("column", column)):
        if value is not None:
            detail[key] = int(value) if key == "row" else str(value)
    where = ", ".join(f"{k} {detail[k]}" for k in ("sheet", "row", "column") if k in detail)
    message = _("The XLSForm has an error") + (f" ({where})" if where else "") + f": {text}"
    return Invalid(message, code="xlsform_invalid", detail=detail)


def convert_xlsform(data: bytes, file_name: str) -> Converted:
    """Convert an XLSForm; ``form_id`` and ``version`` come from its settings sheet (the file
    name stands in for a missing id, as in ODK Central)."""
    _check_workbook(data, file_name)
    settings = _settings_of(data)
    stem = re.sub(r"[^\w.-]", "_", file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "form"
    form_id = settings.get("form_id") or settings.get("id_string") or stem
    if not _ID.match(form_id):
        raise Invalid(
            _("The form id must start with a letter and hold only letters, digits, _ . -"),
            code="xlsform_invalid",
            detail={"sheet": "settings", "column": "form_id"},
        )
    version = settings.get("version", "")
    if not version:
        raise Invalid(
            _("The settings sheet must give a version, so devices can tell versions apart."),
            code="xlsform_no_version",
            detail={"sheet": "settings", "column": "version"},
        )
    warnings: list[str] = []
    try:
        result = convert(xlsform=io.BytesIO(data), warnings=warnings, file_type=".xlsx")
    except PyXFormError as exc:
        raise _problem(exc) from None
    except Exception as exc:
        raise _problem(exc) from None
    root = etree.fromstring(result.xform.encode("utf-8"))
    instance = _primary_instance(root)
    instance.set("id", form_id)  # a form without settings/form_id: pyxform says "data"
    title_el = root.find("h:head/h:title", NS)
    title = settings.get("form_title") or (title_el.text if title_el is not None else "") or ""
    if not settings.get("form_title") or title == "data":
        title = stem if title in ("", "data") else title
    if title_el is not None:
        title_el.text = title
    xform = etree.tostring(root, xml_declaration=True, encoding="utf-8").decode("utf-8")
    return Converted(
        form_id=form_id,
        title=title,
        version=version,
        xform=xform,
        md5=hashlib.md5(xform.encode("utf-8"), usedforsecurity=False).hexdigest(),
        questions=questions_of(root),
        warnings=[str(w) for w in warnings],
    )


def _primary_instance(root: Any) -> Any:
    inst = root.find("h:head/x:model/x:instance", NS)
    if inst is None or len(inst) == 0:
        raise Invalid(_("The XForm has no primary instance."), code="xform_invalid")
    return inst[0]


def _label_text(el: Any, itext: dict[str, str]) -> str:
    label = el.find("x:label", NS)
    if label is None:
        return ""
    ref = label.get("ref", "")
    m = re.match(r"jr:itext\('(.+)'\)", ref)
    if m:
        return itext.get(m.group(1), "")
    return " ".join("".join(label.itertext()).split())


def questions_of(root: Any) -> dict[str, dict[str, Any]]:
    """{question path: {"label", "type", "choices"}} from the XForm's body (default language)."""
    itext: dict[str, str] = {}
    translation = root.find("h:head/x:model/x:itext/x:translation", NS)
    if translation is not None:
        for text in translation.findall("x:text", NS):
            value = text.find("x:value", NS)
            if value is not None:
                itext[text.get("id", "")] = " ".join("".join(value.itertext()).split())
    secondary: dict[str, dict[str, str]] = {}
    for inst in root.findall("h:head/x:model/x:instance", NS)[1:]:
        items = {}
        for item in inst.iter(f"{{{XFORMS}}}item"):
            name = item.findtext(f"{{{XFORMS}}}name") or ""
            items[name] = (item.findtext(f"{{{XFORMS}}}label") or name).strip()
        secondary[inst.get("id", "")] = items
    out: dict[str, dict[str, Any]] = {}
    body = root.find("h:body", NS)
    if body is None:
        return out
    for el in body.iter():
        ref = el.get("ref") or el.get("nodeset")
        if not ref or not isinstance(el.tag, str) or el.tag.endswith("itemset"):
            continue
        kind = etree.QName(el).localname
        if kind not in ("input", "select1", "select", "upload", "trigger", "range", "group"):
            continue
        choices: dict[str, str] = {}
        itemset = el.find("x:itemset", NS)
        if itemset is not None:
            m = re.match(r"instance\('([^']+)'\)", itemset.get("nodeset", ""))
            if m:
                choices = secondary.get(m.group(1), {})
        for item in el.findall("x:item", NS):
            choices[item.findtext("x:value", "", NS)] = _label_text(item, itext)
        out[_strip_root(ref)] = {"label": _label_text(el, itext), "type": kind, "choices": choices}
    return out


def _strip_root(ref: str) -> str:
    """``/data/group/q`` -> ``group/q`` (paths relative to the instance root)."""
    parts = [p for p in ref.split("/") if p]
    return "/".join(parts[1:])


@dataclass
class Instance:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    answers: list[tuple[str, str]]


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def parse_root(data: bytes) -> Any:
    """Parse submitted XML; refuse anything with a DTD (entities, external refs)."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise Invalid(
            _("The submission declares a DTD or entities; they are not accepted."),
            code="submission_dtd",
        )
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise Invalid(_("The submission is not well-formed XML."), code="submission_xml") from None
    if root.getroottree().docinfo.doctype:
        raise Invalid(_("The submission declares a DTD."), code="submission_dtd")
    return root


def instance_of(root: Any) -> Instance:
    """The form, version, ids and answers of a parsed (plain) instance."""
    form_id = root.get("id", "")
    version = root.get("version", "")
    meta = root.find("{*}meta")
    instance_id = (meta.findtext("{*}instanceID") or "").strip() if meta is not None else ""
    deprecated = (meta.findtext("{*}deprecatedID") or "").strip() if meta is not None else ""
    if not form_id or not instance_id:
        raise Invalid(
            _("The submission has no form id or no meta/instanceID."), code="submission_incomplete"
        )
    answers: list[tuple[str, str]] = []
    _walk(root, "", answers)
    return Instance(form_id, version, instance_id[:120], deprecated[:120], answers)


def _walk(el: Any, prefix: str, out: list[tuple[str, str]]) -> None:
    """Leaves as (path, text); a repeated element gets ``[n]`` from its second occurrence on."""
    counts: dict[str, int] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        counts[name] = counts.get(name, 0) + 1
        path = f"{prefix}{name}"
        if counts[name] > 1 or any(
            etree.QName(s).localname == name for s in child.itersiblings() if isinstance(s.tag, str)
        ):
            path = f"{path}[{counts[name]}]"
        if len(child):
            _walk(child, path + "/", out)
        else:
            out.append((path, (child.text or "").strip()))
