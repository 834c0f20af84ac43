"""Pages for account tokens, four-eyes role grants, organisation users and sharing,
organisations, and the audit logs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from vigie.core import access, grants, jobs, mfa, selectors, services, tokens
from vigie.core.actor import Reader, actor_of_request
from vigie.core.errors import VigieError
from vigie.core.forms import OrganisationForm, RolesForm, ShareForm, TokenForm, UserCreateForm
from vigie.core.i18n import join_list
from vigie.core.models import ApiToken, Job, Organisation, PendingGrant
from vigie.core.roles import catalogue
from vigie.web.mixins import PermissionRequired


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _held_permissions(user: Reader) -> list[str]:
    g = access.grants(user)
    held = set(g.system).union(*g.by_org.values())
    return [p for p in catalogue().permissions if p in held]


class AccountView(PermissionRequired, View):
    """My account: API tokens (created after a recent password entry, shown once) and their
    access, permissions and expiry (ADR 0040)."""

    def _render(self, request: HttpRequest, form: TokenForm, secret: str = "") -> HttpResponse:
        user = access.request_user(request)
        context = {
            "tokens": ApiToken.objects.filter(user=user),
            "form": form,
            "secret": secret,
            "mfa_required": mfa.requires_mfa(user),
            "mfa_enrolled": mfa.is_enrolled(user),
        }
        return render(request, "core/account.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TokenForm(held=_held_permissions(request.user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = access.request_user(request)
        actor = actor_of_request(request)
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=user)
            tokens.revoke(actor, token)
            messages.success(request, _("Token revoked."))
            return redirect("core:account")
        form = TokenForm(request.POST, held=_held_permissions(user))
        if not form.is_valid():
            return self._render(request, form)
        if not tokens.recently_authenticated(request):
            # allauth asks for the password again, then replays this request
            raise ReauthenticationRequired
        data = form.cleaned_data
        try:
            _token, secret = tokens.issue(
                actor,
                name=data["name"],
                access=data["access"],
                permissions=data["permissions"],
                expires_at=timezone.now() + timedelta(days=data["days"]),
            )
        except VigieError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form)
        return self._render(request, TokenForm(held=_held_permissions(user)), secret)


class OrganisationUsersView(PermissionRequired, View):
    required_permission = "org.users.manage"

    def _org(self, request: HttpRequest, code: str | None) -> Organisation:
        if code is None:
            first = selectors.administered_organisations(request.user).first()
            code = first.code if first else ""
        return selectors.get_administered_organisation(request.user, code)

    def get(
        self, request: HttpRequest, code: str | None = None, form: UserCreateForm | None = None
    ) -> HttpResponse:
        org = self._org(request, code)
        include_system = access.has_perm(request.user, "system.orgs.manage")
        members = selectors.members_of(request.user, org)
        rows = [
            (
                u,
                [
                    catalogue().role(m.role).label
                    for m in u.memberships.all()
                    if m.organisation_id == org.pk
                ],
                [
                    g.role_label
                    for g in u.pending_grants.all()
                    if g.organisation_id == org.pk and g.status == PendingGrant.Status.PENDING
                ],
            )
            for u in members
        ]
        return render(
            request,
            "core/org_users.html",
            {
                "org": org,
                "rows": rows,
                "form": form or UserCreateForm(include_system=include_system),
                "orgs": selectors.administered_organisations(request.user),
                "shares": selectors.shares_of(request.user, org)
                if access.has_perm(request.user, "org.sharing.manage", org.pk)
                else None,
            },
        )

    def post(self, request: HttpRequest, code: str | None = None) -> HttpResponse:
        org = self._org(request, code)
        include_system = access.has_perm(request.user, "system.orgs.manage")
        form = UserCreateForm(request.POST, include_system=include_system)
        if form.is_valid():
            try:
                services.create_user(
                    actor_of_request(request, org.pk), organisation=org, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except VigieError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("User %(u)s created.") % {"u": form.cleaned_data["username"]}
                )
                waiting = [r for r in form.cleaned_data["roles"] if grants.needs_approval(r)]
                if waiting:
                    messages.warning(
                        request,
                        _(
                            "These roles see identities and wait for another administrator's "
                            "approval: %(roles)s"
                        )
                        % {"roles": join_list(catalogue().role(r).label for r in waiting)},
                    )
                return redirect("core:org-users", code=org.code)
        return self.get(request, org.code, form)


class MemberView(PermissionRequired, View):
    required_permission = "org.users.manage"

    def _load(self, request: HttpRequest, code: str, user_id: int) -> tuple[Organisation, Any]:
        org = selectors.get_administered_organisation(request.user, code)
        member = get_object_or_404(selectors.members_of(request.user, org), pk=user_id)
        return org, member

    def _render(self, request: HttpRequest, org: Organisation, member: Any, form: Any) -> Any:
        pending = selectors.visible_grants(request.user).filter(organisation=org, user=member)
        return render(
            request,
            "core/member.html",
            {"org": org, "member": member, "form": form, "pending": pending},
        )

    def get(self, request: HttpRequest, code: str, user_id: int) -> HttpResponse:
        org, member = self._load(request, code, user_id)
        include_system = access.has_perm(request.user, "system.orgs.manage")
        form = RolesForm(
            initial={"roles": selectors.roles_in(member, org)}, include_system=include_system
        )
        return self._render(request, org, member, form)

    def post(self, request: HttpRequest, code: str, user_id: int) -> HttpResponse:
        org, member = self._load(request, code, user_id)
        actor = actor_of_request(request, org.pk)
        if "active" in request.POST:
            services.set_active(
                actor, user=member, organisation=org, active=request.POST["active"] == "1"
            )
            messages.success(request, _("Account status changed."))
            return redirect("core:member", code=org.code, user_id=member.pk)
        include_system = access.has_perm(request.user, "system.orgs.manage")
        form = RolesForm(request.POST, include_system=include_system)
        if form.is_valid():
            try:
                pending = services.set_roles(
                    actor, user=member, organisation=org, roles=form.cleaned_data["roles"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except VigieError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Roles saved."))
                if pending:
                    messages.warning(
                        request,
                        _(
                            "These roles see identities and wait for another administrator's "
                            "approval: %(roles)s"
                        )
                        % {"roles": join_list(g.role_label for g in pending)},
                    )
                return redirect("core:org-users", code=org.code)
        return self._render(request, org, member, form)


class GrantsView(PermissionRequired, View):
    """Role grants waiting for a second administrator (four-eyes, ADR 0041)."""

    required_permission = "org.users.manage"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = access.request_user(request)
        pending = selectors.visible_grants(user)
        decided = selectors.visible_grants(user, status="all").exclude(
            status=PendingGrant.Status.PENDING
        )[:50]
        return render(
            request, "core/grants.html", {"pending": pending, "decided": decided, "me": user}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = access.request_user(request)
        decision = request.POST.get("decision")
        pk = request.POST.get("grant", "")
        if not pk.isascii() or not pk.isdigit() or int(pk) >= 2**63:
            raise Http404  # not an id ("nan", a NUL): no such grant, not a 500 (ADR 0059)
        grant = get_object_or_404(selectors.visible_grants(user, status="all"), pk=int(pk))
        actor = actor_of_request(request, grant.organisation_id)
        try:
            if decision == "approve":
                grants.approve(actor, grant)
                messages.success(request, _("Role grant approved."))
            elif decision == "refuse":
                grants.refuse(actor, grant)
                messages.success(request, _("Role grant refused."))
        except VigieError as exc:
            messages.error(request, exc.message)
        return redirect("core:grants")


class SharingView(PermissionRequired, View):
    required_permission = "org.sharing.manage"

    def get(self, request: HttpRequest, code: str, form: ShareForm | None = None) -> HttpResponse:
        org = selectors.get_administered_organisation(request.user, code)
        shares = selectors.shares_of(request.user, org)
        return render(
            request,
            "core/sharing.html",
            {"org": org, "shares": shares, "form": form or ShareForm(owner=org)},
        )

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        org = selectors.get_administered_organisation(request.user, code)
        if "revoke" in request.POST:
            share = get_object_or_404(
                selectors.shares_of(request.user, org), pk=request.POST["revoke"]
            )
            services.revoke_share(request.user, share)
            messages.success(request, _("Sharing revoked."))
            return redirect("core:sharing", code=org.code)
        form = ShareForm(request.POST, owner=org)
        if form.is_valid():
            services.share_with(request.user, owner=org, **form.cleaned_data)
            messages.success(request, _("Sharing saved."))
            return redirect("core:sharing", code=org.code)
        return self.get(request, code, form)


class OrganisationsView(PermissionRequired, View):
    required_permission = "system.orgs.manage"

    def get(self, request: HttpRequest, form: OrganisationForm | None = None) -> HttpResponse:
        orgs = selectors.visible_organisations(request.user)
        return render(
            request, "core/organisations.html", {"orgs": orgs, "form": form or OrganisationForm()}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if "toggle" in request.POST:
            org = get_object_or_404(Organisation, code=request.POST["toggle"])
            services.update_organisation(request.user, org, is_active=not org.is_active)
            return redirect("core:organisations")
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                services.create_organisation(request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Organisation created."))
                return redirect("core:organisations")
        return self.get(request, form)


class AuditView(PermissionRequired, View):
    required_permission = "audit.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        tab = request.GET.get("log", "access")
        filters = {k: str(v) for k, v in request.GET.items() if k not in {"log", "page"} and v}
        if tab == "changes":
            qs: Any = selectors.visible_changes(request.user, **filters)
        else:
            tab = "access"
            qs = selectors.visible_access_log(request.user, **filters)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(request, "core/audit.html", {"tab": tab, "page": page, "filters": filters})


class JobsView(PermissionRequired, View):
    """Background jobs you started, or of the organisations you administer."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = jobs.visible_jobs(access.request_user(request))
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(request, "core/jobs.html", {"page": page})


class JobView(PermissionRequired, View):
    """One job: a progress bar that follows it (htmx polls the partial), cancel and rerun."""

    def _job(self, request: HttpRequest, pk: Any) -> Job:
        return get_object_or_404(jobs.visible_jobs(access.request_user(request)), pk=pk)

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = self._job(request, pk)
        if request.headers.get("HX-Request") == "true":
            return render(request, "core/_job_progress.html", {"job": job})
        return render(request, "core/job.html", {"job": job})

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = self._job(request, pk)
        user = access.request_user(request)
        if request.POST.get("action") == "cancel" and not job.is_finished:
            jobs.cancel(user, job)
            messages.success(request, _("Cancellation requested."))
        elif request.POST.get("action") == "retry":
            try:
                jobs.retry(user, job)
            except ValueError:
                messages.error(request, _("Only a failed or cancelled job can be run again."))
            else:
                messages.success(request, _("The job was queued again."))
        return redirect("core:job", pk=job.pk)
