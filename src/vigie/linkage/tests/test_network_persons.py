"""Records linked into one person become one node of the network, with the provenance of
each record, and a user still reaches that node only through the records they may see
(ADR 1003)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job, Organisation
from vigie.linkage import services
from vigie.linkage.models import Membership
from vigie.network import keys, tasks
from vigie.network.models import Edge, Node
from vigie.testing import World


def test_linked_records_are_one_node_seen_through_visible_records_only(
    world: World,
    three: dict[str, Organisation],
    linked_cases: list[Any],
    api: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.run(Actor.system("tests", world.own.pk))
    # the linkage run's event queued the network's reading of the linked records' cases
    job = Job.objects.filter(kind=tasks.EXTRACT).first()
    assert job is not None
    if job.status == Job.Status.QUEUED:  # no worker ran it after the commit
        jobs.run_now(job)

    shared = (
        Membership.objects.filter(kind="victim", organisation__in=[world.own, world.other])
        .values("person_id")
        .annotate(orgs=Count("organisation", distinct=True))
        .filter(orgs=2)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    person_id = shared.first()
    assert person_id is not None, "the evaluation records hold a person in both organisations"
    members = Membership.objects.filter(person_id=person_id)
    code = members.first().person.code  # type: ignore[union-attr]
    node = Node.objects.get(key=keys.person_key("cases.victim", "unused", code))
    # one node, no node of its own for each linked record
    for m in members:
        from vigie.cases.models import Victim

        uuid = str(Victim.objects.get(pk=m.record_id).uuid)
        assert not Node.objects.filter(key=keys.person_key("cases.victim", uuid)).exists()
    # the provenance of both records: each record's case gave its own edges to the node
    edges = Edge.objects.filter(source=node, kind="victim_in")
    assert {e.record_id for e in edges} >= {str(m.case_id) for m in members}
    assert {e.organisation_id for e in edges} >= {world.own.pk, world.other.pk}
    # shown by its person code, not by one organisation's spelling of the name
    assert node.caption == code

    # an investigator of the own organisation reaches the node, through own records only
    client = api(world.users["investigator"])
    r = client.get(f"/api/network/nodes/{node.pk}/")
    assert r.status_code == 200, r.content
    links = r.json()["links"]
    assert links and {x["organisation"] for x in links} == {world.own.code}
    other_cases = {str(m.case_id) for m in members if m.organisation_id != world.own.pk}
    assert not any(x.get("record_id") in other_cases for x in links)
    # a node that only the other organisation's records give stays invisible to them
    alone = (
        Membership.objects.values("person_id")
        .annotate(n=Count("id"), mine=Count("id", filter=_own(world)))
        .filter(n__gte=2, mine=0)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    if alone is not None:
        hidden_code = Membership.objects.filter(person_id=alone).first().person.code  # type: ignore[union-attr]
        hidden = Node.objects.filter(key=keys.person_key("cases.victim", "x", hidden_code))
        for n in hidden:
            assert client.get(f"/api/network/nodes/{n.pk}/").status_code == 404


def _own(world: World) -> Any:
    from django.db.models import Q

    return Q(organisation=world.own)
