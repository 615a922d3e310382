from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tenants.authentication import principal_of
from apps.tenants.models import ApiKey
from apps.tenants.permissions import IsOperatorKey
from apps.tenants.selectors import api_keys_of_tenant, scoped_get
from apps.tenants.services import api_key_create, api_key_revoke


class WhoAmIApi(APIView):
    """The tenant and key the request authenticated as."""

    class OutputSerializer(serializers.Serializer):
        tenant = serializers.CharField(source="tenant.name")
        key_prefix = serializers.CharField(source="api_key.prefix")
        is_operator = serializers.BooleanField()
        is_platform_admin = serializers.BooleanField()
        expires_at = serializers.DateTimeField(source="api_key.expires_at", allow_null=True)

    @extend_schema(responses=OutputSerializer, summary="Who am I")
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields: tuple[str, ...] = (
            "id",
            "prefix",
            "name",
            "is_operator",
            "is_platform_admin",
            "is_auditor",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        )


class ApiKeyListCreateApi(APIView):
    """Operator keys list and create their own tenant's keys. A new key is shown once."""

    permission_classes = [IsOperatorKey]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100, required=False, default="")
        is_operator = serializers.BooleanField(required=False, default=False)
        is_auditor = serializers.BooleanField(required=False, default=False)
        expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

        def validate_expires_at(self, value):
            if value is not None and value <= timezone.now():
                raise serializers.ValidationError("Must be in the future.")
            return value

    class CreatedSerializer(ApiKeyOutputSerializer):
        key = serializers.CharField(help_text="The full key. Shown once; store it now.")

        class Meta(ApiKeyOutputSerializer.Meta):
            fields = (*ApiKeyOutputSerializer.Meta.fields, "key")

    @extend_schema(responses=ApiKeyOutputSerializer(many=True), summary="List API keys")
    def get(self, request: Request) -> Response:
        keys = api_keys_of_tenant(tenant=principal_of(request).tenant)
        return Response(ApiKeyOutputSerializer(keys, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer}, summary="Create")
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = api_key_create(tenant=principal_of(request).tenant, **serializer.validated_data)
        body = {**ApiKeyOutputSerializer(created.api_key).data, "key": created.plaintext}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(APIView):
    permission_classes = [IsOperatorKey]

    @extend_schema(request=None, responses=ApiKeyOutputSerializer, summary="Revoke an API key")
    def post(self, request: Request, key_id: int) -> Response:
        api_key = scoped_get(ApiKey.objects.all(), tenant=principal_of(request).tenant, pk=key_id)
        api_key_revoke(api_key=api_key)
        return Response(ApiKeyOutputSerializer(api_key).data)
