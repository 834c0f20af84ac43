"""``vigie link run|review|decide`` through the command line, with who acts."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from vigie.cases.models import Victim
from vigie.core.models import Organisation
from vigie.linkage.cli import link
from vigie.linkage.models import Membership, Person
from vigie.testing import World


def _run(args: list[str]) -> Any:
    out = CliRunner().invoke(link, args)
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_run_links_duplicates_across_organisations_with_source_ids(
    world: World, three: dict[str, Organisation], linked_cases: list[Any], all_seeing: Any
) -> None:
    out = _run(["run", "--user", all_seeing.username, "--org", world.own.code, "--json"])
    assert out["run"]["records"] == Victim.objects.count() == len(linked_cases)
    links = out["links"]
    assert links, "the synthetic set has people recorded by several organisations"
    orgs = {link["left"]["organisation"] for link in links} | {
        link["right"]["organisation"] for link in links
    }
    assert len(orgs) >= 2
    truth = {r.record_key: r.person for r in linked_cases}
    right = sum(truth[x["left"]["case"]] == truth[x["right"]["case"]] for x in links)
    assert right / len(links) >= 0.8
    for x in links:
        assert x["left"]["source_record_id"] == "src-" + x["left"]["case"].lower()
        assert x["person"].startswith("P-")
    # every record is in exactly one person
    assert Membership.objects.count() == len(linked_cases)


def test_rerun_keeps_person_codes_and_reviewers_decisions(
    world: World, three: dict[str, Organisation], linked_cases: list[Any], all_seeing: Any
) -> None:
    user = all_seeing.username
    first = _run(["run", "--user", user, "--org", world.own.code, "--json"])
    codes = {m.record_id: m.person.code for m in Membership.objects.select_related("person")}
    link_id = first["links"][0]["id"]
    decided = _run(
        [
            "decide",
            str(link_id),
            "non_match",
            "--reason",
            "different mothers",
            "--user",
            user,
            "--json",
        ]
    )
    assert decided["decision"] == "non_match"
    second = _run(["run", "--user", user, "--org", world.own.code, "--json"])
    assert link_id not in {x["id"] for x in second["links"]}
    left = first["links"][0]["left"]["record"]
    right = first["links"][0]["right"]["record"]
    members = {m.record_id: m.person_id for m in Membership.objects.all()}
    assert members[left] != members[right], "a reviewer's 'not a match' is obeyed on rerun"
    again = {m.record_id: m.person.code for m in Membership.objects.select_related("person")}
    kept = sum(again[r] == codes[r] for r in codes)
    assert kept / len(codes) >= 0.9, "person codes are stable across reruns"
    assert Person.objects.filter(retired_at__isnull=True).count() == len(set(again.values()))


def test_review_lists_the_queue_and_the_tradeoff(
    world: World, three: dict[str, Organisation], linked_cases: list[Any], all_seeing: Any
) -> None:
    user = all_seeing.username
    _run(["run", "--user", user, "--org", world.own.code, "--json"])
    out = _run(["review", "--user", user, "--org", world.own.code, "--json"])
    assert [row["threshold"] for row in out["tradeoff"]] == sorted(
        row["threshold"] for row in out["tradeoff"]
    )
    precision = [row["expected_precision"] for row in out["tradeoff"]]
    recall = [row["expected_recall"] for row in out["tradeoff"]]
    assert recall == sorted(recall, reverse=True) and precision[-1] >= precision[0]
    for row in out["queue"]:
        assert set(row["levels"]) >= {"given", "family", "birth"}


def test_a_user_without_the_permission_is_refused(world: World) -> None:
    out = CliRunner().invoke(link, ["run", "--user", world.users["field_officer"].username])
    assert out.exit_code != 0
    assert "linkage.run" in out.output
