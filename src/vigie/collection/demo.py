"""Demonstration field collection: the HTCDS XLSForm published to UNICEF's demo
organisation, one device, and a few synthetic submissions waiting for review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vigie.collection import services
from vigie.collection.models import Device, Submission
from vigie.core.actor import Actor

HTCDS = Path(__file__).parent / "data" / "forms" / "htcds_xlsform.xlsx"
GENDERS = ["Feminine", "Masculine", "NonSpecifiedUnknown"]
COUNTRIES = ["IQ", "SY", "NG", "LY", "SD"]
FORMS = ["ForcedLabour", "SexualExploitation", "ForcedMarriage", "ForcedMilitaryByNonStateActors"]


def load(ctx: Any) -> None:
    org = ctx.organisations.get("unicef")
    manager = ctx.users.get("unicef.manager")
    if org is None or manager is None:
        return
    actor = Actor(user=manager, organisation_id=org.pk)
    version = services.publish_form(actor, HTCDS.read_bytes(), HTCDS.name, [org])
    label = "Demo team (synthetic)"
    device = Device.objects.filter(organisation=org, label=label).first()
    if device is None:
        device = services.issue_device(actor, org, label).device
    rng = ctx.rng
    for i in range(5):
        instance_id = f"uuid:00000000-0000-4000-8000-{ctx.seed:06d}{i:06d}"
        if Submission.objects.filter(organisation=org, instance_id=instance_id).exists():
            continue
        born = f"{rng.randrange(1990, 2012)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"
        xml = (
            f'<data id="{version.form.form_id}" version="{version.version}">'
            "<con_Consent>TRUE</con_Consent><prs_First_Name>Demo</prs_First_Name>"
            f"<prs_Birthdate>{born}</prs_Birthdate>"
            f"<prs_Gender>{rng.choice(GENDERS)}</prs_Gender>"
            f"<prs_Citizenship>{rng.choice(COUNTRIES)}</prs_Citizenship>"
            f"<vic_TypeOfExploitation>{' '.join(rng.sample(FORMS, 2))}</vic_TypeOfExploitation>"
            f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
        )
        services.receive(device, xml.encode(), [])
