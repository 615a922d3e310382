from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from apps.core import tracing


@pytest.fixture
def spans():
    """Tracing on for this test, finished spans kept in memory (the exporter is yielded)."""
    exporter = InMemorySpanExporter()
    tracing.configure(exporter=exporter)
    yield exporter
    tracing.shutdown()
    tracing.configure()  # back to what the environment says (off in tests)
