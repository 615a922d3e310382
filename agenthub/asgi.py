"""The ASGI application every server process serves (``agenthub/server.py`` runs it under
uvicorn): the gateway's front door in front of Django (see ``apps.gateway.asgi``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")

django_application = get_asgi_application()

from apps.gateway.asgi import FrontDoor  # noqa: E402  (needs the app registry ready)

application = FrontDoor(django_application)
