"""Client address for django-axes' login records: a valid IP address, or None.

The platform's rule (``apps.tenants.throttling.client_ip``) may answer "unknown", which the
GenericIPAddressField of axes' records rejects on PostgreSQL.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from apps.tenants.throttling import client_ip


def axes_client_ip(request: HttpRequest | None) -> str | None:
    if request is None or not hasattr(request, "META"):
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None
