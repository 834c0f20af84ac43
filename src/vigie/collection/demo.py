"""Demonstration field collection: the HTCDS XLSForm published to UNICEF's demo
organisation, one device, and a few synthetic submissions waiting for review; and the
synthetic household interview (a repeat group of victims) published to one field team, with
a mapping profile and one submission naming two people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vigie.collection import receipt, services
from vigie.collection.models import Device, Submission
from vigie.core.actor import Actor

HTCDS = Path(__file__).parent / "data" / "forms" / "htcds_xlsform.xlsx"
HOUSEHOLD = Path(__file__).parent / "data" / "forms" / "household_synthetic.xlsx"
COLUMNS: dict[str, str] = {
    "source": "case.source_type",
    "victims/sex": "victim.sex",
    "victims/age": "victim.age_at_identification",
    "victims/forms": "exploitation.forms",
    "victims/country": "exploitation.country",
    "perpetrators/kind": "perpetrator.kind",
    "perpetrators/nationality": "perpetrator.nationality",
}
VALUES: dict[str, dict[str, str]] = {
    "case.source_type": {"outreach": "other"},
    "victim.sex": {"f": "female", "m": "male", "u": "unknown"},
    "exploitation.forms": {
        "labour": "forced_labour",
        "sexual": "sexual_exploitation",
        "soldier": "armed_recruitment",
    },
}
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
        receipt.receive(device, xml.encode(), [])
    _household(actor, org, ctx)


def _household(actor: Actor, org: Any, ctx: Any) -> None:
    from vigie.cases.interchange.mapping import Mapping

    if not actor.has_perm("case.import", org.pk):
        return
    version = services.publish_form(
        actor, HOUSEHOLD.read_bytes(), HOUSEHOLD.name, [org], teams=["North (demo)"]
    )
    rules = Mapping(columns=COLUMNS, values=VALUES)
    services.save_mapping(actor, version.form, org, "Household interview (demo)", rules)
    label = "North team phone (synthetic)"
    device = Device.objects.filter(organisation=org, label=label).first()
    if device is None:
        device = services.issue_device(actor, org, label, team="North (demo)").device
    instance_id = f"uuid:00000000-0000-4000-9000-{ctx.seed:012d}"
    if Submission.objects.filter(organisation=org, instance_id=instance_id).exists():
        return
    xml = (
        f'<data id="{version.form.form_id}" version="{version.version}">'
        "<source>outreach</source><place>Demo camp</place>"
        "<victims><sex>f</sex><age>15</age><forms>labour</forms><country>IQ</country></victims>"
        "<victims><sex>m</sex><age>16</age><forms>soldier</forms><country>SY</country></victims>"
        "<perpetrators><kind>group</kind><nationality>SY</nationality></perpetrators>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    )
    receipt.receive(device, xml.encode(), [])
