"""Synthetic demonstration data: a panel of experts (demo) that the case-holding agencies
share their records with (no identities), a panel expert and a sanctions analyst, and one
draft dossier on an invented trafficker linked to demo cases. Never real people: the names
below appear in no sanctions list."""

from __future__ import annotations

from typing import Any

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.models import Membership, Organisation, OrganisationShare, User
from vigie.dossiers import services
from vigie.dossiers.models import Dossier

OWNERS = ["iom", "unhcr", "unicef", "ngo-ls", "ntf-ng"]
USERS = [
    ("panel", "panel_expert", "Paz", "Panel"),
    ("sanctions", "sanctions_analyst", "Sami", "Sanctions"),
]
NAME = "Kaldor Vesk Amaru"
NARRATIVE = (
    "Kaldor Vesk Amaru (synthetic) leads a network that moves migrants from the southern "
    "border to coastal warehouses, where they are held for ransom and sold for forced labour "
    "and sexual exploitation. Case records shared with the Panel describe abductions, "
    "detention and forced labour in the places the network controls between 2016 and 2018."
)


def _panel(ctx: Any) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        code="panel-ly",
        defaults={"name": "Panel of Experts on Libya (demo)", "kind": "un_entity"},
    )
    ctx.organisations["panel-ly"] = org
    for username, role, first, last in USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(ctx.password)
            user.save()
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        ctx.users[username] = user
    for code in OWNERS:
        owner = ctx.organisations.get(code)
        if owner is not None:
            OrganisationShare.objects.get_or_create(
                owner=owner, partner=org, scope="case", defaults={"include_identities": False}
            )
    return org


def load(ctx: Any) -> None:
    if not ctx.organisations or Dossier.objects.exists():
        return
    panel = _panel(ctx)
    expert = Actor(ctx.users["panel"], panel.pk)
    dossier = services.create_dossier(
        expert, kind="individual", regime="1970", primary_name=NAME, birth_date="1981",
        birth_place="Synthetic Oasis", nationalities=["LY"], gender="male",
        designation="Head of a smuggling and trafficking network (synthetic)", narrative=NARRATIVE,
    )  # fmt: skip
    services.add_alias(expert, dossier, "كالدور فيسك أمارو")
    services.add_alias(expert, dossier, "Abu Amaru", quality="low")
    services.add_identifier(expert, dossier, type="passport", number="DEMO0001", country="LY")
    # cases with a perpetrator record, those in Libya first (the panel's country)
    with_perpetrator = Case.objects.filter(perpetrators__isnull=False).distinct().order_by("id")
    cases = list(with_perpetrator.filter(country="LY")[:24])
    cases += list(with_perpetrator.exclude(country="LY")[: 24 - len(cases)])
    for case in cases:
        perpetrator = case.perpetrators.order_by("id").first()
        services.link_case(expert, dossier, case.uuid, perpetrator.uuid if perpetrator else None)
    if cases:
        services.add_fact(
            expert, dossier, criterion="human_rights_abuses",
            statement="Held migrants in warehouses for ransom and forced them to work (synthetic).",
            sources=[{"kind": "case", "ref": str(c.uuid)} for c in cases[:3]]
            + [{"kind": "document", "ref": "S/2017/466"}],
        )  # fmt: skip
    services.add_fact(
        expert, dossier, criterion="threat_to_peace",
        statement="Finances an armed group from the proceeds of trafficking (synthetic).",
        sources=[{"kind": "document", "ref": "S/2017/939, para. 56"}],
    )  # fmt: skip
    ctx.echo(f"  dossiers: 1 synthetic dossier ({dossier.reference}) linked to {len(cases)} cases")
