"""Demonstration organisations and one user per role. Synthetic; never real people."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Membership, Organisation, User

ORGANISATIONS = [
    ("unodc", "UNODC — Human Trafficking Section (demo)", "un_entity", ""),
    ("iom", "IOM — Protection Division (demo)", "un_entity", ""),
    ("unhcr", "UNHCR — Protection (demo)", "un_entity", ""),
    ("unicef", "UNICEF — Child Protection (demo)", "un_entity", ""),
    ("ntf-ng", "National Anti-Trafficking Task Force (demo, Nigeria)", "member_state", "NG"),
    ("fiu-it", "Financial Intelligence Unit (demo, Italy)", "fiu", "IT"),
    ("unpd", "UN Procurement Division (demo)", "un_entity", ""),
    ("ngo-ls", "Lifeline Shelter Network (demo NGO)", "ngo", "LY"),
]

# username, organisation, roles, first name, last name
USERS = [
    ("admin", "unodc", ["system_admin"], "Sam", "Admin"),
    ("analyst", "unodc", ["analyst"], "Aline", "Analyst"),
    ("auditor", "unodc", ["auditor"], "Aurel", "Auditor"),
    ("unodc.admin", "unodc", ["org_admin"], "Oren", "Admin"),
    ("field", "iom", ["field_officer"], "Farah", "Field"),
    ("casemanager", "iom", ["case_manager"], "Camille", "Manager"),
    ("iom.admin", "iom", ["org_admin"], "Ines", "Admin"),
    ("unhcr.field", "unhcr", ["field_officer"], "Hana", "Field"),
    ("unicef.manager", "unicef", ["case_manager"], "Kofi", "Manager"),
    ("investigator", "ntf-ng", ["investigator"], "Ike", "Investigator"),
    ("finance", "fiu-it", ["financial_analyst"], "Fabio", "Finance"),
    ("procurement", "unpd", ["screening_officer"], "Pia", "Procurement"),
    ("ngo.field", "ngo-ls", ["field_officer"], "Nour", "Field"),
]


def load(ctx: Any) -> None:
    for code, name, kind, country in ORGANISATIONS:
        ctx.organisations[code], _ = Organisation.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "country": country}
        )
    for username, org, roles, first, last in USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_password(ctx.password)
            user.save()
        for role in roles:
            Membership.objects.get_or_create(
                user=user, organisation=ctx.organisations[org], role=role
            )
        ctx.users[username] = user
