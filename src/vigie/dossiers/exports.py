"""A dossier exported as a draft listing proposal: the Security Council's standard listing
form fields and the "narrative summary of reasons for listing" as PDF (French or English,
reportlab with the annex's fonts and writer, vigie.analytics.annex_pdf), and the subject as
an entry shaped like the Consolidated List XML (read back by vigie.screening.parsers.un).

The XML carries the subject and the narrative only; the PDF adds the facts, their criteria and
sources, and every non-confidential section; victims' identities appear only in the PDF's
confidential annex, only when asked for and only for cases whose organisation gave the actor
``victim.identity.export``. Every export is recorded (services.record_export).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.dossiers import regimes, sections, services
from vigie.dossiers.models import Dossier, Identifier

FORMATS = ("pdf", "xml")
LANGUAGES = ("fr", "en")
DOC_TYPES = {
    "passport": "Passport",
    "national_id": "National Identification Number",
    "military_id": "Other",
    "registration": "Other",
    "other": "Other",
}


@dataclass
class Exported:
    content: bytes
    filename: str
    content_type: str
    sha256: str


def export(
    actor: Actor, dossier: Dossier, fmt: str, language: str = "en", *, identities: bool = False
) -> Exported:
    """Render the dossier and record the export (access log and the dossier's export list)."""
    if fmt not in FORMATS:
        raise Invalid(_("Export as pdf or xml."), code="unknown_format", detail={"format": fmt})
    if language not in LANGUAGES:
        raise Invalid(_("Export in fr or en."), code="unknown_language", detail={"lang": language})
    actor.require(services.EXPORT, dossier.organisation_id)
    with translation.override(language):
        request = sections.SectionRequest(
            actor=actor,
            dossier=dossier,
            purpose=sections.EXPORT,
            language=language,
            identities=identities and fmt == "pdf",
        )
        parts = sections.gather(request) if fmt == "pdf" else []
        content = render_pdf(dossier, parts, language) if fmt == "pdf" else render_xml(dossier)
    digest = hashlib.sha256(content).hexdigest()
    shown: dict[str, list[str]] = {}
    for part in parts:
        for code, fields in part.identity_fields.items():
            shown[code] = sorted(set(shown.get(code, [])) | set(fields))
    services.record_export(
        actor, dossier, fmt=fmt, language=language, sha256=digest, identity_fields=shown
    )
    ctype = "application/pdf" if fmt == "pdf" else "application/xml"
    return Exported(content, f"{dossier.reference}-{language}.{fmt}", ctype, digest)


# XML ----------------------------------------------------------------------------------


def _country(code: str) -> str:
    from vigie.cases import codelists

    return codelists.get("countries").label(code, "en") if code else ""


def _birth_date(el: Any, text: str) -> None:
    from lxml import etree

    dob = etree.SubElement(el, "INDIVIDUAL_DATE_OF_BIRTH")
    if len(text) == 4 and text.isdigit():
        etree.SubElement(dob, "TYPE_OF_DATE").text = "EXACT"
        etree.SubElement(dob, "YEAR").text = text
    else:
        etree.SubElement(dob, "TYPE_OF_DATE").text = "EXACT"
        etree.SubElement(dob, "DATE").text = text


def reference_number(dossier: Dossier) -> str:
    """A draft's reference in the list's shape (regime prefix) that no real entry has."""
    regime = regimes.catalogue().get(dossier.regime)
    prefix = regime.prefix if dossier.kind == Dossier.Kind.INDIVIDUAL else regime.entity_prefix
    return f"{prefix}.{dossier.reference}"


def render_xml(dossier: Dossier) -> bytes:
    """The subject as one INDIVIDUAL or ENTITY of a CONSOLIDATED_LIST document (elements in
    the order of the list's schema)."""
    from lxml import etree

    regime = regimes.catalogue().get(dossier.regime)
    individual = dossier.kind == Dossier.Kind.INDIVIDUAL
    tag = "INDIVIDUAL" if individual else "ENTITY"
    root = etree.Element(
        "CONSOLIDATED_LIST", dateGenerated=timezone.now().isoformat(timespec="seconds")
    )
    group = etree.SubElement(root, "INDIVIDUALS" if individual else "ENTITIES")
    el = etree.SubElement(group, tag)

    def add(name: str, text: str | None) -> Any:
        sub = etree.SubElement(el, name)
        if text:
            sub.text = text
        return sub

    def values(name: str, items: list[str]) -> None:
        sub = etree.SubElement(el, name)
        for item in items or [""]:
            v = etree.SubElement(sub, "VALUE")
            if item:
                v.text = item

    add("VERSIONNUM", "1")
    words = dossier.primary_name.split()
    if individual:
        parts = [*words[:3], " ".join(words[3:])] if len(words) > 4 else words
        for name, part in zip(
            ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"), parts, strict=False
        ):
            add(name, part)
    else:
        add("FIRST_NAME", dossier.primary_name)
    add("UN_LIST_TYPE", regime.un_list_type)
    add("REFERENCE_NUMBER", reference_number(dossier))
    add("LISTED_ON", None)
    if individual and dossier.gender:
        add("GENDER", dossier.gender.capitalize())
    aliases = list(dossier.aliases.all())
    original = [a.name for a in aliases if a.kind == "original_script"]
    if original:
        add("NAME_ORIGINAL_SCRIPT", ", ".join(original))
    add("COMMENTS1", dossier.narrative)
    if individual:
        values("TITLE", [dossier.title] if dossier.title else [])
        values("DESIGNATION", [dossier.designation] if dossier.designation else [])
        values("NATIONALITY", [_country(c) for c in dossier.nationalities])
    values("LIST_TYPE", ["UN List"])
    values("LAST_DAY_UPDATED", [])
    for alias in (a for a in aliases if a.kind == "alias"):
        al = etree.SubElement(el, f"{tag}_ALIAS")
        etree.SubElement(al, "QUALITY").text = alias.quality.capitalize()
        etree.SubElement(al, "ALIAS_NAME").text = alias.name
    address = etree.SubElement(el, f"{tag}_ADDRESS")
    if dossier.address:
        etree.SubElement(address, "NOTE").text = dossier.address
    if individual:
        if dossier.birth_date:
            _birth_date(el, dossier.birth_date)
        pob = etree.SubElement(el, "INDIVIDUAL_PLACE_OF_BIRTH")
        if dossier.birth_place:
            etree.SubElement(pob, "CITY").text = dossier.birth_place
        for ident in dossier.identifiers.all():
            doc = etree.SubElement(el, "INDIVIDUAL_DOCUMENT")
            etree.SubElement(doc, "TYPE_OF_DOCUMENT").text = DOC_TYPES[ident.type]
            if ident.type in ("military_id", "registration"):
                etree.SubElement(doc, "TYPE_OF_DOCUMENT2").text = ident.get_type_display()
            etree.SubElement(doc, "NUMBER").text = ident.number
            if ident.country:
                etree.SubElement(doc, "ISSUING_COUNTRY").text = _country(ident.country)
            if ident.issued:
                etree.SubElement(doc, "DATE_OF_ISSUE").text = ident.issued
            if ident.note:
                etree.SubElement(doc, "NOTE").text = ident.note
    add("SORT_KEY", None)
    add("SORT_KEY_LAST_MOD", None)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# PDF ----------------------------------------------------------------------------------


def _shape(text: str) -> str:
    """A name in Arabic script inside a French or English page: shaped and put in visual
    order (reportlab draws glyphs left to right, unshaped; see vigie.analytics.annex_pdf)."""
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text), base_dir="L"))


def _identifying_rows(dossier: Dossier, lang: str) -> list[list[str]]:
    aliases = list(dossier.aliases.all())
    idents: list[Identifier] = list(dossier.identifiers.all())
    rows = [
        [_("Name"), dossier.primary_name],
        [_("Individual or entity"), dossier.get_kind_display()],
        [
            _("Aliases"),
            "; ".join(
                f"{a.name} ({a.get_quality_display()})" for a in aliases if a.kind == "alias"
            ),
        ],
        [
            _("Name in original script"),
            "; ".join(a.name for a in aliases if a.kind == "original_script"),
        ],
    ]
    if dossier.kind == Dossier.Kind.INDIVIDUAL:
        rows += [
            [_("Title"), dossier.title or ""],
            [_("Designation"), dossier.designation or ""],
            [_("Date of birth"), dossier.birth_date or ""],
            [_("Place of birth"), dossier.birth_place or ""],
            [
                _("Gender"),
                {"male": _("male"), "female": _("female"), "unknown": _("unknown")}.get(
                    dossier.gender, ""
                ),
            ],
            [_("Nationality"), ", ".join(_country(c) for c in dossier.nationalities)],
        ]
    rows += [
        [
            _("Documents"),
            "; ".join(
                f"{i.get_type_display()} {i.number}"
                + (f" ({_country(i.country)})" if i.country else "")
                for i in idents
            ),
        ],
        [_("Address"), dossier.address or ""],
        [_("Other information"), dossier.other_information or ""],
    ]
    return [[k, _shape(v) or "—"] for k, v in rows]


def render_pdf(dossier: Dossier, parts: list[sections.Section], lang: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import CondPageBreak, PageBreak, SimpleDocTemplate, Spacer

    from vigie.analytics.annex_pdf import REGULAR, Writer, visual

    regime = regimes.catalogue().get(dossier.regime)
    margin = 2 * cm
    w = Writer(A4[0] - 2 * margin)
    draft = _("DRAFT — prepared with Vigie; not an official document of the United Nations")
    story: list[Any] = [
        w.para(_("Standard listing form: draft"), "Title"),
        w.para(draft, "Italic"),
        w.para(regime.committee_name(lang)),
        w.para(
            _("Dossier %(ref)s, status: %(status)s, proposed reference %(num)s")
            % {
                "ref": dossier.reference,
                "status": dossier.get_status_display(),
                "num": reference_number(dossier),
            }
        ),
        w.para(_("Measures: %(m)s") % {"m": regime.measures_text(lang)}),
        Spacer(1, 0.3 * cm),
        w.para(_("I. Identifying information"), "Heading2"),
        w.table([_("Field"), _("Value")], _identifying_rows(dossier, lang)),
        Spacer(1, 0.3 * cm),
        w.para(_("II. Basis for listing: designation criteria"), "Heading2"),
    ]
    facts = list(dossier.facts.all())
    met = sorted({f.criterion for f in facts})
    to_verify = []
    for code in met:
        c = regime.criterion(code)
        flag = "" if c.verified else " " + _("[paragraph to verify]")
        story.append(w.para(f"• {c.label(lang)} — {c.citation}{flag}"))
        if not c.verified:
            to_verify.append(f"{c.citation}: {c.verify}")
    if not met:
        story.append(w.para(_("No fact is mapped to a criterion yet."), "Italic"))
    story += [Spacer(1, 0.3 * cm), w.para(_("III. Facts, criteria and sources"), "Heading2")]
    for n, fact in enumerate(facts, 1):
        period = ""
        if fact.date_from or fact.date_to:
            period = f" ({fact.date_from or '…'} / {fact.date_to or '…'})"
        story.append(w.para(f"{n}. {fact.statement}{period}"))
        sources = "; ".join(f"{s['kind']}: {s['ref']}" for s in fact.sources)
        story.append(
            w.para(
                _("Criterion: %(c)s. Sources: %(s)s")
                % {"c": regime.criterion(fact.criterion).label(lang), "s": sources},
                "Italic",
            )
        )
    story += [
        Spacer(1, 0.3 * cm),
        w.para(_("IV. Narrative summary of reasons for listing"), "Heading2"),
    ]
    story += [w.para(p) for p in (dossier.narrative or "—").split("\n") if p.strip()]
    public = [p for p in parts if not p.confidential]
    confidential = [p for p in parts if p.confidential]
    for i, part in enumerate(public, 1):
        story += [
            CondPageBreak(3 * cm),
            w.para(_("Annex %(n)s. %(title)s") % {"n": i, "title": part.title}, "Heading2"),
        ]
        story += [w.para(line) for line in part.lines]
        if part.rows:
            story.append(w.table(part.headers, part.rows))
    if to_verify:
        story += [
            Spacer(1, 0.3 * cm),
            w.para(_("Citations to verify before submission"), "Heading3"),
        ]
        story += [w.para(line) for line in to_verify]
    for part in confidential:
        story += [
            PageBreak(),
            w.para(
                _("CONFIDENTIAL ANNEX — not for transmission with the listing form"), "Heading2"
            ),
            w.para(part.title, "Heading3"),
            *[w.para(line) for line in part.lines],
            w.table(part.headers, part.rows),
        ]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.drawString(margin, 1.2 * cm, visual(f"{dossier.reference} — {draft}"))
        canvas.drawRightString(A4[0] - margin, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{dossier.reference} — {_('Standard listing form: draft')}",
        author="Vigie",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
