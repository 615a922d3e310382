"""Tracing end to end over OTLP/HTTP: a real receiver on 127.0.0.1 records what the exporter
POSTs to /v1/traces, decoded with opentelemetry-proto. And off by default: nothing is imported,
no export thread runs; a forked child builds its own provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from apps.agents.services import agent_seed_defaults
from apps.core import tracing

REPO = Path(__file__).resolve().parents[2]


class Receiver:
    """A minimal OTLP/HTTP trace receiver: keeps every POST body sent to /v1/traces."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(200 if self.path == "/v1/traces" else 404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def spans(self) -> list[tuple[str, dict, dict]]:
        """(span name, span attributes, resource attributes) of every span received."""
        found = []
        for path, content_type, body in self.posts:
            assert path == "/v1/traces"
            assert content_type == "application/x-protobuf"
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                resource = _attrs(resource_spans.resource.attributes)
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        found.append((span.name, _attrs(span.attributes), resource))
        return found

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _attrs(key_values) -> dict:
    out = {}
    for kv in key_values:
        value = kv.value
        out[kv.key] = (
            getattr(value, value.WhichOneof("value")) if value.WhichOneof("value") else None
        )
    return out


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(DJANGO_ENV="test", DJANGO_SETTINGS_MODULE="agenthub.settings", **extra)
    return env


# A process that serves two requests through the real middleware stack and exits; with an
# endpoint set, the BatchSpanProcessor must deliver the spans (flushed at exit).
SCRIPT = """
import json, sys, threading, uuid
import django
django.setup()
from django.test import Client
from apps.core import tracing
client = Client()
health = client.get("/health", HTTP_X_REQUEST_ID="otlp-health-1")
job = client.get(f"/api/v1/ai/jobs/{uuid.uuid4()}")
print(json.dumps({
    "enabled": tracing.enabled(),
    "statuses": [health.status_code, job.status_code],
    "sdk_imported": "opentelemetry.sdk.trace" in sys.modules,
    "threads": sorted(t.name for t in threading.enumerate()),
}))
"""


def test_subprocess_exports_over_otlp_http(receiver):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        env=_env(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_SERVICE_NAME="ah-otlp-test"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["enabled"] is True
    assert report["sdk_imported"] is True
    assert any(name.startswith("OtelBatch") for name in report["threads"])
    assert receiver.posts, "no OTLP payload arrived"
    spans = {name: (attrs, resource) for name, attrs, resource in receiver.spans()}
    assert "HTTP GET /health" in spans
    attrs, resource = spans["HTTP GET /health"]
    assert attrs["request_id"] == "otlp-health-1"
    assert attrs["http.status_code"] == 200
    assert resource["service.name"] == "ah-otlp-test"
    job_span = next(name for name in spans if name.startswith("HTTP GET /api/v1/ai/jobs/"))
    assert job_span == "HTTP GET /api/v1/ai/jobs/<uuid:job_id>"
    assert spans[job_span][0]["http.status_code"] == report["statuses"][1]


def test_off_by_default_in_a_fresh_process():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["enabled"] is False
    assert report["statuses"][0] == 200
    assert report["sdk_imported"] is False  # nothing from the SDK is even imported
    assert not [name for name in report["threads"] if "Otel" in name]


@pytest.mark.django_db(transaction=True)
def test_agent_request_over_otlp_in_process(receiver, monkeypatch, tenant_client):
    """The environment path in this process (OTLP exporter, batch processor), force-flushed."""
    agent_seed_defaults()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
    tracing.shutdown()
    try:
        assert tracing.configure() is True
        response = tenant_client.post(
            "/api/v1/ai/agents/chat",
            {"message": "What is 17 * 23?"},
            format="json",
            HTTP_X_REQUEST_ID="otlp-agent-1",
        )
        assert response.status_code == 200, response.content
        assert tracing.force_flush()
    finally:
        tracing.shutdown()
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
        tracing.configure()
    assert not tracing.enabled()
    received = receiver.spans()
    names = {name for name, _, _ in received}
    assert {
        "HTTP POST /api/v1/ai/agents/chat",
        "security.guard_input",
        "llm.call",
        "agent.tool",
    } <= names
    assert all(attrs["request_id"] == "otlp-agent-1" for _, attrs, _ in received)
    assert all(resource["service.name"] == "agenthub" for _, _, resource in received)


def test_forked_child_builds_its_own_provider(spans):
    """gunicorn/Celery prefork: the parent's provider and export thread don't cross fork."""
    with tracing.span("parent"):
        pass
    parent_provider = tracing._provider
    assert parent_provider is not None
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        ok = tracing._provider is None and tracing.enabled()
        with tracing.span("child") as current:
            ok = ok and current.is_recording()
        ok = ok and tracing._provider is not None and tracing._provider is not parent_provider
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert tracing._provider is parent_provider
