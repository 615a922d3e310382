from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.checks import readiness
from apps.core.exceptions import error_body


@never_cache
@require_GET
async def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else. Async: the front door serves it on
    the event loop, where a sync view would also wait its turn for the process's one sync
    thread (and two hops between it and the loop)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and (when configured) the broker answer."""
    checks = readiness()
    failed = {name: reason for name, reason in checks.items() if reason != "ok"}
    if failed:
        message = "Failed checks: " + ", ".join(sorted(failed))
        return JsonResponse(
            {"status": "unavailable", "checks": checks, **error_body("not_ready", message)},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": checks})
