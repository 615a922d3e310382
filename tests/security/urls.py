"""Test URLconf: the real URLs plus two tiny views that use the guard's public interface the way
flows do (guard_input before the model, guard_output after it)."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.principal import GuardContext
from apps.security.services import guard_input, guard_output


class GuardedEchoApi(APIView):
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False)
        source = serializers.CharField(required=False, default="user_input")

    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ctx = GuardContext.from_request(request, flow="echo")
        result = guard_input(data.validated_data["text"], ctx=ctx, source="user_input")
        # Like a flow: the sanitized text goes on to the model, not back to the caller.
        return Response(
            {
                "chars": len(result.text),
                "action": result.decision.action,
                "truncated": result.truncated,
            }
        )


class GuardedOutputApi(APIView):
    def post(self, request):
        ctx = GuardContext.from_request(request, flow="echo")
        canary = request.data.get("canary")
        return Response(
            {"text": guard_output(request.data.get("text", ""), ctx=ctx, canary=canary)}
        )


urlpatterns = [
    path("test/echo", GuardedEchoApi.as_view()),
    path("test/output", GuardedOutputApi.as_view()),
    path("", include("agenthub.urls")),
]
