"""The web import, in steps: upload -> preview and mapping (columns, values, saved mapping
profiles) -> validation report (a dry-run job) -> confirm -> the import job with its progress
bar (cancellable). And the pages of the mapping profiles. Thin: the importer, the mapping
module and vigie.cases.interchange.profiles do the work."""

from __future__ import annotations

import uuid as uuidlib
from itertools import islice
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from vigie.cases.interchange import (
    htcds_sheet,
    layouts,
    mapping,
    profiles,
    readers,
    uploads,
)
from vigie.cases.interchange.import_forms import ImportForm, MappingForm, ProfileForm
from vigie.core import access, jobs
from vigie.core.actor import Reader
from vigie.core.errors import VigieError
from vigie.core.models import Job, Organisation
from vigie.web.mixins import PermissionRequired

PREVIEW_ROWS = 10
PREVIEW_CELL_CHARS = 200  # a page shows at most this much of a cell (a file may hold 32,767)
SAMPLE_ROWS = 2000  # rows read for the distinct values offered in the value mapping
SESSION_KEY = "cases_uploads"


def _orgs(request: HttpRequest) -> list[Organisation]:
    user = access.request_user(request)
    return [
        o
        for o in Organisation.objects.filter(is_active=True)
        if access.has_perm(user, "case.import", o.pk)
    ]


def _upload(request: HttpRequest, token: str) -> dict[str, Any]:
    """An upload of this session (a file on disk and what was chosen with it)."""
    found = request.session.get(SESSION_KEY, {}).get(token)
    if not found or not Path(found["path"]).exists():
        raise Http404
    return dict(found)


def _remember(request: HttpRequest, token: str, upload: dict[str, Any]) -> None:
    uploads = dict(request.session.get(SESSION_KEY, {}))
    uploads[token] = upload
    request.session[SESSION_KEY] = dict(list(uploads.items())[-20:])


def detect(header: list[str]) -> str:
    """The built-in layout a header belongs to, or "" when its columns must be mapped."""
    if htcds_sheet.looks_like(header):
        return "htcds"
    try:
        layouts.detect_ctdc(header)
    except layouts.RowError:
        pass
    else:
        return "ctdc"
    try:
        mapping.header_targets(None, header)
    except layouts.RowError:
        return ""
    return "vigie"


class ImportView(PermissionRequired, View):
    """Step 1: upload a file (and say its layout, a profile, atomic or partial)."""

    required_permission = "case.import"

    def get(self, request: HttpRequest, form: ImportForm | None = None) -> HttpResponse:
        user = access.request_user(request)
        recent = jobs.visible_jobs_with(user, "case.import").filter(kind="cases.import")[:10]
        visible = profiles.visible_profiles(user)
        return render(
            request,
            "cases/import.html",
            {
                "form": form or ImportForm(organisations=_orgs(request), profiles=visible),
                "recent": recent,
                "profiles_count": visible.count(),
            },
            status=400 if form is not None else 200,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = access.request_user(request)
        orgs = _orgs(request)
        visible = profiles.visible_profiles(user)
        form = ImportForm(request.POST, request.FILES, organisations=orgs, profiles=visible)
        if not form.is_valid():
            return self.get(request, form)
        org = next(o for o in orgs if o.code == form.cleaned_data["organisation"])
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".json"):
            form.add_error("file", _("Only .csv, .xlsx and .json files can be imported."))
            return self.get(request, form)
        token = uuidlib.uuid4().hex
        target = uploads.upload_dir() / f"{token}{suffix}"
        uploads.keep_encrypted(upload.chunks(), target)
        _remember(
            request,
            token,
            {
                "path": str(target),
                "name": upload.name,
                "organisation": org.code,
                "format": form.cleaned_data["format"],
                "partial": form.cleaned_data["partial"],
                "profile": form.cleaned_data["profile"],
            },
        )
        return redirect("cases:import-preview", token=token)


def _short(text: str) -> str:
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"


class ImportPreviewView(PermissionRequired, View):
    """Step 2: the first rows, the layout found, and the mapping of columns and values when
    the layout is not a built-in one (a saved profile can fill it; it can be saved as one)."""

    required_permission = "case.import"

    def _table(self, path: Path) -> tuple[list[str], list[list[str]]]:
        with uploads.readable(path) as plain:  # the upload is encrypted at rest
            rows = readers.table_rows(plain)
            header = [_short(h.strip()) for h in next(rows, [])]
            return header, [[_short(c) for c in row] for row in islice(rows, SAMPLE_ROWS)]

    def _context(self, request: HttpRequest, token: str) -> dict[str, Any]:
        upload = _upload(request, token)
        path = Path(upload["path"])
        ctx: dict[str, Any] = {"upload": upload, "token": token, "error": ""}
        user = access.request_user(request)
        ctx["profiles"] = profiles.visible_profiles(user).filter(
            organisation__code=upload["organisation"]
        )
        if path.suffix.lower() == ".json":
            ctx.update(header=[], rows=[], samples=[], layout="htcds", needs_mapping=False)
            return ctx
        try:
            header, samples = self._table(path)
        except (readers.ImportFailed, VigieError) as exc:
            ctx.update(header=[], rows=[], samples=[], layout="", needs_mapping=False)
            ctx["error"] = str(exc)
            return ctx
        found = detect(header)
        chosen = upload.get("format") or ""
        needs = chosen == "mapped" or bool(upload.get("profile")) or (not chosen and not found)
        ctx.update(
            header=header,
            samples=samples,
            rows=samples[:PREVIEW_ROWS],
            layout=chosen if chosen and chosen != "mapped" else found,
            needs_mapping=needs,
        )
        return ctx

    def _rules(self, request: HttpRequest, ctx: dict[str, Any]) -> mapping.Mapping | None:
        user = access.request_user(request)
        pick = request.GET.get("profile") or ctx["upload"].get("profile")
        if not pick or not str(pick).isdigit():
            return None
        profile = profiles.get_profile_for(user, int(pick))
        ctx["profile"] = profile
        return profiles.to_mapping(profile)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        ctx = self._context(request, token)
        if ctx["needs_mapping"] or request.GET.get("profile"):
            ctx["needs_mapping"] = True
            rules = self._rules(request, ctx)
            ctx["form"] = MappingForm(header=ctx["header"], samples=ctx["samples"], rules=rules)
        return render(request, "cases/import_preview.html", ctx)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        ctx = self._context(request, token)
        upload = ctx["upload"]
        user = access.request_user(request)
        org = next((o for o in _orgs(request) if o.code == upload["organisation"]), None)
        if org is None:
            raise PermissionDenied
        action = request.POST.get("action", "check")
        rules = None
        if ctx["needs_mapping"]:
            form = MappingForm(
                request.POST, header=ctx["header"], samples=ctx["samples"], rules=None
            )
            ctx["form"] = form
            if not form.is_valid() or action == "apply":
                return render(request, "cases/import_preview.html", ctx)
            rules = form.to_mapping()
            if action == "save_profile":
                name = form.cleaned_data["profile_name"].strip()
                if not name:
                    form.add_error("profile_name", _("Give the profile a name."))
                    return render(request, "cases/import_preview.html", ctx, status=400)
                try:
                    saved = profiles.save_profile(user, org, name, rules, replace=True)
                except mapping.MappingError as exc:
                    form.add_error("profile_name", str(exc))
                    return render(request, "cases/import_preview.html", ctx, status=400)
                messages.success(
                    request, _("Mapping profile %(name)s saved.") % {"name": saved.name}
                )
                return redirect(f"{request.path}?profile={saved.pk}")
            if not rules.columns:
                form.add_error(None, _("Map at least one column to a field."))
                return render(request, "cases/import_preview.html", ctx, status=400)
        if ctx["error"]:
            return render(request, "cases/import_preview.html", ctx, status=400)
        return redirect(
            "cases:import-status",
            job=self._start(user, org, upload, token, rules, ctx["layout"]).pk,
        )

    def _start(
        self,
        user: Reader,
        org: Organisation,
        upload: dict[str, Any],
        token: str,
        rules: mapping.Mapping | None,
        layout: str,
    ) -> Job:
        path = Path(upload["path"])
        mapping_path = ""
        if rules is not None:
            mapping_file = path.with_suffix(".mapping.yaml")
            mapping_file.write_text(mapping.dump(rules), encoding="utf-8")
            mapping_path = str(mapping_file)
        if rules is None and not layout:
            with uploads.readable(path) as plain:
                layout = readers.guess_format(plain)
        fmt = "vigie" if rules is not None else layout
        partial = bool(upload.get("partial"))
        return jobs.start(
            "cases.import",
            user=user,
            organisation=org,
            params={
                "path": str(path),
                "original_name": upload["name"],
                "format": fmt,
                "partial": partial,
                "organisation_id": org.pk,
                "user_id": user.pk,
                "rejects": str(path.with_suffix(".rejects.csv")) if partial else "",
                "mapping": mapping_path,
                "dry_run": True,
                "token": token,
            },
        )


class ImportStatusView(PermissionRequired, View):
    """Steps 3 to 5: the validation report of the check, "Confirm" (starts the import job),
    the progress bar of the import (htmx polls this page's fragment), "Cancel"."""

    required_permission = "case.import"

    def _job(self, request: HttpRequest, job: uuidlib.UUID) -> Job:
        user = access.request_user(request)
        found = (
            jobs.visible_jobs_with(user, "case.import").filter(pk=job, kind="cases.import").first()
        )
        if found is None:
            raise Http404
        return found

    def get(self, request: HttpRequest, job: uuidlib.UUID) -> HttpResponse:
        found = self._job(request, job)
        template = (
            "cases/_import_progress.html"
            if request.headers.get("HX-Request")
            else "cases/import_status.html"
        )
        report = found.result or {}
        return render(
            request,
            template,
            {
                "job": found,
                "report": report,
                "dry_run": bool(found.params.get("dry_run")),
                "valid": report.get("rows") is not None and not report.get("rejected"),
                "partial": bool(found.params.get("partial")),
                "Status": Job.Status,
            },
        )

    def post(self, request: HttpRequest, job: uuidlib.UUID) -> HttpResponse:
        found = self._job(request, job)
        user = access.request_user(request)
        action = request.POST.get("action")
        if action == "cancel" and not found.is_finished:
            jobs.cancel(user, found)
            messages.success(request, _("Cancellation requested."))
            return redirect("cases:import-status", job=found.pk)
        if action == "confirm" and found.params.get("dry_run"):
            report = found.result or {}
            partial = bool(found.params.get("partial")) or request.POST.get("partial") == "1"
            if found.status != Job.Status.SUCCEEDED or (report.get("rejected") and not partial):
                messages.error(request, _("This file has invalid rows; nothing can be written."))
                return redirect("cases:import-status", job=found.pk)
            if found.organisation_id is None or not access.has_perm(
                user, "case.import", found.organisation_id
            ):
                raise PermissionDenied
            path = Path(found.params["path"])
            params = {
                **found.params,
                "dry_run": False,
                "partial": partial,
                "user_id": user.pk,
                "rejects": str(path.with_suffix(".rejects.csv")) if partial else "",
                "checked_by": str(found.pk),
            }
            started = jobs.start(
                "cases.import", user=user, organisation=found.organisation, params=params
            )
            return redirect("cases:import-status", job=started.pk)
        return redirect("cases:import-status", job=found.pk)


# --- mapping profiles ------------------------------------------------------------------------


class ProfileListView(PermissionRequired, View):
    required_permission = "case.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = access.request_user(request)
        items = profiles.visible_profiles(user)
        return render(request, "cases/profiles.html", {"profiles": items})


class ProfileFormView(PermissionRequired, View):
    """Create a profile (no pk) or change one: a name, an organisation and the YAML text."""

    required_permission = "case.import"

    def _render(
        self, request: HttpRequest, form: ProfileForm, profile: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "cases/profile_form.html", {"form": form, "profile": profile}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = access.request_user(request)
        orgs = _orgs(request)
        if pk is None:
            initial = {
                "text": "layout: vigie\ncolumns:\n  # Source column: victim.sex\nvalues: {}\n"
            }
            return self._render(request, ProfileForm(organisations=orgs, initial=initial), None)
        profile = profiles.get_profile_for(user, pk)
        form = ProfileForm(
            organisations=orgs,
            initial={
                "name": profile.name,
                "organisation": profile.organisation.code,
                "text": mapping.dump(profiles.to_mapping(profile)),
            },
        )
        return self._render(request, form, profile)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = access.request_user(request)
        orgs = _orgs(request)
        profile = profiles.get_profile_for(user, pk) if pk is not None else None
        form = ProfileForm(request.POST, request.FILES, organisations=orgs)
        if not form.is_valid():
            return self._render(request, form, profile, 400)
        org = next(o for o in orgs if o.code == form.cleaned_data["organisation"])
        try:
            saved = profiles.save_profile(
                user, org, form.cleaned_data["name"], form.cleaned_data["rules"], profile
            )
        except mapping.MappingError as exc:
            form.add_error("name", str(exc))
            return self._render(request, form, profile, 400)
        messages.success(request, _("Mapping profile %(name)s saved.") % {"name": saved.name})
        return redirect("cases:profiles")


class ProfileYamlView(PermissionRequired, View):
    """The profile as a mapping file, for `vigie import --mapping FILE`."""

    required_permission = "case.import"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        profile = profiles.get_profile_for(access.request_user(request), pk)
        response = HttpResponse(
            profiles.to_yaml(profile), content_type="application/yaml; charset=utf-8"
        )
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in profile.name) or "mapping"
        response["Content-Disposition"] = f'attachment; filename="{safe}.yaml"'
        return response


class ProfileDeleteView(PermissionRequired, View):
    required_permission = "case.import"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        profile = profiles.get_profile_for(access.request_user(request), pk)
        return render(request, "cases/profile_delete.html", {"profile": profile})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = access.request_user(request)
        profile = profiles.get_profile_for(user, pk)
        name = profile.name
        profiles.delete_profile(user, profile)
        messages.success(request, _("Mapping profile %(name)s deleted.") % {"name": name})
        return redirect("cases:profiles")
