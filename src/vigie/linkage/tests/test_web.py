"""The review page: names only for those who may see identities, each view logged; a
decision through htmx returns the decided card."""

from __future__ import annotations

from typing import Any

from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry, Membership, Organisation
from vigie.linkage import services
from vigie.linkage.models import Decision
from vigie.testing import World


def test_review_page_shows_names_to_investigators_and_logs_it(
    world: World, three: dict[str, Organisation], linked_cases: list[Any], web: Any
) -> None:
    investigator, analyst = world.users["investigator"], world.users["analyst"]
    for org in three.values():
        for user, role in ((investigator, "investigator"), (analyst, "analyst")):
            Membership.objects.get_or_create(user=user, organisation=org, role=role)
    services.run(Actor.system("tests", world.own.pk))

    before = AccessLogEntry.objects.count()
    page = web(investigator).get("/linkage/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="name-left"' in html
    assert AccessLogEntry.objects.count() > before

    before = AccessLogEntry.objects.count()
    html = web(analyst).get("/linkage/review/").content.decode()
    assert 'data-testid="link"' in html and 'data-testid="name-left"' not in html
    assert AccessLogEntry.objects.count() == before
    names = {r.given_name for r in linked_cases} | {r.family_name for r in linked_cases}
    assert not [n for n in names if len(n) > 3 and f">{n}" in html]

    link_id = int(html.split('id="link-')[1].split('"')[0])
    resp = web(analyst).post(
        f"/linkage/review/{link_id}/",
        {"verdict": "non_match", "reason": "different fathers"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200 and 'data-testid="decided"' in resp.content.decode()
    assert Decision.objects.get(reviewer=analyst).verdict == "non_match"
