from __future__ import annotations

import json

import pytest

from apps.providers.models import ProviderKind
from apps.providers.services import provider_create


@pytest.fixture
def upstream(db, fakellm):
    """fakellm as the default provider (one attempt: failures surface at once)."""
    provider_create(
        name="fake",
        kind=ProviderKind.OPENAI_COMPATIBLE,
        base_url=fakellm.base_url,
        model="fakellm-1",
        is_default=True,
        max_attempts=1,
        read_timeout=10,
    )
    return fakellm


def reply_json(fake, data: dict, **extra) -> None:
    """Make the fake upstream answer every request with this JSON object as its text."""
    fake.set(reply=json.dumps(data), **extra)
