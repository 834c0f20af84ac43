"""The annex as PDF (reportlab): a font that has every character printed, a contents table,
table headers repeated on each page and kept with their table, page numbers, and Arabic set
right to left (ADR 0064).

reportlab draws glyphs left to right, one after the other, without shaping: Arabic text is
reshaped into its presentation forms (arabic-reshaper) and put in visual order line by line
(python-bidi) before it is handed over; paragraphs are wrapped here, in logical order, so the
lines of a long note stay in reading order.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils.translation import get_language
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from vigie.analytics.annex import Section

FONTS = Path(__file__).resolve().parent / "data" / "fonts"
REGULAR, BOLD = "VigieSans", "VigieSans-Bold"


@cache
def register_fonts() -> None:
    """DejaVu Sans (subset shipped with Vigie): Latin, Arabic, U+202F and U+00A0, arrows."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans-Vigie.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold-Vigie.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR)


def _is_rtl() -> bool:
    return (get_language() or "en")[:2] == "ar"


def visual(text: str) -> str:
    """One line as reportlab must draw it: unchanged, or for Arabic shaped and reordered."""
    if not _is_rtl() or not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return text
    import arabic_reshaper

    # python-bidi's pure-Python algorithm: unlike its Rust get_display, it mirrors brackets.
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text), base_dir="R"))


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap ``text`` (logical order) into lines no wider than ``width`` points."""
    import arabic_reshaper
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(arabic_reshaper.reshape(candidate), font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class Writer:
    """Paragraph and table builders for the active language."""

    def __init__(self, width: float) -> None:
        from reportlab.lib.enums import TA_LEFT, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        register_fonts()
        self.rtl = _is_rtl()
        self.width = width
        base = getSampleStyleSheet()
        align = TA_RIGHT if self.rtl else TA_LEFT
        self.styles = {
            name: ParagraphStyle(
                f"vigie-{name}",
                parent=base[name],
                fontName=BOLD if name in ("Title", "Heading2", "Heading3") else REGULAR,
                alignment=align if name != "Title" else base[name].alignment,
            )
            for name in ("Title", "Heading2", "Heading3", "Normal", "Italic")
        }

    def para(self, text: str, style: str = "Normal") -> Any:
        from reportlab.platypus import Paragraph

        st = self.styles[style]
        if not self.rtl:
            return Paragraph(escape(text), st)
        lines = _lines(text, st.fontName, st.fontSize, self.width - 6)
        return Paragraph("<br/>".join(escape(visual(line)) for line in lines), st)

    def table(self, headers: list[str], rows: list[list[str]]) -> Any:
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data = [[visual(cell) for cell in row] for row in [headers, *rows]]
        if self.rtl:  # the first column on the right
            data = [list(reversed(row)) for row in data]
        label_col = -1 if self.rtl else 0
        table = Table(data, hAlign="RIGHT" if self.rtl else "LEFT", repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                    ("FONTNAME", (0, 0), (-1, 0), BOLD),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("ALIGN", (0, 0), (-1, -1), "LEFT" if self.rtl else "RIGHT"),
                    ("ALIGN", (label_col, 0), (label_col, -1), "RIGHT" if self.rtl else "LEFT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.whitesmoke]),
                ]
            )
        )
        return table


def render(
    parts: list[Section], period: str, note_lines: list[str], bar: Callable[..., Any]
) -> bytes:
    """The annex: title, contents, one numbered table (and figure) per section, notes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import CondPageBreak, KeepTogether, Spacer
    from reportlab.platypus.doctemplate import SimpleDocTemplate
    from reportlab.platypus.tableofcontents import TableOfContents

    margin = 2 * cm
    width = A4[0] - 2 * margin
    w = Writer(width)
    page_label = _("Page %(n)s")
    title = _("Statistical annex: trafficking in persons in armed conflict")

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:
            entry = getattr(flowable, "_vigie_toc", None)
            if entry is not None:
                self.notify("TOCEntry", (0, entry, self.page))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        text = visual(page_label % {"n": doc.page})
        if w.rtl:
            canvas.drawString(margin, 1.2 * cm, text)
        else:
            canvas.drawRightString(A4[0] - margin, 1.2 * cm, text)
        canvas.restoreState()

    toc = TableOfContents()
    toc.levelStyles = [
        ParagraphStyle("vigie-toc", fontName=REGULAR, fontSize=9, leading=12, leftIndent=0)
    ]
    toc.rightColumnWidth = 1.5 * cm
    story: list[Any] = [
        w.para(title, "Title"),
        w.para(_("Period: %(period)s") % {"period": period}),
        Spacer(1, 0.4 * cm),
        w.para(_("Contents"), "Heading2"),
        toc,
        Spacer(1, 0.4 * cm),
    ]
    for i, section in enumerate(parts, 1):
        heading = f"{_('Table')} {i}. {section.title}"
        head = w.para(heading, "Heading3")
        head._vigie_toc = visual(heading)
        # A heading never ends a page alone: keep it with the table's first rows.
        story.append(CondPageBreak(3 * cm))
        if section.release.fully_suppressed or not section.rows:
            story += [head, w.para(_("Too few records to publish."), "Italic")]
            continue
        story += [head, w.table(section.headers, section.rows), Spacer(1, 0.3 * cm)]
        if section.chart:
            figure = bar(section)
            if figure is not None:
                story += [KeepTogether([figure]), Spacer(1, 0.3 * cm)]
    story.append(w.para(_("Notes"), "Heading3"))
    story += [w.para(line) for line in note_lines]

    buf = io.BytesIO()
    doc = Doc(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        title=title,
        lang=(get_language() or "en")[:2],
    )
    doc.multiBuild(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
