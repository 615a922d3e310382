from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.checks import readiness
from apps.core.request_context import get_request_id


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and (when configured) the broker answer."""
    checks = readiness()
    failed = {name: reason for name, reason in checks.items() if reason != "ok"}
    if failed:
        return JsonResponse(
            {
                "status": "unavailable",
                "checks": checks,
                "error": {
                    "code": "not_ready",
                    "message": "Failed checks: " + ", ".join(sorted(failed)),
                    "request_id": get_request_id(),
                },
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": checks})
