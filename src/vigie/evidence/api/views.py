"""Evidence API: items, contents, custody with proofs, sealing, resumable uploads, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigie.core import access
from vigie.core.actor import Actor
from vigie.evidence import exports, log, selectors, services, uploads
from vigie.evidence.api import serializers as s
from vigie.evidence.models import SignedTreeHead, UploadSession
from vigie.evidence.verify import verify_all


def _actor(request: Request, item: Any) -> Actor:
    """The requesting user acting for the organisation that holds the item."""
    return Actor(user=access.request_user(request), organisation_id=item.organisation_id)


class ItemList(generics.ListAPIView):
    """Evidence items you may see (filter with ?case=)."""

    serializer_class = s.ItemSerializer
    required_permissions = {"GET": "evidence.view", "POST": "evidence.add"}
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        qs = selectors.visible_items(self.request.user)
        case = self.request.query_params.get("case")
        return qs.filter(case_ref=case) if case else qs

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": access.request_user(self.request)}

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        shown = page if page is not None else list(queryset)
        services.log_names_shown(access.request_user(self.request), shown)  # ADR 0045
        return page

    @extend_schema(request=s.ItemCreateSerializer, responses={201: s.ItemSerializer})
    def post(self, request: Request) -> Response:
        """Add one file (for large files use the resumable uploads)."""
        body = s.ItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        user = access.request_user(request)
        org = selectors.organisation_for_adding(user, d.get("organisation"))
        source = selectors.get_item_for(user, d["derived_from"]) if d["derived_from"] else None
        upload = d["file"]
        got = services.ingest(
            Actor(user=user, organisation_id=org.pk),
            org,
            upload,
            name=upload.name or "unnamed",
            collection=services.Collection(
                case_ref=d["case_ref"],
                description=d["description"],
                collected_at=d["collected_at"],
                collected_by=d["collected_by"],
                place=d["place"],
                consent=d["consent"],
                external_case=d["external_case"],
                perpetrators=d["perpetrators"],
                incidents=d["incidents"],
            ),
            derived_from=source,
            derivation=d["derivation"],
        )
        context = {"user": user}
        return Response(
            s.ItemSerializer(got.item, context=context).data, status=status.HTTP_201_CREATED
        )


class ItemDetail(APIView):
    """One item with its collection record; the view is logged in its custody."""

    required_permission = "evidence.view"

    @extend_schema(responses=s.ItemDetailSerializer)
    def get(self, request: Request, uuid: str) -> Response:
        item = selectors.get_item_for(request.user, uuid)
        services.view_item(_actor(request, item), item)
        user = access.request_user(request)
        return Response(s.ItemDetailSerializer(item, context={"user": user}).data)


class ItemContent(APIView):
    """The original bytes (logged as a download). Sealed items need an approved request."""

    required_permission = "evidence.view"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, uuid: str) -> StreamingHttpResponse:
        item = selectors.get_item_for(request.user, uuid)
        chunks = services.open_content(_actor(request, item), item)
        response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
        name = selectors.download_name(access.request_user(request), item)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Content-Length"] = str(item.blob.size)
        response["Digest"] = f"sha-256={item.blob.sha256}"
        return response


class ItemCustody(APIView):
    """The item's custody history, each entry with its inclusion proof in the newest STH."""

    required_permission = "evidence.view"

    @extend_schema(responses=s.CustodySerializer)
    def get(self, request: Request, uuid: str) -> Response:
        item = selectors.get_item_for(request.user, uuid)
        head = SignedTreeHead.objects.first()
        entries = list(selectors.custody_of(item))
        proofs: dict[int, list[str]] = {}
        if head is not None:
            tree = log.load_tree(head.tree_size)
            proofs = {
                e.seq: log.inclusion(tree, e.seq, head.tree_size)
                for e in entries
                if e.seq <= head.tree_size
            }
        data = {
            "tree_head": log.sth_json(head) if head else None,
            "entries": s.CustodyEntrySerializer(
                entries, many=True, context={"proofs": proofs}
            ).data,
        }
        return Response(data)


class ItemVerify(APIView):
    """Re-hash the item's object and check its custody entries and the signed tree heads."""

    required_permission = "evidence.view"

    @extend_schema(request=None, responses=s.VerificationSerializer)
    def post(self, request: Request, uuid: str) -> Response:
        item = selectors.get_item_for(request.user, uuid)
        report = verify_all(item)
        return Response({"ok": report.ok, "problems": [str(p) for p in report.problems]})


class _ItemAction(APIView):
    required_permission = "evidence.seal"

    # The service that performs the action: (user, item, reason) -> result.
    service: Callable[[Any, Any, str], Any]

    @extend_schema(request=s.ReasonSerializer, responses=s.ItemSerializer)
    def post(self, request: Request, uuid: str) -> Response:
        item = selectors.get_item_for(request.user, uuid)
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = self.service(_actor(request, item), item, body.validated_data["reason"])
        return Response(self.out(result))

    def out(self, result: Any) -> Any:
        return s.ItemSerializer(result, context={"user": access.request_user(self.request)}).data


class ItemSeal(_ItemAction):
    """Seal an item: its contents then open only under a second person's approval."""

    service = staticmethod(services.seal_item)


class ItemRelease(_ItemAction):
    """Release a sealed item (by someone other than who sealed it)."""

    service = staticmethod(services.release_item)


class ItemAccessRequest(_ItemAction):
    """Ask for access to a sealed item; a second person with evidence.seal approves."""

    required_permission = "evidence.view"

    @extend_schema(request=s.ReasonSerializer, responses={201: s.ApprovalSerializer})
    def post(self, request: Request, uuid: str) -> Response:
        response = super().post(request, uuid)
        response.status_code = status.HTTP_201_CREATED
        return response

    service = staticmethod(services.request_access)

    def out(self, result: Any) -> Any:
        return s.ApprovalSerializer(result).data


class ItemTransfer(APIView):
    """Hand custody of an item to another organisation (logged as *transferred*)."""

    required_permission = "evidence.export"

    @extend_schema(request=s.TransferSerializer, responses=s.ItemSerializer)
    def post(self, request: Request, uuid: str) -> Response:
        from vigie.core.models import Organisation

        item = selectors.get_item_for(request.user, uuid, "evidence.export")
        body = s.TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = Organisation.objects.filter(
            code=body.validated_data["organisation"], is_active=True
        ).first()
        if to is None:
            raise ValidationError({"organisation": "no active organisation with this code"})
        item = services.transfer_item(
            _actor(request, item), item, to, body.validated_data["reason"]
        )
        return Response(s.ItemSerializer(item, context={"user": access.request_user(request)}).data)


class ApprovalList(generics.ListAPIView):
    """Requests for access to sealed items that you may approve."""

    serializer_class = s.ApprovalSerializer
    required_permission = "evidence.seal"

    def get_queryset(self) -> Any:
        return selectors.pending_approvals(self.request.user)


class ApprovalApprove(APIView):
    required_permission = "evidence.seal"

    @extend_schema(request=None, responses=s.ApprovalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        approval = selectors.approval_for(request.user, pk)
        approval = services.approve_access(_actor(request, approval.item), approval)
        return Response(s.ApprovalSerializer(approval).data)


class LogHead(APIView):
    """The newest signed tree head and the public key that checks it."""

    required_permission = "evidence.view"

    @extend_schema(responses=s.LogSerializer)
    def get(self, request: Request) -> Response:
        from vigie.evidence import keys

        head = SignedTreeHead.objects.first()
        return Response(
            {
                "tree_head": log.sth_json(head) if head else None,
                "public_key": keys.public_key_pem(),
                "log_id": keys.log_id(),
            }
        )


class LogConsistency(APIView):
    """A consistency proof between two signed tree sizes (RFC 9162 2.1.4)."""

    required_permission = "evidence.view"

    @extend_schema(
        parameters=[
            OpenApiParameter("first", int, required=True),
            OpenApiParameter("second", int, required=True),
        ],
        responses=s.ConsistencySerializer,
    )
    def get(self, request: Request) -> Response:
        try:
            first = int(request.query_params.get("first", ""))
            second = int(request.query_params.get("second", ""))
        except ValueError:
            raise ValidationError({"detail": "first and second must be whole numbers"}) from None
        tree = log.load_tree(second)
        if not 0 < first <= second <= tree.size:
            raise ValidationError(
                {"detail": f"need 0 < first <= second <= {tree.size} (the log's size)"}
            )
        return Response(
            {
                "first": first,
                "second": second,
                "first_root": tree.root(first).hex(),
                "second_root": tree.root(second).hex(),
                "proof": log.consistency(tree, first, second),
            }
        )


class UploadStart(APIView):
    """Start a resumable upload; then PUT chunks, then POST complete."""

    required_permission = "evidence.add"

    @extend_schema(request=s.UploadCreateSerializer, responses={201: s.UploadSerializer})
    def post(self, request: Request) -> Response:
        body = s.UploadCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        user = access.request_user(request)
        org = selectors.organisation_for_adding(user, d.pop("organisation", None))
        filename, size = d.pop("filename"), d.pop("size")
        actor = Actor(user=user, organisation_id=org.pk)
        session = uploads.start(actor, org, filename=filename, size=size, fields=d)
        return Response(s.UploadSerializer(session).data, status=status.HTTP_201_CREATED)


def _session(request: Request, uuid: str) -> UploadSession:
    user = access.request_user(request)
    session = (
        UploadSession.objects.filter(uuid=uuid, user=user)
        .select_related("organisation", "item")
        .first()
    )
    if session is None:
        raise Http404("no such upload")
    return session


class UploadChunk(APIView):
    """GET how much arrived; PUT the next chunk (header Upload-Offset: byte position)."""

    required_permission = "evidence.add"

    @extend_schema(responses=s.UploadSerializer)
    def get(self, request: Request, uuid: str) -> Response:
        return Response(s.UploadSerializer(_session(request, uuid)).data)

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True)],
        responses=s.UploadSerializer,
    )
    def put(self, request: Request, uuid: str) -> Response:
        session = _session(request, uuid)
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
            length = int(request.headers.get("Content-Length", ""))
        except ValueError:
            raise ValidationError(
                {"detail": "Upload-Offset and Content-Length headers must be whole numbers"}
            ) from None
        uploads.append(session, offset, request._request, length)  # type: ignore[arg-type]
        return Response(s.UploadSerializer(session).data)


class UploadComplete(APIView):
    required_permission = "evidence.add"

    @extend_schema(request=None, responses={201: s.ItemSerializer})
    def post(self, request: Request, uuid: str) -> Response:
        session = _session(request, uuid)
        actor = Actor(user=access.request_user(request), organisation_id=session.organisation_id)
        got = uploads.complete(actor, session)
        context = {"user": actor.user}
        return Response(
            s.ItemSerializer(got.item, context=context).data, status=status.HTTP_201_CREATED
        )


class CaseExport(APIView):
    """Start the export of the case for court (a BagIt bag zipped with custody proofs and the
    PDF report) as a background job. Poll ``status_url``; when the job has succeeded,
    ``download_url`` gives the zip (to you only, while you may still export)."""

    required_permission = "evidence.export"

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("lang", str, enum=["en", "fr"])],
        responses={202: s.ExportStartedSerializer},
    )
    def post(self, request: Request, case: str) -> Response:
        user = access.request_user(request)
        if not selectors.visible_items(user, "evidence.export").filter(case_ref=case).exists():
            raise Http404("no evidence that you may export in this case")
        job = exports.start_export(user, case, request.query_params.get("lang", "en"))
        body = {
            "id": job.pk,
            "status": job.status,
            "status_url": reverse("core-api:job", kwargs={"pk": job.pk}),
            "download_url": reverse("evidence-api:export-download", kwargs={"pk": job.pk}),
        }
        return Response(s.ExportStartedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class ExportDownload(APIView):
    """The zip of a finished export: only for the person who started it, while they still
    hold evidence.export; each download is recorded in every exported item's custody chain.
    409 while the job is queued or running; 404 once it failed or the zip was removed."""

    required_permission = "evidence.export"

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: Any) -> StreamingHttpResponse | Response:
        user = access.request_user(request)
        job = selectors.export_job_for(user, pk)
        archive = exports.archive_of(job)
        if archive is None:
            if job.status in ("queued", "running"):
                return Response(
                    {"detail": "this export is not finished yet", "status": job.status},
                    status=status.HTTP_409_CONFLICT,
                )
            raise Http404("this export failed or is no longer kept")
        exports.record_archive_download(user, job)
        return exports.archive_response(archive, job)
