"""Client address for django-axes' login records: a valid IP address, or None.

The platform's rule (``apps.core.http.client_ip``) may answer "unknown", which the
GenericIPAddressField of axes' records rejects on PostgreSQL.
"""

from __future__ import annotations

from django.http import HttpRequest

from apps.core.http import valid_client_ip


def axes_client_ip(request: HttpRequest | None) -> str | None:
    if request is None or not hasattr(request, "META"):
        return None
    return valid_client_ip(request)
