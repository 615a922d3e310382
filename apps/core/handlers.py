"""Django error handlers: JSON under the API prefixes, Django's pages elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from apps.core.exceptions import error_response
from apps.core.middleware import is_api_path


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(404, "not_found", "No such endpoint or object.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(500, "internal_error", "An internal error occurred.")
    return defaults.server_error(request)
