"""A request for information to another financial intelligence unit, Egmont style, as a PDF
(ADR 0805).

Built from an alert: who asks whom, the reference, urgency and deadline, why (the red flag in
plain words, the trafficking and, where the rule says so, terrorism-financing link), the
subjects (the accounts of the alert that touch the requested unit's country, with their numbers
and holders, since the requested unit cannot search on a pseudonym), the transactions in
summary, the questions asked, and the Egmont Group's conditions on use: the information is for
intelligence purposes and is not disseminated or used as evidence without the providing unit's
prior consent (Egmont Group, Principles for Information Exchange between FIUs). It names account
numbers and holders, so only ``finance.report`` may make it, and every one is in the access log.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.finance import rules
from vigie.finance.models import Account, Alert
from vigie.finance.reports import alert_transactions
from vigie.finance.services import record_report

URGENCY_DAYS = {"urgent": 7, "normal": 30}
MAX_QUESTIONS = 20
MAX_TRANSACTIONS_LISTED = 50


@dataclass
class Request:
    requested_unit: str
    requested_country: str  # ISO 3166 alpha-2
    questions: list[str]
    urgency: str = "normal"
    terrorism_financing: bool = False
    language: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        if not self.requested_unit.strip():
            raise Invalid(_("Name the unit you ask."), code="unit_required")
        if len(self.requested_country) != 2 or not self.requested_country.isalpha():
            raise Invalid(
                _("Give the requested unit's country as a two-letter code."), code="bad_country"
            )
        if self.urgency not in URGENCY_DAYS:
            raise Invalid(_("Urgency is urgent or normal."), code="bad_urgency")
        questions = [q.strip() for q in self.questions if q.strip()]
        if not questions or len(questions) > MAX_QUESTIONS:
            raise Invalid(
                _("Ask between 1 and %(n)s questions.") % {"n": MAX_QUESTIONS},
                code="questions_required",
            )
        if self.language not in ("en", "fr"):
            raise Invalid(_("The request is written in English or French."), code="bad_language")
        self.questions = questions


def build(actor: Actor, alert: Alert, req: Request, *, requesting_unit: str) -> bytes:
    """The PDF of the request; its making is recorded in the access log."""
    actor.require("finance.report", alert.organisation_id)
    req.check()
    transactions = alert_transactions(alert)
    country = req.requested_country.upper()
    keys = {k for t in transactions for k in (t["from_account"], t["to_account"]) if k}
    accounts = {
        a.number_key: a
        for a in Account.objects.filter(organisation_id=alert.organisation_id, number_key__in=keys)
    }
    # the subjects: the flagged account, and every counterparty in the requested country
    subjects = [alert.account] + [
        a for a in accounts.values() if a.country.upper() == country and a.pk != alert.account_id
    ]
    with translation.override(req.language):
        data = _pdf(alert, req, requesting_unit, subjects, transactions, accounts)
    record_report(actor, alert, f"egmont-rfi:{country}", len(data))
    return data


def _pdf(
    alert: Alert,
    req: Request,
    requesting_unit: str,
    subjects: list[Account],
    transactions: list[dict[str, Any]],
    accounts: dict[str, Account],
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from vigie.analytics.annex_pdf import BOLD, REGULAR, register_fonts

    register_fonts()
    body = ParagraphStyle("b", fontName=REGULAR, fontSize=9.5, leading=12.5)
    head = ParagraphStyle("h", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8)
    title = ParagraphStyle("t", fontName=BOLD, fontSize=14, leading=18)
    small = ParagraphStyle("s", parent=body, fontSize=8, leading=10)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def table(rows: list[list[str]], widths: list[float]) -> Table:
        t = Table([[p(c, small) for c in r] for r in rows], colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    now = timezone.localtime()
    reference = f"VIGIE-RFI-{str(alert.pk)[:8].upper()}"
    deadline = (now + dt.timedelta(days=URGENCY_DAYS[req.urgency])).date()
    rule = rules.library().rules.get(alert.rule)
    lang = req.language
    label = rule.label_in(lang) if rule else alert.rule
    explanation = rule.explanation(alert.facts, lang) if rule and alert.facts else ""
    story: list[Any] = [
        p(_("Request for information between financial intelligence units"), title),
        p(_("Confidential — Egmont Group channel"), head),
        table(
            [
                [_("Field"), _("Value")],
                [_("Requesting unit"), requesting_unit],
                [_("Requested unit"), f"{req.requested_unit} ({req.requested_country.upper()})"],
                [_("Reference"), reference],
                [_("Date"), now.date().isoformat()],
                [
                    _("Urgency"),
                    _("urgent") if req.urgency == "urgent" else _("normal"),
                ],
                [_("Answer requested by"), deadline.isoformat()],
            ],
            [50 * mm, 120 * mm],
        ),
        p(_("Reasons for the request"), head),
        p(
            _(
                "Our analysis of transactions suspected of being linked to trafficking in "
                "persons (Security Council resolution 2331 (2016), paras 4-6) raised the "
                "following red flag: %(label)s."
            )
            % {"label": label}
        ),
    ]
    if explanation:
        story.append(p(explanation))
    if req.terrorism_financing:
        story.append(
            p(
                _(
                    "The flows may also finance a terrorist group or individual "
                    "(S/2017/939 para 73); please check your own holdings for such links."
                )
            )
        )
    story += [
        p(_("Subjects"), head),
        table(
            [[_("Account"), _("Holder"), _("Country"), _("Seen")]]
            + [
                [
                    a.number,
                    a.holder or "—",
                    a.country or "—",
                    " \u2013 ".join(
                        d.date().isoformat() if d else "—" for d in (a.first_seen, a.last_seen)
                    ),
                ]
                for a in subjects
            ],
            [60 * mm, 55 * mm, 20 * mm, 35 * mm],
        ),
        p(_("Transactions concerned"), head),
    ]
    total = sum((Decimal(str(t["amount"])) for t in transactions), Decimal(0))
    story.append(
        p(
            _("%(n)s transaction(s), %(total)s in total.")
            % {"n": len(transactions), "total": f"{total:,.2f}"}
        )
    )
    if transactions:
        story.append(
            table(
                [[_("Date"), _("From"), _("To"), _("Amount")]]
                + [
                    [
                        t["ts"].isoformat(sep=" ", timespec="minutes") if t.get("ts") else "—",
                        _number(accounts, t["from_account"]),
                        _number(accounts, t["to_account"]),
                        f"{Decimal(str(t['amount'])):,.2f} {t.get('currency') or ''}".strip(),
                    ]
                    for t in transactions[:MAX_TRANSACTIONS_LISTED]
                ],
                [32 * mm, 50 * mm, 50 * mm, 38 * mm],
            )
        )
    story += [
        p(_("Questions"), head),
        *[p(f"{i}. {q}") for i, q in enumerate(req.questions, start=1)],
        p(_("Conditions of use"), head),
        p(
            _(
                "This request and any answer are exchanged under the Egmont Group Principles "
                "for Information Exchange between Financial Intelligence Units. The information "
                "is for intelligence purposes only: it may not be disseminated to a third party "
                "or used as evidence, or for any purpose other than the one stated here, without "
                "the prior consent of the unit that provides it. Do not contact the subjects."
            )
        ),
        Spacer(1, 6 * mm),
        p(_("Made with Vigie from alert %(ref)s.") % {"ref": str(alert.pk)}, small),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=_("Request for information"),
        author=requesting_unit,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    doc.build(story)
    return out.getvalue()


def _number(accounts: dict[str, Account], key: str | None) -> str:
    if not key:
        return _("cash")
    account = accounts.get(key)
    return account.number if account else "—"
