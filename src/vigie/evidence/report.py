"""The human-readable custody report (PDF, French or English) placed in every bag."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vigie.evidence.models import CustodyEntry

EVENT_LABELS = dict(CustodyEntry.Event.choices)


def _p(text: Any, style: Any) -> Paragraph:
    safe = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(safe, style)


def write(
    path: Path,
    *,
    case_ref: str,
    items: list[dict[str, Any]],
    head: dict[str, Any],
    key_fingerprint: str,
    lang: str = "en",
) -> None:
    """``items``: dicts with record, blob and entries as written into the bag."""
    with translation.override(lang):
        styles = getSampleStyleSheet()
        small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
        mono = styles["Code"].clone("mono", fontSize=6.5, leading=8, leftIndent=0)
        story: list[Any] = [
            _p(_("Chain of custody report"), styles["Title"]),
            _p(_("Case: %(case)s") % {"case": case_ref}, styles["Heading2"]),
            _p(
                _("Generated on %(when)s by the Vigie evidence vault.")
                % {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")},
                styles["BodyText"],
            ),
            _p(
                _(
                    "Each file below is the original as received. Its SHA-256 and SHA-512 were "
                    "computed on arrival. Every event in its custody is a leaf of an append-only "
                    "Merkle-tree log (RFC 9162); the log's root is signed with the vault's "
                    "Ed25519 key. The bag holds an inclusion proof for every event."
                ),
                styles["BodyText"],
            ),
            Spacer(1, 4 * mm),
            _p(_("Signed tree head"), styles["Heading3"]),
        ]
        signed_at = dt.datetime.fromtimestamp(head["timestamp"] / 1000, dt.UTC)
        story.append(
            Table(
                [
                    [_("Log size"), str(head["tree_size"])],
                    [_("Root hash"), _p(head["root_hash"], mono)],
                    [_("Signed at"), signed_at.strftime("%Y-%m-%d %H:%M:%S UTC")],
                    [_("Key fingerprint (SHA-256)"), _p(key_fingerprint, mono)],
                    [_("Signature"), _p(head["signature"], mono)],
                ],
                colWidths=[45 * mm, 125 * mm],
                style=TableStyle(
                    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTSIZE", (0, 0), (-1, -1), 8)]
                ),
            )
        )
        for it in items:
            rec, blob = it["record"], it["blob"]
            story += [Spacer(1, 5 * mm), _p(f"{rec['name']} — {it['uuid']}", styles["Heading3"])]
            rows = [
                [_("SHA-256"), _p(blob["sha256"], mono)],
                [_("SHA-512"), _p(blob["sha512"], mono)],
                [_("Size (bytes)"), str(blob["size"])],
                [_("Detected type"), blob["type"]],
                [_("Collected at"), rec["collected_at"] or "—"],
                [_("Collected by"), _p(rec["collected_by"] or "—", small)],
                [_("Place"), _p(rec["place"] or "—", small)],
                [_("Consent"), _p(rec["consent"] or "—", small)],
                [_("Description"), _p(rec["description"] or "—", small)],
            ]
            if it.get("source"):
                rows.append([_("Derived from"), it["source"]])
            story.append(
                Table(
                    rows,
                    colWidths=[45 * mm, 125 * mm],
                    style=TableStyle(
                        [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTSIZE", (0, 0), (-1, -1), 8)]
                    ),
                )
            )
            story.append(Spacer(1, 2 * mm))
            table = [[_("#"), _("When (UTC)"), _("Event"), _("By"), _("Organisation")]]
            for e in it["entries"]:
                table.append(
                    [
                        str(e["seq"]),
                        e["at"][:19].replace("T", " "),
                        str(EVENT_LABELS.get(e["event"], e["event"])),
                        _p(e["actor"], small),
                        e["org"],
                    ]
                )
            story.append(
                Table(
                    table,
                    repeatRows=1,
                    colWidths=[12 * mm, 38 * mm, 30 * mm, 55 * mm, 35 * mm],
                    style=TableStyle(
                        [
                            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ]
                    ),
                )
            )
        story += [
            Spacer(1, 6 * mm),
            _p(_("How to check this bag"), styles["Heading3"]),
            _p(
                _(
                    "Run: vigie evidence verify-bag BAG --public-key vault-public-key.pem, with "
                    "the public key obtained from the vault's operator (not from the bag). It "
                    "re-hashes every file, checks every inclusion proof against the signed root "
                    "and the signature. See README.txt in the bag for a check without Vigie."
                ),
                styles["BodyText"],
            ),
        ]
        doc = SimpleDocTemplate(
            str(path),
            pagesize=A4,
            title=_("Chain of custody report"),
            author="Vigie",
            leftMargin=18 * mm,
            rightMargin=18 * mm,
        )
        doc.build(story)
