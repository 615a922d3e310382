"""HTTP layer of the flows: thin views over ``services``, ``jobs`` and ``selectors``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.core.http import wants_async
from apps.core.principal import GuardContext
from apps.flows.http import idempotent, job_accepted_response, job_body
from apps.flows.selectors import job_get, notary_record_get
from apps.flows.services import flow_check, notary_record_body, run_flow
from apps.tenants.authentication import principal_of


class FlowRunApi(APIView):
    """Run a flow (``notary``, ``classify``, ``ask``); ``"async": true`` queues it (202)."""

    @extend_schema_serializer(component_name="FlowRunInput")
    class InputSerializer(serializers.Serializer):
        """The fields of all three flows; each flow reads its own."""

        document = serializers.CharField(required=False, help_text="notary: the document.")
        text = serializers.CharField(required=False, help_text="classify: the text.")
        labels = serializers.ListField(
            child=serializers.CharField(), required=False, help_text="classify: the labels."
        )
        label_set = serializers.CharField(
            required=False, help_text="classify: a named label set instead of labels."
        )
        question = serializers.CharField(required=False, help_text="ask: the question.")
        documents = serializers.ListField(
            child=serializers.JSONField(),
            required=False,
            help_text="ask: context documents (strings or {'text': ...}).",
        )
        provider = serializers.CharField(required=False, help_text="A provider by name.")
        # "async" is a Python keyword, so the field is declared below.

    InputSerializer._declared_fields["async"] = serializers.BooleanField(
        required=False, help_text="Queue the run and answer 202 with a job URL."
    )

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OpenApiResponse(description="The flow's answer, with provider/usage/latency."),
            202: OpenApiResponse(description="Queued: the job (poll its url)."),
        },
        summary="Run a flow",
    )
    def post(self, request: Request, flow: str) -> Response:
        payload = request.data
        flow_check(flow, payload)
        ctx = GuardContext.from_request(request, flow=flow)

        def compute() -> Response:
            if wants_async(request, payload):
                job_payload = {k: v for k, v in payload.items() if k != "async"}
                return job_accepted_response(request, kind=flow, payload=job_payload, ctx=ctx)
            return Response(run_flow(flow=flow, payload=payload, ctx=ctx))

        return idempotent(request, scope=f"flows:{flow}", compute=compute)


class NotaryRecordApi(APIView):
    """A stored notary record, with ``verified`` recomputed from its sealed hash."""

    @extend_schema(summary="Get a notary record", responses={200: OpenApiResponse()})
    def get(self, request: Request, record_id) -> Response:
        record = notary_record_get(tenant=principal_of(request).tenant, record_id=record_id)
        return Response(notary_record_body(record))


class JobApi(APIView):
    """An async job's status, and its result or error (this tenant's jobs only)."""

    @extend_schema(summary="Get a job", responses={200: OpenApiResponse()})
    def get(self, request: Request, job_id) -> Response:
        job = job_get(tenant=principal_of(request).tenant, job_id=job_id)
        url = reverse("flows-job", args=[job.id], request=request)
        return Response(job_body(job, url=url))
