"""Issue 16: a batch's potential matches on screen (filters, pages) and in the review queue,
attributed to the batch and its rows, decided like any hit, not duplicated on a re-run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from vigie.core.models import Job
from vigie.screening import services
from vigie.screening.models import Decision, Hit, Subject
from vigie.screening.tests.factories import SAMPLE, un_xml, write
from vigie.testing import World

CSV = (
    b"Ref,Counterparty\nC1,Ermias Gebray\nC2,Nobody Unlisted\nC3,Mohammed Abdelkader Al-Synthetic\n"
)


@pytest.fixture
def listed(tmp_path: Path, db: Any) -> Path:
    return services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE))).version.file_name


def run_batch(client: Any, capture: Any) -> Job:
    res = client.post("/screening/batch/", {"file": SimpleUploadedFile("names.csv", CSV)})
    token = res["Location"].split("file=")[1]
    with capture(execute=True):
        res = client.post(
            "/screening/batch/", {"token": token, "name": "Counterparty", "id": "Ref"}
        )
    assert res.status_code == 302
    return Job.objects.filter(kind="screening.batch").order_by("-created_at").first()


def test_batch_hits_reach_the_review_queue_once(
    world: World, web: Any, listed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = web(world.users["screening_officer"])
    job = run_batch(client, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED
    review = job.result["review"]
    assert review["subjects"] == 2 and review["new_alerts"] >= 2
    subjects = Subject.objects.filter(batch=job)
    assert sorted(s.external_id for s in subjects) == ["C1", "C3"]  # no row without a match
    assert {s.purpose for s in subjects} == {"batch"}
    hits = Hit.objects.filter(subject__batch=job)
    total = hits.count()
    assert total == review["new_alerts"]

    with translation.override("en"):
        page = client.get(f"/screening/jobs/{job.pk}/hits/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and text.count('data-testid="batch-hit"') == total
    assert "LYi.901" in text and "Ermias Gebray" in text and "Nobody Unlisted" not in text
    only = client.get(f"/screening/jobs/{job.pk}/hits/", {"status": "confirmed"})
    assert only.status_code == 200 and b'data-testid="batch-no-hit"' in only.content

    hit = hits.get(entry__reference="LYi.901")
    one = client.get("/screening/review/", {"hit": str(hit.pk)})
    assert one.content.decode().count('data-testid="hit"') == 1
    client.post(
        f"/screening/review/{hit.pk}/",
        {"status": "false_positive", "reason": "different person", "back": "one"},
    )
    assert Decision.objects.filter(hit=hit).count() == 1
    decided = client.get(f"/screening/jobs/{job.pk}/hits/", {"status": "false_positive"})
    assert decided.content.decode().count('data-testid="batch-hit"') == 1

    again = run_batch(client, django_capture_on_commit_callbacks)
    assert again.result["review"]["new_alerts"] == 0
    assert again.result["review"]["remembered"] >= 1  # the decision stands
    assert Hit.objects.filter(subject__purpose="batch").count() == total
    assert Hit.objects.filter(subject__batch=again).count() == total  # now the latest batch's
    assert Subject.objects.filter(purpose="batch").count() == 2
    hit.refresh_from_db()
    assert hit.status == Hit.Status.FALSE_POSITIVE


def test_batch_results_page_in_arabic_with_pages(
    world: World, web: Any, listed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = web(world.users["screening_officer"])
    job = run_batch(client, django_capture_on_commit_callbacks)
    page = client.get(f"/screening/jobs/{job.pk}/hits/", HTTP_ACCEPT_LANGUAGE="ar")
    text = page.content.decode()
    assert 'dir="rtl"' in text and "نتائج الفحص الجماعي" in text


def test_another_organisations_batch_is_not_shown(
    world: World, web: Any, listed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = run_batch(web(world.users["screening_officer"]), django_capture_on_commit_callbacks)
    other = web(world.users["analyst"])
    assert other.get(f"/screening/jobs/{job.pk}/hits/").status_code in (403, 404)
