"""Every kind of background job has a name for people: the jobs pages and the home page list
jobs by kind, and a raw code (``collection.import``) means nothing to the person waiting."""

from __future__ import annotations

from django.utils import translation

from vigie.core import jobs


def test_every_registered_job_kind_has_a_label_in_three_languages() -> None:
    # the kinds Vigie's apps register (test modules register their own fixtures' kinds)
    kinds = sorted(k for k, f in jobs._HANDLERS.items() if ".tests." not in f.__module__)
    assert "cases.import" in kinds and "collection.import" in kinds  # the apps registered theirs
    unlabelled = [k for k in kinds if k not in jobs.KIND_LABELS]
    assert unlabelled == []
    with translation.override("en"):
        english = {k: jobs.kind_label(k) for k in kinds}
    for lang in ("fr", "ar"):
        with translation.override(lang):
            untranslated = [k for k in kinds if jobs.kind_label(k) == english[k]]
        assert untranslated == [], lang
