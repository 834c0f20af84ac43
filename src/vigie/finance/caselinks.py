"""Accounts linked to cases and their people, and the case page's financial panel (ADR 0804).

A link is made by an analyst of the financial intelligence unit that holds the account
(``finance.view`` there) who may also see the case (``case.view``): one person then sees both
sides, so a link never tells anyone about a record they could not read. The case page shows
two panels: to analysts of the account's unit, each linked account with its score, dates and
alerts; to every other reader of the case, only that a unit holds linked accounts and which
one to ask (no account, amount or alert), so a case worker learns where to turn and nothing
that could tip off a suspect.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from vigie.cases.models import Case, Perpetrator, Victim
from vigie.core import access
from vigie.core.actor import Actor, Viewer, as_actor
from vigie.core.errors import Conflict, Forbidden, Invalid, NotFound
from vigie.core.events import announce
from vigie.finance.models import Account, Alert, CaseLink


def case_for_reader(user: Viewer, case_uuid: Any) -> Case:
    case = Case.objects.select_related("organisation").filter(uuid=case_uuid).first()
    if case is None or user is None or not access.can(user, "case.view", case):
        raise NotFound(_("No such case."), code="case_not_found")
    return case


def _person_of(case: Case, party: str, person: str) -> str:
    if party == CaseLink.Party.CASE:
        if person:
            raise Invalid(_("A link to the case names no person."), code="person_not_expected")
        return ""
    model = Victim if party == CaseLink.Party.VICTIM else Perpetrator
    if not person or not model.objects.filter(case=case, uuid=person).exists():
        message = (
            _("Name a victim of this case.")
            if party == CaseLink.Party.VICTIM
            else _("Name a perpetrator of this case.")
        )
        raise Invalid(message, code="person_not_in_case", detail={"party": party})
    return str(person)


def link(
    actor: Actor,
    account: Account,
    case_uuid: Any,
    *,
    party: str = CaseLink.Party.CASE,
    person: str = "",
    basis: str = CaseLink.Basis.ANALYST,
    note: str = "",
) -> CaseLink:
    actor.require("finance.view", account.organisation_id)
    if party not in CaseLink.Party.values or basis not in CaseLink.Basis.values:
        raise Invalid(_("Unknown party or basis."), code="invalid_link")
    case = case_for_reader(actor, case_uuid)
    person = _person_of(case, party, person)
    try:
        with transaction.atomic():
            made = CaseLink.objects.create(
                organisation_id=account.organisation_id,
                account=account,
                case=case,
                party=party,
                person=person,
                basis=basis,
                note=note or None,
                linked_by=actor.user,
            )
            announce(
                "finance.caselink",
                [made.pk],
                actor,
                action="created",
                organisation_id=account.organisation_id,
            )
    except IntegrityError:
        raise Conflict(_("This account is already linked so."), code="already_linked") from None
    return made


def unlink(actor: Actor, made: CaseLink) -> None:
    actor.require("finance.view", made.organisation_id)
    with transaction.atomic():
        pk = made.pk
        made.delete()
        announce(
            "finance.caselink",
            [pk],
            actor,
            action="deleted",
            organisation_id=made.organisation_id,
            uuids=[pk],
        )


def get_link_for(actor: Actor, pk: Any) -> CaseLink:
    orgs = actor.organisations_with("finance.view")
    qs = CaseLink.objects.filter(pk=pk)
    if orgs is not None:
        qs = qs.filter(organisation_id__in=orgs)
    found = qs.first()
    if found is None:
        raise NotFound(_("No such link."), code="link_not_found")
    return found


def case_panel(user: Viewer, case: Case) -> dict[str, Any] | None:
    """The financial profile of a case for ``user`` (None when nothing is linked)."""
    links = list(CaseLink.objects.filter(case=case).select_related("account", "organisation"))
    if not links:
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Sign in."), code="not_authenticated")
    orgs = as_actor(user).organisations_with("finance.view")

    def analyses(org_id: int) -> bool:
        return orgs is None or org_id in orgs

    mine = [x for x in links if analyses(x.organisation_id)]
    others = sorted({x.organisation.name for x in links if not analyses(x.organisation_id)})
    accounts = {x.account_id for x in mine}
    alerts = {
        row["account"]: row
        for row in Alert.objects.filter(account_id__in=accounts)
        .values("account")
        .annotate(
            open=Count("id", filter=~Q(status__in=Alert.CLOSED)),
            reported=Count("id", filter=Q(status=Alert.Status.REPORTED)),
            total=Count("id"),
        )
    }
    rows = [
        {
            "link": str(x.pk),
            "account": x.account_id,
            "organisation": x.organisation.name,
            "party": x.get_party_display(),
            "basis": x.get_basis_display(),
            "country": x.account.country,
            "score": x.account.score,
            "first_seen": x.account.first_seen,
            "last_seen": x.account.last_seen,
            "alerts": alerts.get(x.account_id, {}).get("total", 0),
            "open_alerts": alerts.get(x.account_id, {}).get("open", 0),
            "reported": alerts.get(x.account_id, {}).get("reported", 0),
        }
        for x in mine
    ]
    return {"accounts": rows, "held_elsewhere": others, "count": len(links)}
