"""Pages: search, batch screening, review queue, saved subjects, watchlists and versions."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from vigie.core import access, audit, jobs
from vigie.core.actor import acting_organisation
from vigie.core.models import Job
from vigie.screening import batch, engine, guidance, presentation, selectors, services
from vigie.screening.api.views import start_load
from vigie.screening.forms import (
    BatchHitsForm,
    DecisionForm,
    LoadForm,
    MappingForm,
    SearchForm,
    SubjectForm,
    UploadForm,
)
from vigie.screening.tasks import batch_dir
from vigie.web.mixins import PermissionRequired


class SearchPage(PermissionRequired, View):
    required_permission = "screening.run"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = SearchForm(request.GET or None)
        results: list[presentation.Shown] | None = None
        lists = list(selectors.versions_in_force())
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            try:
                query = services.make_query(
                    d["name"], d["schema"], d["birth_date"], d["country"], d["document"]
                )
                results = presentation.results(services.screen(query, limit=20))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        save_form = SubjectForm(initial=request.GET.dict()) if results is not None else None
        return render(
            request,
            "screening/search.html",
            {
                "form": form,
                "results": results,
                "lists": lists,
                "save_form": save_form,
                "threshold": engine.THRESHOLD,
            },
        )


def _subjects_page(request: HttpRequest, subjects: Any, number: Any) -> dict[str, Any]:
    """One page of subjects with, for each, whether its identity may be shown to the user;
    the view in the access log of each organisation concerned."""
    page = Paginator(subjects, 50).get_page(number)
    rows = [(s, selectors.shows_identity(request.user, s)) for s in page]
    selectors.record_subject_views(request.user, "screening.subject", list(page))
    return {"page": page, "rows": rows}


class SubjectsPage(PermissionRequired, View):
    required_permission = "screening.run"

    def get(self, request: HttpRequest) -> HttpResponse:
        subjects = selectors.visible_subjects(request.user).prefetch_related("hits")
        ctx = _subjects_page(request, subjects, request.GET.get("page"))
        return render(request, "screening/subjects.html", {**ctx, "form": SubjectForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubjectForm(request.POST)
        if not form.is_valid():
            ctx = _subjects_page(request, selectors.visible_subjects(request.user), 1)
            return render(request, "screening/subjects.html", {**ctx, "form": form}, status=400)
        d = form.cleaned_data
        org = acting_organisation(
            request.user, "screening.run", request.POST.get("organisation") or None
        )
        try:
            _subject, outcome = services.create_subject(
                request.user,
                org,
                name=d["name"],
                kind=d["schema"] or "Person",
                birth_date=d["birth_date"],
                country=d["country"],
                document=d["document"],
                external_id=d["external_id"],
                purpose=d["purpose"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            ctx = _subjects_page(request, selectors.visible_subjects(request.user), 1)
            return render(request, "screening/subjects.html", {**ctx, "form": form}, status=400)
        messages.success(
            request,
            _("Subject saved; %(n)d potential match(es) raised for review.")
            % {"n": outcome.new_alerts},
        )
        return redirect("screening:subjects")


class ReviewPage(PermissionRequired, View):
    required_permission = "screening.review"

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "open")
        one = _uuid(request.GET.get("hit", ""))
        batch_id = _uuid(request.GET.get("batch", ""))
        if one is not None:
            status = "all"
        hits = selectors.visible_hits(request.user, None if status == "all" else status)
        if one is not None:
            hits = hits.filter(pk=one)
        if batch_id is not None:
            hits = hits.filter(subject__batch_id=batch_id)
        page = Paginator(hits, 25).get_page(request.GET.get("page"))
        rows = [(h, selectors.shows_identity(request.user, h.subject)) for h in page]
        selectors.record_subject_views(
            request.user, "screening.hit", [h.subject for h in page], f"page {page.number}"
        )
        return render(
            request,
            "screening/review.html",
            {
                "page": page,
                "rows": rows,
                "status": status,
                "form": DecisionForm(),
                "batch": batch_id,
                "one": one,
            },
        )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


class DecidePage(PermissionRequired, View):
    required_permission = "screening.review"

    def post(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        hit = selectors.get_hit_for(request.user, pk)
        if not access.can(request.user, "screening.review", hit):
            raise Http404
        form = DecisionForm(request.POST)
        if form.is_valid():
            services.decide(
                request.user, hit, form.cleaned_data["status"], form.cleaned_data["reason"]
            )
            messages.success(request, _("Decision recorded."))
        else:
            messages.error(request, _("Choose a decision and give a reason."))
        if request.POST.get("back") == "one":  # opened from a batch's results page
            return redirect(f"{reverse('screening:review')}?hit={hit.pk}")
        return redirect("screening:review")


class ListsPage(PermissionRequired, View):
    required_permission = "screening.run"

    def get(self, request: HttpRequest, form: LoadForm | None = None) -> HttpResponse:
        can_load = access.has_perm(request.user, "lists.manage")
        recent = (
            Job.objects.filter(kind="screening.load").order_by("-created_at")[:5]
            if can_load
            else []
        )
        return render(
            request,
            "screening/lists.html",
            {
                "watchlists": selectors.watchlists(),
                "form": form or (LoadForm() if can_load else None),
                "jobs": recent,
                **(guidance.context() if can_load else {}),
            },
        )


class LoadPage(PermissionRequired, View):
    required_permission = "lists.manage"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LoadForm(request.POST, request.FILES)
        if not form.is_valid():
            return ListsPage().get(request, form)
        job = start_load(request.user, form.cleaned_data["file"], form.cleaned_data)
        messages.success(request, _("The list is being loaded in the background."))
        return redirect("screening:job", pk=job.pk)


class VersionPage(PermissionRequired, View):
    required_permission = "screening.run"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = selectors.get_version(pk)
        kind = request.GET.get("kind", "")
        changes = selectors.version_changes(version)
        if kind:
            changes = changes.filter(kind=kind)
        page = Paginator(changes, 100).get_page(request.GET.get("page"))
        return render(
            request, "screening/version.html", {"version": version, "page": page, "kind": kind}
        )


class BatchPage(PermissionRequired, View):
    """Step 1: upload; step 2: map columns; then a background job with a progress bar."""

    required_permission = "screening.run"

    def get(self, request: HttpRequest) -> HttpResponse:
        token = request.GET.get("file", "")
        path = self._path(request, token)
        if path is None:
            return render(request, "screening/batch.html", {"form": UploadForm()})
        try:
            cols = batch.headers(path)
        except batch.BatchFileError as exc:
            return render(
                request,
                "screening/batch.html",
                {"form": UploadForm(), "error": str(exc)},
                status=400,
            )
        mapping = MappingForm(columns=cols, initial_map=batch.guess_mapping(cols))
        return render(
            request, "screening/batch.html", {"mapping": mapping, "token": token, "columns": cols}
        )

    def _path(self, request: HttpRequest, token: str) -> Path | None:
        uploads = request.session.get("screening_uploads", {})
        name = uploads.get(token)
        return (batch_dir() / name) if name else None

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("token", "")
        if token:
            path = self._path(request, token)
            if path is None:
                raise Http404
            cols = batch.headers(path)
            mapping = MappingForm(request.POST, columns=cols, initial_map={})
            if not mapping.is_valid():
                return render(
                    request,
                    "screening/batch.html",
                    {"mapping": mapping, "token": token, "columns": cols},
                    status=400,
                )
            chosen = {k: v for k, v in mapping.cleaned_data.items() if v}
            job = jobs.start(
                "screening.batch",
                user=request.user,
                organisation=acting_organisation(
                    request.user, "screening.run", request.POST.get("organisation") or None
                ),
                params={"path": str(path), "mapping": chosen, "format": "csv"},
            )
            return redirect("screening:job", pk=job.pk)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "screening/batch.html", {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        name = f"{token}{Path(upload.name).suffix.lower()}"
        with (batch_dir() / name).open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        uploads = request.session.get("screening_uploads", {})
        uploads[token] = name
        request.session["screening_uploads"] = uploads
        return redirect(f"{request.path}?file={token}")


def _own_job(request: HttpRequest, pk: uuid.UUID) -> Job:
    job = (
        jobs.visible_jobs_with(request.user, "screening.run")
        .filter(pk=pk, kind__startswith="screening.")
        .first()
    )
    if job is None:
        raise Http404
    return job


class JobPage(PermissionRequired, View):
    """Progress of a screening job (polled by htmx), then its result."""

    required_permission = "screening.run"

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        job = _own_job(request, pk)
        template = (
            "screening/_job.html" if request.headers.get("HX-Request") else "screening/job.html"
        )
        return render(request, template, {"job": job})


class BatchHitsPage(PermissionRequired, View):
    """A batch's potential matches on screen (issue 16, ADR 0541): filtered by score, list
    and decision state, 25 a page; each opens in the review queue."""

    required_permission = "screening.run"

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        job = _own_job(request, pk)
        if job.kind != "screening.batch":
            raise Http404
        filters = BatchHitsForm(request.GET or None)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        hits = selectors.batch_hits(request.user, job, **chosen)
        page = Paginator(hits, 25).get_page(request.GET.get("page"))
        rows = [(h, selectors.shows_identity(request.user, h.subject)) for h in page]
        selectors.record_subject_views(
            request.user, "screening.hit", [h.subject for h in page], f"batch {job.pk}"[:64]
        )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "screening/batch_hits.html",
            {
                "job": job,
                "filters": filters,
                "page": page,
                "rows": rows,
                "query": query.urlencode(),
                "can_review": access.has_perm(request.user, "screening.review"),
            },
        )


class JobDownload(PermissionRequired, View):
    required_permission = "screening.run"

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
        job = _own_job(request, pk)
        name = (job.result or {}).get("results")
        if job.status != Job.Status.SUCCEEDED or not name:
            raise Http404
        path = batch_dir() / Path(name).name
        if not path.exists():
            raise Http404
        audit.record_access(
            request.user,
            "export",
            "screening.batch",
            str(job.pk),
            ["name"],
            organisation_code=job.organisation.code if job.organisation else "",
        )
        return FileResponse(path.open("rb"), as_attachment=True, filename=f"screening-{job.pk}.csv")
