"""Hostile spreadsheets, built as a careless user or an attacker would (tests and bench/)."""

# ruff: noqa: E501 (the XML parts of a workbook, kept readable as one line each)

from __future__ import annotations

import csv
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# the 17 columns of the CTDC sample layout (vigie.cases.interchange.layouts.SAMPLE_COLUMNS) and a valid row
HEADER = [
    "registration_year", "datasource", "gender", "age_range", "majority_status",
    "majority_status_at_exploit", "majority_entry", "citizenship", "country_of_exploitation",
    "control_financial", "control_threats", "control_physical", "control_limit_necessities",
    "control_other", "labor", "victim_purpose", "trafficker_relationship",
]  # fmt: skip
ROW = [
    "2017", "Case Management", "Female", "0--8", "Minor", "Minor", "-99", "-99", "KH",
    "-99", "-99", "1", "-99", "1", "0", "-99", "-99",
]  # fmt: skip


def _sheet_head() -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'


def _row(number: int, cells: list[str]) -> str:
    out = [f'<row r="{number}">']
    for i, text in enumerate(cells):
        out.append(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def _write(path: Path, sheet_parts: list[bytes | str], strings: bytes | str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr(
            "xl/sharedStrings.xml",
            strings or f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="0"/>',
        )
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for part in sheet_parts:
                fh.write(part.encode() if isinstance(part, str) else part)
    return path


def huge_cell(path: Path, mib: int) -> Path:
    """One shared string of ``mib`` MiB in the second row (the issue's 64 MiB / 1 GiB file)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            block = b"A" * 1024**2
            for _ in range(mib):
                fh.write(block)
            fh.write(b"</t></si></sst>")
        sheet = (
            _sheet_head()
            + _row(1, HEADER)
            + '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'
        )
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def entity_bomb(path: Path) -> Path:
    """The billion laughs in the shared strings."""
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{ents}]>'
        f'<sst {NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    sheet = (
        _sheet_head()
        + _row(1, HEADER)
        + '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    return _write(path, [sheet], strings)


def many_rows(path: Path, rows: int) -> Path:
    parts: list[bytes | str] = [_sheet_head(), _row(1, HEADER)]
    chunk = []
    for n in range(2, rows + 2):
        chunk.append(_row(n, ROW))
        if len(chunk) == 5000:
            parts.append("".join(chunk))
            chunk = []
    parts.append("".join(chunk) + "</sheetData></worksheet>")
    return _write(path, parts)


def row_gap(path: Path, row: int) -> Path:
    """One value in row ``row``: openpyxl yields every empty row before it."""
    sheet = (
        _sheet_head()
        + _row(1, HEADER)
        + f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>x</t></is></c></row>'
        + "</sheetData></worksheet>"
    )
    return _write(path, [sheet])


def wide_row(path: Path, column: str = "XFD") -> Path:
    """A value in the last column Excel allows: openpyxl pads the row to 16,384 cells."""
    sheet = (
        _sheet_head()
        + _row(1, HEADER)
        + f'<row r="2"><c r="{column}2" t="inlineStr"><is><t>x</t></is></c></row>'
        + "</sheetData></worksheet>"
    )
    return _write(path, [sheet])


def zip_bomb(path: Path, mib: int) -> Path:
    """A worksheet that inflates to ``mib`` MiB of whitespace (valid XML, tiny file)."""
    parts: list[bytes | str] = [_sheet_head(), _row(1, HEADER)]
    parts += [b" " * 1024**2] * mib
    parts.append("</sheetData></worksheet>")
    return _write(path, parts)


def lying_sizes(path: Path, mib: int, declared: int = 1000) -> Path:
    """``zip_bomb`` whose central directory declares the sheet ``declared`` bytes long."""
    zip_bomb(path, mib)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + len(name)] == name:
                if struct.unpack_from("<I", data, at + size_at)[0] != 0xFFFFFFFF:
                    struct.pack_into("<I", data, at + size_at, declared)
                _patch_zip64(data, at, name_at, len(name), declared)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def _patch_zip64(data: bytearray, at: int, name_at: int, name_len: int, declared: int) -> None:
    """The uncompressed size in a zip64 extra field (first 8 bytes of its data)."""
    extra_len_at = name_at - 2 if name_at == 30 else 30
    extra_len = struct.unpack_from("<H", data, at + extra_len_at)[0]
    pos = at + name_at + name_len
    end = pos + extra_len
    while pos + 4 <= end:
        tag, size = struct.unpack_from("<HH", data, pos)
        if tag == 1 and size >= 8:
            struct.pack_into("<Q", data, pos + 4, declared)
        pos += 4 + size


# The hostile workbooks every XLSX reader is probed with (ADR 0050, 0059): one 64 MiB string
# in a small file, the billion laughs, a zip declaring 600 MiB.
HOSTILE_XLSX: dict[str, Callable[[Path], Path]] = {
    "huge_cell": lambda p: huge_cell(p, 64),
    "entity_bomb": entity_bomb,
    "zip_bomb": lambda p: zip_bomb(p, 600),
}

COUNTRIES = ["KH", "NG", "LY", "UA", "CD", "SY", "IQ", "ML"]


def write_ctdc_sample(path: Path, rows: int) -> Path:
    """A synthetic file in the 17-column CTDC sample layout, every row different."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            flags = ["1" if (i >> bit) & 1 else "-99" for bit in range(5)]
            writer.writerow(
                [
                    str(2002 + i % 20),
                    "Case Management",
                    "Female" if i % 3 else "Male",
                    "0--8",
                    "Minor",
                    "Minor",
                    "-99",
                    COUNTRIES[i % len(COUNTRIES)],
                    COUNTRIES[(i // 8) % len(COUNTRIES)],
                    *flags,
                    "-99",
                    "-99",
                    str(i),
                ]
            )
    return path
