"""Small helpers shared by test modules (fixtures live in conftest.py files)."""

from __future__ import annotations

import json

from prometheus_client import REGISTRY
from rest_framework.test import APIClient


def bearer_client(plaintext: str) -> APIClient:
    """An API client that sends ``Authorization: Bearer <plaintext>`` on every request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def metric_value(name: str, **labels: str) -> float:
    """A sample from this process's Prometheus registry; 0.0 while it was never recorded."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def chat_requests(fakellm) -> int:
    """Chat-completion requests the fake upstream has received."""
    return fakellm.stats()["requests"].get("/v1/chat/completions", 0)


def reply_json(fake, data: dict, **extra) -> None:
    """Make the fake upstream answer every request with this JSON object as its text."""
    fake.set(reply=json.dumps(data), **extra)
