"""Demonstration data: synthetic suppliers of the UN Procurement Division in sectors the US
DOL lists name (bricks, garments, cocoa, cotton, shrimp, sugarcane, gold), with synthetic
owners; a synthetic debarment list (written here, not a real one) whose second version lists
one supplier's owner, so the procurement queue has a new hit to review; one questionnaire
answered, one link expired. Risk scores read the DOL lists in ../shared/data when they are
there (VIGIE_SUPPLIERS_DOL_DIR in a deployment). Synthetic names only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from vigie.core.actor import Actor
from vigie.core.models import Membership
from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening import services as screening
from vigie.suppliers import duediligence, services
from vigie.suppliers.models import Invitation

# reference, name, country, [(product, good, sourcing country)], owner
SUPPLIERS = [
    (
        "UNGM-5101",
        "Irrawaddy Kiln Works Ltd",
        "MM",
        [("Fired clay bricks", "bricks", "MM")],
        "Thura Synthetic",
    ),
    (
        "UNGM-5102",
        "Dhaka Uniform Makers",
        "BD",
        [("Staff uniforms", "garments", "BD")],
        "Rahim Fictional",
    ),
    (
        "UNGM-5103",
        "Lagunes Cocoa Trading SA",
        "CI",
        [("Cocoa beans", "cocoa", "CI")],
        "Awa Example",
    ),
    (
        "UNGM-5104",
        "Fergana Cotton Supplies",
        "UZ",
        [("Raw cotton", "cotton", "UZ")],
        "Dilnoza Sample",
    ),
    (
        "UNGM-5105",
        "Andaman Seafood Co",
        "TH",
        [("Frozen shrimp", "shrimp", "TH")],
        "Somchai Placeholder",
    ),
    (
        "UNGM-5106",
        "Santa Cruz Sugar SRL",
        "BO",
        [("Cane sugar", "sugarcane", "BO")],
        "Lucía Invented",
    ),
    ("UNGM-5107", "Kivu Minerals Logistics", "CD", [("Gold dust", "gold", "CD")], "Jean Fictif"),
    ("UNGM-5108", "Geneva Office Supplies", "CH", [("Stationery", "", "CH")], "Anna Muster"),
]
DEBARRED_V1 = [
    "Unrelated Synthetic Contractors,firm,France,,2024-01-01,2029-01-01,Fraudulent practice",
]
DEBARRED_V2 = [
    *DEBARRED_V1,
    "Rahim Fictional,individual,Bangladesh,,2026-01-01,2031-01-01,Collusion",
]
HEADER = "Firm Name,Type,Country,Address,Ineligibility Period From,Ineligibility Period To,Grounds"


def _debarment(folder: Path, rows: list[str]) -> Any:
    path = folder / "synthetic-debarred-firms.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return screening.load_list(path, "debarment", code="demo-debarment")


def load(ctx: Any) -> None:
    org = ctx.organisations.get("unpd")
    user = ctx.users.get("procurement")
    if org is None or user is None or org_suppliers(org).exists():
        return
    Membership.objects.get_or_create(user=user, organisation=org, role="procurement_officer")
    actor = Actor(user=user, organisation_id=org.pk)
    folder = Path(settings.DATA_DIR) / "demo-lists"
    folder.mkdir(parents=True, exist_ok=True)
    _debarment(folder, DEBARRED_V1)
    dol_dir = settings.VIGIE_SUPPLIERS_DOL_DIR or (
        str(SHARED_DATA / "dol-goods") if (SHARED_DATA / "dol-goods").is_dir() else ""
    )
    with override_settings(VIGIE_SUPPLIERS_DOL_DIR=dol_dir):
        for ref, name, country, products, owner in SUPPLIERS:
            services.create_supplier(
                actor,
                org,
                services.SupplierData(
                    reference=ref,
                    name=name,
                    country=country,
                    parties=[services.PartyData(owner, "owner", share="100")],
                    products=[services.ProductData(p, good=g, country=c) for p, g, c in products],
                ),
            )
    # the second version lists one supplier's owner: the queue gets one new hit (after the
    # commit, from the screening.listversion event)
    _debarment(folder, DEBARRED_V2)
    suppliers = {s.reference: s for s in org_suppliers(org)}
    _inv, token = duediligence.create_invitation(actor, suppliers["UNGM-5103"], language="fr")
    duediligence.submit_answers(
        token,
        {
            "fees": "unknown",
            "documents": "no",
            "contract_language": "yes",
            "movement": "yes",
            "grievance": "no",
            "subcontracting": "yes",
            "monitoring": "self_assessment",
        },
        "Déclaration annuelle synthétique contre la traite des êtres humains.",
    )
    duediligence.create_invitation(actor, suppliers["UNGM-5101"], language="en")
    Invitation.objects.filter(supplier=suppliers["UNGM-5101"]).update(
        expires_at=timezone.now() - timedelta(days=2)
    )
    ctx.echo(
        f"  suppliers: {len(SUPPLIERS)} synthetic suppliers"
        + ("" if dol_dir else " (no DOL lists: scores without DOL points)")
        + "; a debarment list update lists one owner"
    )


def org_suppliers(org: Any) -> Any:
    from vigie.suppliers.models import Supplier

    return Supplier.objects.filter(organisation=org)
