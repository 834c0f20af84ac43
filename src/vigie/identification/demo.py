"""Synthetic demonstration data: a service directory in three countries (Libya, Nigeria,
Iraq), consent and referrals between the demo organisations, some of them overdue, and a
case plan. Invented services, contacts and people only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.identification import directory, referrals, services
from vigie.identification.models import Referral, Service

PLACES = {
    "LY": [("Tripoli", "Tajura"), ("Misrata", ""), ("Benghazi", ""), ("Sabha", "")],
    "NG": [("Borno", "Maiduguri"), ("Edo", "Benin City"), ("Lagos", "Ikeja"), ("Adamawa", "Yola")],
    "IQ": [("Ninewa", "Sinjar"), ("Duhok", "Zakho"), ("Baghdad", ""), ("Erbil", "")],
}
PROVIDERS = {
    "iom": ["voluntary_return", "reintegration", "medical", "shelter"],
    "unhcr": ["legal_aid", "documentation", "shelter", "psychosocial"],
    "unicef": ["family_tracing", "psychosocial", "medical"],
    "ngo-ls": ["shelter", "psychosocial", "livelihood", "legal_aid"],
    "ntf-ng": ["legal_aid", "documentation"],
}
LANGS = {"LY": "ar en", "NG": "en ha", "IQ": "ar ku en"}


def load(ctx: Any) -> None:
    if Service.objects.exists() or not ctx.organisations:
        return
    system = Actor.system("demo data")
    rng = ctx.rng
    types = referrals.config()["service_types"]
    n = 0
    for code, kinds in PROVIDERS.items():
        org = ctx.organisations.get(code)
        if org is None:
            continue
        for country, places in PLACES.items():
            for kind in kinds:
                admin1, admin2 = rng.choice(places)
                child = kind == "family_tracing" or (code == "unicef")
                directory.save_service(
                    system,
                    {
                        "organisation": org,
                        "provider_name": org.name,
                        "service_type": kind,
                        "name": f"{types[kind]['en']} — {admin1}",
                        "min_age": 0
                        if child
                        else (18 if kind == "shelter" and rng.random() < 0.5 else None),
                        "max_age": 17 if child else None,
                        "sexes": "female" if kind == "shelter" and rng.random() < 0.4 else "",
                        "languages": LANGS[country],
                        "capacity": rng.choice([None, 10, 25, 40, 100]),
                        "contact_phone": f"+000 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                        "contact_email": f"{kind}.{country.lower()}@{code}.example.org",
                        "start_date": dt.date(2026, 1, 1),
                    },
                    [{"country": country, "admin1": admin1, "admin2": admin2}],
                )
                n += 1
    ctx.echo(f"  identification: {n} synthetic services in LY, NG, IQ")
    _referrals(ctx, system)


def _referrals(ctx: Any, system: Actor) -> None:
    senders = [c for c in ("iom", "unhcr", "ngo-ls") if c in ctx.organisations]
    receivers = [c for c in ("unicef", "unhcr", "iom", "ngo-ls") if c in ctx.organisations]
    rng = ctx.rng
    made = 0
    for code in senders:
        org = ctx.organisations[code]
        for case in Case.objects.filter(organisation=org).order_by("id")[:8]:
            to = ctx.organisations[rng.choice([r for r in receivers if r != code])]
            actor = system.with_organisation(org.pk)
            services.record_consent(
                actor,
                case,
                "referral",
                "given",
                given_by="best_interests",
                bid_reference=f"BID-{case.pk}",
            )
            ref = referrals.create_referral(
                actor, case, to, ["reference", "country", "sex", "age", "forms"],
                service_type=rng.choice(list(referrals.config()["service_types"])),
                urgency=rng.choice(["high", "medium", "low"]),
            )  # fmt: skip
            # age some referrals so that the caseload shows overdue ones
            back = dt.timedelta(days=rng.randint(0, 20))
            Referral.objects.filter(pk=ref.pk).update(
                sent_at=ref.sent_at - back, due_at=(ref.due_at or timezone.now()) - back
            )
            ref.refresh_from_db()
            for to_state in rng.choice(
                [[], ["acknowledged"], ["accepted"], ["accepted", "delivered"], ["declined"]]
            ):
                referrals.move(
                    system.with_organisation(to.pk),
                    ref,
                    to_state,
                    "no capacity (demo)" if to_state == "declined" else "",
                )
            services.add_plan_item(
                actor, case, rng.choice(services.NEEDS),
                follow_up_date=timezone.localdate() + dt.timedelta(days=rng.randint(-10, 10)),
            )  # fmt: skip
            made += 1
    ctx.echo(f"  identification: {made} synthetic referrals with consent and case-plan items")
