from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh(fresh_live_state) -> None:
    """Every flows test starts from empty live caches (tests/conftest.py)."""
