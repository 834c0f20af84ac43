from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core import access, grants, jobs, selectors, services, tokens
from vigie.core.actor import actor_of_request
from vigie.core.api import serializers as s
from vigie.core.errors import Forbidden
from vigie.core.models import ApiToken, Job, Membership, PendingGrant, User


class MeView(APIView):
    """Who am I, where, and what may I do."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = access.request_user(request)
        g = access.grants(user)
        perms = set(g.system).union(*g.by_org.values()) if g.by_org else set(g.system)
        memberships = Membership.objects.filter(user=user).select_related("organisation")
        data = {"username": user.username, "memberships": memberships, "permissions": sorted(perms)}
        return Response(s.MeSerializer(data).data)


class OrganisationList(generics.ListCreateAPIView):
    serializer_class = s.OrganisationSerializer
    required_permissions: dict[str, str | None] = {"GET": None, "POST": "system.orgs.manage"}
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return selectors.visible_organisations(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.create_organisation(
            self.request.user, **serializer.validated_data
        )


class OrganisationMembers(APIView):
    """Users of an organisation and their roles (organisation administrators)."""

    required_permission = "org.users.manage"

    @extend_schema(responses=s.MemberSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        org = selectors.get_administered_organisation(request.user, code)
        users = selectors.members_of(request.user, org)
        return Response(s.MemberSerializer(users, many=True, context={"organisation": org}).data)

    @extend_schema(request=s.MemberCreateSerializer, responses={201: s.MemberSerializer})
    def post(self, request: Request, code: str) -> Response:
        org = selectors.get_administered_organisation(request.user, code)
        body = s.MemberCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.create_user(
            actor_of_request(request, org.pk), organisation=org, **body.validated_data
        )
        data = s.MemberSerializer(user, context={"organisation": org}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MemberRoles(APIView):
    required_permission = "org.users.manage"

    @extend_schema(request=s.RolesSerializer, responses=s.MemberSerializer)
    def put(self, request: Request, code: str, user_id: int) -> Response:
        org = selectors.get_administered_organisation(request.user, code)
        user = get_object_or_404(selectors.members_of(request.user, org), pk=user_id)
        body = s.RolesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_roles(
            actor_of_request(request, org.pk),
            user=user,
            organisation=org,
            roles=body.validated_data["roles"],
        )
        user = User.objects.prefetch_related("memberships").get(pk=user.pk)
        return Response(s.MemberSerializer(user, context={"organisation": org}).data)


class ChangeLog(generics.ListAPIView):
    """Every create, update and delete, for the organisations you audit."""

    serializer_class = s.ChangeSerializer
    required_permission = "audit.view"

    def get_queryset(self) -> Any:
        return selectors.visible_changes(self.request.user, **self.request.query_params.dict())


class AccessLog(generics.ListAPIView):
    """Every view or export of identifying data (hash-chained), for the organisations you audit."""

    serializer_class = s.AccessLogSerializer
    required_permission = "audit.view"

    def get_queryset(self) -> Any:
        return selectors.visible_access_log(self.request.user, **self.request.query_params.dict())


def _session_only(request: Request) -> None:
    """Tokens are managed from a logged-in session, never with a token (ADR 0040)."""
    if isinstance(request.auth, ApiToken):
        raise Forbidden(
            _("API tokens cannot list or create tokens: use the account page."),
            code="token_cannot_manage_tokens",
        )


class TokenList(generics.ListCreateAPIView):
    """Your API tokens (from a logged-in session only). The secret is shown once, when the
    token is created, which needs a password entered in the last minutes."""

    serializer_class = s.TokenSerializer

    def get_queryset(self) -> Any:
        return ApiToken.objects.filter(user=access.request_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _session_only(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.TokenCreateSerializer, responses={201: s.TokenIssuedSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _session_only(request)
        body = s.TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not tokens.recently_authenticated(request):
            raise Forbidden(
                _("Enter your password again to create a token."),
                code="recent_login_required",
                detail={"reauthenticate": reverse("account_reauthenticate")},
            )
        token, secret = tokens.issue(actor_of_request(request), **body.validated_data)
        data = {**s.TokenSerializer(token).data, "secret": secret}
        return Response(data, status=status.HTTP_201_CREATED)


class TokenRevoke(APIView):
    """Revoke one of your tokens (a token may revoke itself, and only itself)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        user = access.request_user(request)
        if isinstance(request.auth, ApiToken) and request.auth.pk != pk:
            _session_only(request)
        token = get_object_or_404(ApiToken, pk=pk, user=user)
        tokens.revoke(actor_of_request(request), token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GrantList(generics.ListAPIView):
    """Role grants waiting for (or decided by) a second administrator, in the organisations
    you administer. ``?status=pending`` (default), ``approved``, ``refused``, ``withdrawn``
    or ``all``."""

    serializer_class = s.GrantSerializer
    required_permission = "org.users.manage"

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("status", PendingGrant.Status.PENDING)
        return selectors.visible_grants(self.request.user, status=wanted)


def _decide(request: Request, pk: int, decision: str) -> Response:
    grant = get_object_or_404(selectors.visible_grants(request.user, status="all"), pk=pk)
    actor = actor_of_request(request, grant.organisation_id)
    if decision == "approve":
        grants.approve(actor, grant)
    else:
        grants.refuse(actor, grant)
    grant.refresh_from_db()
    return Response(s.GrantSerializer(grant).data)


class GrantApprove(APIView):
    """Approve a role grant another administrator asked for (not your own, not to you)."""

    required_permission = "org.users.manage"

    @extend_schema(request=None, responses=s.GrantSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(request, pk, "approve")


class GrantRefuse(APIView):
    """Refuse a role grant (or withdraw the one you asked for)."""

    required_permission = "org.users.manage"

    @extend_schema(request=None, responses=s.GrantSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(request, pk, "refuse")


def _visible_job(request: Request, pk: Any) -> Job:
    return get_object_or_404(jobs.visible_jobs(access.request_user(request)), pk=pk)


class JobList(generics.ListAPIView):
    """Background jobs you started, or of the organisations you administer."""

    serializer_class = s.JobSerializer

    def get_queryset(self) -> Any:
        qs = jobs.visible_jobs(self.request.user)
        status_filter = self.request.query_params.get("status")
        return qs.filter(status=status_filter) if status_filter else qs


class JobDetail(APIView):
    """One job's state and progress (poll it while the job runs)."""

    @extend_schema(responses=s.JobSerializer)
    def get(self, request: Request, pk: Any) -> Response:
        return Response(s.JobSerializer(_visible_job(request, pk)).data)


class JobCancel(APIView):
    """Ask a job to stop."""

    @extend_schema(request=None, responses=s.JobSerializer)
    def post(self, request: Request, pk: Any) -> Response:
        job = jobs.cancel(access.request_user(request), _visible_job(request, pk))
        return Response(s.JobSerializer(job).data)


class JobRetry(APIView):
    """Run a failed or cancelled job again (it resumes from its last checkpoint)."""

    @extend_schema(request=None, responses={202: s.JobSerializer})
    def post(self, request: Request, pk: Any) -> Response:
        job = _visible_job(request, pk)
        try:
            jobs.retry(access.request_user(request), job)
        except ValueError as exc:
            raise ValidationError({"status": [str(exc)]}) from None
        return Response(s.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
