"""API of the shared provider registry and its circuit breakers.

Platform administrator keys change providers, their keys and their breakers; tenant operator and
auditor keys only read. A provider's key is write-only: ``api_key`` is accepted (stored
encrypted) and never returned; answers say only where a key comes from (``api_key_source``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.providers.breaker.core import BreakerSnapshot
from apps.providers.models import BreakerMode, ModelAlias, Provider, ProviderKind
from apps.providers.selectors import (
    breaker_config_of,
    model_alias_get,
    model_alias_list,
    provider_get,
    provider_list,
)
from apps.providers.services import (
    breaker_disable,
    breaker_force_open,
    breaker_reset,
    breaker_snapshot,
    model_alias_create,
    model_alias_delete,
    model_alias_update,
    provider_api_key_is_set,
    provider_api_key_source,
    provider_create,
    provider_test_connection,
    provider_update,
)
from apps.tenants.authentication import principal_of
from apps.tenants.permissions import IsPlatformAdminKey, IsPlatformAdminOrOperatorReadOnly


def _timestamp(value: float | None) -> str | None:
    return datetime.fromtimestamp(value, tz=UTC).isoformat() if value else None


def _actor(request: Request) -> str:
    return f"api-key:{principal_of(request).api_key.prefix}"


class BreakerConfigSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=BreakerMode.choices, required=False)
    failure_threshold = serializers.IntegerField(allow_null=True, required=False)
    failure_rate_threshold = serializers.FloatField(allow_null=True, required=False)
    window_size = serializers.IntegerField(required=False)
    minimum_calls = serializers.IntegerField(required=False)
    slow_call_duration = serializers.FloatField(allow_null=True, required=False)
    slow_call_rate_threshold = serializers.FloatField(allow_null=True, required=False)
    open_duration = serializers.FloatField(required=False)
    half_open_max_calls = serializers.IntegerField(required=False)
    count_timeouts = serializers.BooleanField(required=False)
    count_5xx = serializers.BooleanField(required=False)
    count_429 = serializers.BooleanField(required=False)
    count_connect = serializers.BooleanField(required=False)
    count_bad_response = serializers.BooleanField(required=False)


class BreakerStateSerializer(serializers.Serializer):
    """A live snapshot of a breaker, from the shared store."""

    name = serializers.CharField()
    state = serializers.CharField(source="state.value")
    calls_in_window = serializers.IntegerField()
    failures_in_window = serializers.IntegerField()
    slow_in_window = serializers.IntegerField()
    failure_rate = serializers.FloatField()
    half_open_in_flight = serializers.IntegerField()
    retry_after = serializers.FloatField()
    opened_at = serializers.SerializerMethodField()
    last_transition_at = serializers.SerializerMethodField()
    last_transition_reason = serializers.CharField()

    def get_opened_at(self, snapshot: BreakerSnapshot) -> str | None:
        return _timestamp(snapshot.opened_at)

    def get_last_transition_at(self, snapshot: BreakerSnapshot) -> str | None:
        return _timestamp(snapshot.last_transition_at)


class ProviderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    base_url = serializers.CharField()
    model = serializers.CharField()
    api_key_env = serializers.CharField()
    api_key_set = serializers.SerializerMethodField()
    api_key_source = serializers.SerializerMethodField(
        help_text='"stored" (encrypted in the database), "environment" or "none".'
    )
    connect_timeout = serializers.FloatField()
    read_timeout = serializers.FloatField()
    max_attempts = serializers.IntegerField()
    backoff_initial = serializers.FloatField()
    backoff_max = serializers.FloatField()
    jitter = serializers.FloatField()
    retry_after_cap = serializers.FloatField()
    enabled = serializers.BooleanField()
    is_default = serializers.BooleanField()
    supports_tools = serializers.BooleanField()
    fallbacks = serializers.SerializerMethodField()
    breaker_config = serializers.SerializerMethodField()
    breaker = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_api_key_set(self, provider: Provider) -> bool:
        return provider_api_key_is_set(provider=provider)

    @extend_schema_field(serializers.ChoiceField(choices=["stored", "environment", "none"]))
    def get_api_key_source(self, provider: Provider) -> str:
        return provider_api_key_source(provider=provider)

    def get_fallbacks(self, provider: Provider) -> list[str]:
        return [link.fallback.name for link in provider.fallback_links.all()]

    @extend_schema_field(BreakerConfigSerializer(allow_null=True))
    def get_breaker_config(self, provider: Provider) -> dict | None:
        config = breaker_config_of(provider)
        if config is None:
            return None
        return BreakerConfigSerializer(config).data

    @extend_schema_field(BreakerStateSerializer)
    def get_breaker(self, provider: Provider) -> dict:
        return BreakerStateSerializer(breaker_snapshot(provider=provider)).data


class ProviderInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=ProviderKind.choices)
    base_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    model = serializers.CharField(max_length=200, required=False, allow_blank=True)
    api_key_env = serializers.CharField(max_length=128, required=False, allow_blank=True)
    api_key = serializers.CharField(
        max_length=4096,
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=True,
        help_text="The provider's API key: stored encrypted, never returned. Empty removes it.",
    )
    connect_timeout = serializers.FloatField(required=False)
    read_timeout = serializers.FloatField(required=False)
    max_attempts = serializers.IntegerField(required=False)
    backoff_initial = serializers.FloatField(required=False)
    backoff_max = serializers.FloatField(required=False)
    jitter = serializers.FloatField(required=False)
    retry_after_cap = serializers.FloatField(required=False)
    enabled = serializers.BooleanField(required=False)
    is_default = serializers.BooleanField(required=False)
    supports_tools = serializers.BooleanField(required=False)
    fallbacks = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=20
    )
    breaker_config = BreakerConfigSerializer(required=False)


def _split(data: dict) -> tuple[dict, dict | None, list[str] | None]:
    data = dict(data)
    breaker = data.pop("breaker_config", None)
    fallbacks = data.pop("fallbacks", None)
    return data, breaker, fallbacks


def _output(provider_id: int) -> dict:
    return ProviderOutputSerializer(provider_get(provider_id=provider_id)).data


class ProviderListCreateApi(APIView):
    """List the provider registry, or register a provider (with its breaker configuration)."""

    permission_classes = [IsPlatformAdminOrOperatorReadOnly]

    @extend_schema(responses=ProviderOutputSerializer(many=True), summary="List providers")
    def get(self, request: Request) -> Response:
        return Response(ProviderOutputSerializer(provider_list(), many=True).data)

    @extend_schema(
        request=ProviderInputSerializer,
        responses={201: ProviderOutputSerializer},
        summary="Register a provider",
    )
    def post(self, request: Request) -> Response:
        serializer = ProviderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, breaker, fallbacks = _split(serializer.validated_data)
        provider = provider_create(breaker=breaker, fallbacks=fallbacks, **fields)
        return Response(_output(provider.pk), status=201)


class ProviderDetailApi(APIView):
    """One provider; PATCH changes any field, its fallback chain or its breaker configuration
    (in force in every process within one second)."""

    permission_classes = [IsPlatformAdminOrOperatorReadOnly]

    @extend_schema(responses=ProviderOutputSerializer, summary="Get a provider")
    def get(self, request: Request, provider_id: int) -> Response:
        return Response(_output(provider_id))

    @extend_schema(
        request=ProviderInputSerializer(partial=True),
        responses=ProviderOutputSerializer,
        summary="Change a provider",
    )
    def patch(self, request: Request, provider_id: int) -> Response:
        provider = provider_get(provider_id=provider_id)
        serializer = ProviderInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, breaker, fallbacks = _split(serializer.validated_data)
        provider_update(provider=provider, breaker=breaker, fallbacks=fallbacks, **fields)
        return Response(_output(provider_id))


class BreakerStateApi(APIView):
    """The provider's live breaker state, as every process sees it."""

    permission_classes = [IsPlatformAdminOrOperatorReadOnly]

    @extend_schema(responses=BreakerStateSerializer, summary="Breaker state")
    def get(self, request: Request, provider_id: int) -> Response:
        provider = provider_get(provider_id=provider_id)
        return Response(BreakerStateSerializer(breaker_snapshot(provider=provider)).data)


class _BreakerActionApi(APIView):
    permission_classes = [IsPlatformAdminKey]
    breaker_action: Callable[..., BreakerSnapshot]

    def post(self, request: Request, provider_id: int) -> Response:
        provider = provider_get(provider_id=provider_id)
        snapshot = type(self).breaker_action(provider=provider, actor=_actor(request))
        return Response(BreakerStateSerializer(snapshot).data)


@extend_schema(request=None, responses=BreakerStateSerializer, summary="Reset (close) a breaker")
class BreakerResetApi(_BreakerActionApi):
    """Close the breaker: empty window, automatic mode. Recorded as a breaker event."""

    breaker_action = staticmethod(breaker_reset)


@extend_schema(request=None, responses=BreakerStateSerializer, summary="Force a breaker open")
class BreakerForceOpenApi(_BreakerActionApi):
    """Reject every call to this provider (its fallbacks answer) until reset."""

    breaker_action = staticmethod(breaker_force_open)


@extend_schema(request=None, responses=BreakerStateSerializer, summary="Disable a breaker")
class BreakerDisableApi(_BreakerActionApi):
    """Let every call through (still measured) until reset."""

    breaker_action = staticmethod(breaker_disable)


class ConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    provider = serializers.CharField()
    model = serializers.CharField()
    latency_ms = serializers.FloatField()
    reply = serializers.CharField()


class ProviderTestApi(APIView):
    """Send a tiny completion through the provider's full resilient path (no fallback).

    Success answers 200; a failure answers its typed error (504 llm_timeout, 502
    llm_provider_error / llm_bad_response, 429 llm_rate_limited, 503 circuit_open with
    Retry-After, 503 provider_misconfigured).
    """

    permission_classes = [IsPlatformAdminKey]

    @extend_schema(request=None, responses=ConnectionTestSerializer, summary="Test a provider")
    def post(self, request: Request, provider_id: int) -> Response:
        provider = provider_get(provider_id=provider_id)
        result = provider_test_connection(provider=provider)
        if result.error is not None:
            raise result.error
        return Response(ConnectionTestSerializer(result).data)


class ModelAliasOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The model name clients send, e.g. gpt-4o.")
    provider = serializers.CharField(source="provider.name", help_text="Where it routes.")
    created_at = serializers.DateTimeField()


class ModelAliasInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    provider = serializers.SlugRelatedField(
        slug_field="name", queryset=Provider.objects.all(), help_text="A provider's name."
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class ModelAliasListCreateApi(APIView):
    """Operator-defined model names (``gpt-4o`` -> a provider) for ``/v1``: listed by
    ``GET /v1/models``, routed without a database read."""

    permission_classes = [IsPlatformAdminOrOperatorReadOnly]

    @extend_schema(responses=ModelAliasOutputSerializer(many=True), summary="List model aliases")
    def get(self, request: Request) -> Response:
        return Response(ModelAliasOutputSerializer(model_alias_list(), many=True).data)

    @extend_schema(
        request=ModelAliasInputSerializer,
        responses={201: ModelAliasOutputSerializer},
        summary="Create a model alias",
    )
    def post(self, request: Request) -> Response:
        serializer = ModelAliasInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alias = model_alias_create(**serializer.validated_data)
        return Response(ModelAliasOutputSerializer(alias).data, status=201)


class ModelAliasDetailApi(APIView):
    """One model alias; PATCH renames it or points it elsewhere, DELETE removes it (both live
    in every process within one second)."""

    permission_classes = [IsPlatformAdminOrOperatorReadOnly]

    @extend_schema(responses=ModelAliasOutputSerializer, summary="Get a model alias")
    def get(self, request: Request, alias_id: int) -> Response:
        return Response(ModelAliasOutputSerializer(model_alias_get(alias_id=alias_id)).data)

    @extend_schema(
        request=ModelAliasInputSerializer(partial=True),
        responses=ModelAliasOutputSerializer,
        summary="Change a model alias",
    )
    def patch(self, request: Request, alias_id: int) -> Response:
        alias: ModelAlias = model_alias_get(alias_id=alias_id)
        serializer = ModelAliasInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        alias = model_alias_update(alias=alias, **serializer.validated_data)
        return Response(ModelAliasOutputSerializer(alias).data)

    @extend_schema(responses={204: None}, summary="Delete a model alias")
    def delete(self, request: Request, alias_id: int) -> Response:
        model_alias_delete(alias=model_alias_get(alias_id=alias_id))
        return Response(status=204)
