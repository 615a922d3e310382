from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.agents.selectors import conversation_get, document_list
from apps.agents.services import (
    DOCUMENT_MAX_CHARS,
    MESSAGE_MAX_CHARS,
    agent_chat,
    agent_chat_check,
    document_create,
)
from apps.core.http import wants_async
from apps.core.principal import GuardContext
from apps.core.schema import PAGE_PARAMETERS, paginated
from apps.flows.http import idempotent, job_accepted_response
from apps.tenants.authentication import principal_of


@extend_schema_serializer(component_name="AgentStep")
class _StepSerializer(serializers.Serializer):
    tool = serializers.CharField()
    arguments = serializers.JSONField()
    status = serializers.CharField(help_text="ok, error or blocked (by the guard)")
    duration_ms = serializers.IntegerField()


class AgentChatApi(APIView):
    """Send a message to an agent: it reasons, calls tools, observes and answers.

    Continue a conversation by passing the ``conversation_id`` a previous answer returned.
    ``"async": true`` (or ``Prefer: respond-async``) queues the run and answers 202 with a job
    URL; an ``Idempotency-Key`` header makes a retried POST return the first result."""

    @extend_schema_serializer(component_name="AgentChat")
    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=MESSAGE_MAX_CHARS)
        agent = serializers.SlugField(max_length=64, default="assistant")
        conversation_id = serializers.IntegerField(required=False, min_value=1, allow_null=True)
        # "async" is a Python keyword, so the field is declared below.

    InputSerializer._declared_fields["async"] = serializers.BooleanField(
        required=False, help_text="Queue the run and answer 202 with a job URL."
    )

    @extend_schema_serializer(component_name="AgentChatResponse")
    class OutputSerializer(serializers.Serializer):
        reply = serializers.CharField()
        conversation_id = serializers.IntegerField()
        run_id = serializers.IntegerField()
        steps = _StepSerializer(many=True)
        usage = serializers.DictField(child=serializers.IntegerField())
        provider = serializers.CharField(allow_blank=True)
        fallback_reason = serializers.CharField(allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            202: OpenApiResponse(description="Queued: poll the job URL for the result."),
        },
        summary="Chat with an agent",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payload = {
            "message": data["message"],
            "agent": data["agent"],
            "conversation_id": data.get("conversation_id"),
        }
        ctx = GuardContext.from_request(request, flow="agent")

        def compute() -> Response:
            if wants_async(request, request.data):
                # the answers a sync chat gives at once (404...) are given before queueing
                agent_chat_check(
                    tenant=principal_of(request).tenant,
                    agent=payload["agent"],
                    conversation_id=payload["conversation_id"],
                )
                return job_accepted_response(request, kind="agent_chat", payload=payload, ctx=ctx)
            result = agent_chat(
                tenant=principal_of(request).tenant,
                agent=payload["agent"],
                message=payload["message"],
                conversation_id=payload["conversation_id"],
                ctx=ctx,
            )
            return Response(self.OutputSerializer(result.as_dict()).data)

        return idempotent(request, scope="agents.chat", compute=compute)


class ConversationApi(APIView):
    """A stored conversation with its messages (this tenant's conversations only)."""

    @extend_schema_serializer(component_name="AgentConversation")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="AgentMessage")
        class MessageSerializer(serializers.Serializer):
            role = serializers.CharField()
            content = serializers.CharField(allow_blank=True)
            tool_calls = serializers.JSONField()
            tool_call_id = serializers.CharField(allow_blank=True)
            created_at = serializers.DateTimeField()

        id = serializers.IntegerField()
        agent = serializers.CharField(source="agent.name")
        created_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()
        messages = MessageSerializer(many=True, source="ordered_messages")

    @extend_schema(responses=OutputSerializer, summary="Get a conversation")
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = conversation_get(
            tenant=principal_of(request).tenant, conversation_id=conversation_id
        )
        # Read by OutputSerializer's messages field; not a model attribute.
        conversation.ordered_messages = conversation.messages.order_by("seq")  # type: ignore[attr-defined]
        return Response(self.OutputSerializer(conversation).data)


class DocumentListCreateApi(APIView):
    """The tenant's documents, searched by the ``search_documents`` tool (this tenant's only)."""

    @extend_schema_serializer(component_name="AgentDocumentCreate")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=300)
        content = serializers.CharField(max_length=DOCUMENT_MAX_CHARS)

    @extend_schema_serializer(component_name="AgentDocument")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        content = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(OutputSerializer(many=True), "AgentDocumentPage"),
        operation_id="api_v1_ai_agents_documents_list",
        summary="List documents",
    )
    def get(self, request: Request) -> Response:
        documents = document_list(tenant=principal_of(request).tenant)
        page = LimitOffsetPagination()
        items = page.paginate_queryset(documents, request, view=self)
        return page.get_paginated_response(self.OutputSerializer(items, many=True).data)

    @extend_schema(
        request=InputSerializer, responses={201: OutputSerializer}, summary="Add a document"
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = document_create(tenant=principal_of(request).tenant, **serializer.validated_data)
        return Response(self.OutputSerializer(document).data, status=201)
