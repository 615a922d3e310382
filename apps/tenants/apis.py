from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class WhoAmIApi(APIView):
    """The tenant and key the request authenticated as."""

    class OutputSerializer(serializers.Serializer):
        tenant = serializers.CharField(source="tenant.name")
        key_prefix = serializers.CharField(source="api_key.prefix")
        is_operator = serializers.BooleanField()
        expires_at = serializers.DateTimeField(source="api_key.expires_at", allow_null=True)

    @extend_schema(responses=OutputSerializer, summary="Who am I")
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)
