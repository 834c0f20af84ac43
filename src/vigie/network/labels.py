"""What each kind of link is called in the interface (a link imported with a role of its
own keeps that role as its label)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LINKS = {
    "identified_in": _("identified in"),
    "mentions_phone": _("mentions the phone"),
    "mentions_vehicle": _("mentions the vehicle"),
    "mentions_account": _("mentions the account"),
    "mentions_document": _("mentions the document"),
    "part_of": _("part of"),
    "happened_in": _("happened in"),
    "attributed_to": _("attributed to"),
    "victim_in": _("victim in"),
    "victim_of": _("victim of"),
    "has_phone": _("has the phone"),
    "has_document": _("has the document"),
    "lives_at": _("lives at"),
    "perpetrator_in": _("perpetrator in"),
    "exploited": _("exploited"),
    "exploited_in": _("exploited in"),
    "route": _("route through"),
    "screening_open": _("possibly listed"),
    "screening_confirmed": _("listed"),
    "collected_at": _("collected at"),
    "evidence_of_case": _("evidence of"),
    "evidence_of_perpetrator": _("evidence of"),
    "evidence_of_incident": _("evidence of"),
    "holds": _("holds"),
    "taken_with": _("taken with"),
}


def link_label(kind: str) -> str:
    label = LINKS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ")
