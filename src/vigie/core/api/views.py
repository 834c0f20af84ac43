from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core import access, jobs, selectors, services
from vigie.core.api import serializers as s
from vigie.core.models import ApiToken, Job, Membership, User


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
        user = services.create_user(request.user, organisation=org, **body.validated_data)
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
            request.user, user=user, organisation=org, roles=body.validated_data["roles"]
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


class TokenList(generics.ListCreateAPIView):
    """Your API tokens. The secret is shown once, when the token is created."""

    serializer_class = s.TokenSerializer

    def get_queryset(self) -> Any:
        return ApiToken.objects.filter(user=access.request_user(self.request))

    @extend_schema(request=s.TokenCreateSerializer, responses={201: s.TokenIssuedSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = s.TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, secret = services.issue_token(access.request_user(request), **body.validated_data)
        data = {**s.TokenSerializer(token).data, "secret": secret}
        return Response(data, status=status.HTTP_201_CREATED)


class TokenRevoke(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        user = access.request_user(request)
        token = get_object_or_404(ApiToken, pk=pk, user=user)
        services.revoke_token(user, token)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
