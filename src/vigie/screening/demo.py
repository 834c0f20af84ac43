"""Demonstration data: the real UN Consolidated List snapshot from ../shared/data when it is
there (public list, no invented personal data), and synthetic suppliers saved as subjects of
the UN Procurement Division, screened at once. Synthetic names only."""

from __future__ import annotations

from typing import Any

from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening import services

UN_SNAPSHOTS = ("UN_consolidated_2020-11-30.xml", "UN_consolidated_2025-04-19.xml")
SUPPLIER_WORDS = ["Sahel", "Meridian", "Baobab", "Harmattan", "Kivu", "Volta", "Cedar", "Atlas"]
SUPPLIER_TRADES = ["Logistics", "Medical Supplies", "Catering", "Fuel", "Telecom", "Water"]
SUPPLIER_FORMS = ["SARL", "Ltd", "LLC", "SA", "Trading Company"]


def load(ctx: Any) -> None:
    folder = SHARED_DATA / "un-sanctions"
    loaded = False
    for name in UN_SNAPSHOTS:
        path = folder / name
        if path.exists():
            result = services.load_list(path)
            ctx.echo(f"  screening: {name} loaded as un-sc v{result.version.number}")
            loaded = True
    if not loaded:
        ctx.echo(
            "  screening: no UN list snapshot in ../shared/data; load one with `vigie lists load`"
        )
    org = ctx.organisations.get("unpd")
    user = ctx.users.get("procurement")
    if org is None:
        return
    rng = ctx.rng
    for i in range(12):
        words = (
            rng.choice(SUPPLIER_WORDS),
            rng.choice(SUPPLIER_TRADES),
            rng.choice(SUPPLIER_FORMS),
        )
        name = " ".join(words)
        services.create_subject(
            user,
            org,
            name=name,
            kind="Organization",
            country="LY",
            external_id=f"UNGM-{90000 + i}",
            purpose="supplier",
        )
    if loaded:
        # A supplier whose director shares a name with a listed trafficker (LYi.021's alias),
        # so the review queue has something to show.
        services.create_subject(
            user,
            org,
            name="Ermias Ghermay",
            kind="Person",
            birth_date="1980",
            external_id="UNGM-DIRECTOR-7",
            purpose="supplier",
        )
