"""The fault suite: the production shape (uvicorn, Celery workers with beat, Redis, PostgreSQL,
the fake upstream) under a bounded client load on loopback, while a dependency fails.

Each test counts: server errors (500), audit records lost (blocked requests without their row),
jobs lost (accepted with 202 and never finished) and jobs run twice (upstream calls made by the
jobs' provider beyond one per job). Only private servers are stopped: the shared Redis and
PostgreSQL are never touched. Timings are shortened by ``harness.FAST_JOB_TIMINGS``.
"""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest
from django.db import connection

from apps.agents.services import agent_seed_defaults
from apps.flows.models import Job
from apps.providers.services import provider_create
from apps.security.models import BlockedRequest
from apps.security.services import audit_spool_flush
from apps.tenants.services import api_key_create
from tests.celery_worker import database_url
from tests.faults.harness import (
    Load,
    PrivateCluster,
    PrivateRedis,
    Worker,
    app_env,
    manage,
    wait_until,
    web_server,
)
from tests.support import chat_requests, reply_json

pytestmark = [
    pytest.mark.fault,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(150),
]

REDIS_PORT, PG_REDIS_PORT, KILL_REDIS_PORT = 18710, 18711, 18712
PG_PORT = 18720
WEB_PORT = 18730


def _providers(sync_llm, jobs_llm) -> None:
    common = {"kind": "openai_compatible", "model": "fakellm-1", "read_timeout": 10}
    # One attempt each: a retry would be a second upstream call that is not a second run.
    provider_create(name="fake-sync", base_url=sync_llm.base_url, is_default=True,
                    max_attempts=1, **common)  # fmt: skip
    provider_create(name="fake-jobs", base_url=jobs_llm.base_url, max_attempts=1, **common)
    reply_json(sync_llm, {"answer": "sync answer"}, delay=0.05)
    reply_json(jobs_llm, {"answer": "job answer"}, delay=0.05)


def _report(name: str, figures: dict) -> None:
    print(f"\nFAULT {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def _assert_no_loss(figures: dict) -> None:
    assert figures["server_errors_500"] == 0, figures
    assert figures["audit_lost"] == 0, figures
    assert figures["jobs_lost"] == 0, figures
    assert figures["jobs_run_twice"] == 0, figures


@pytest.fixture(autouse=True)
def _fault_tools() -> None:
    from tests.conftest import _skip_or_fail
    from tests.faults.harness import missing_tools

    if missing := missing_tools():
        _skip_or_fail(f"the fault suite needs {', '.join(missing)}")


@pytest.fixture
def upstreams(fakellm_factory):
    return fakellm_factory(), fakellm_factory()


def test_redis_stopped_and_restarted_under_load(tenant, upstreams, tmp_path, settings):
    sync_llm, jobs_llm = upstreams
    _providers(sync_llm, jobs_llm)
    key = api_key_create(tenant=tenant, name="load").plaintext
    redis = PrivateRedis(REDIS_PORT, tmp_path / "redis")
    redis.start()
    env = app_env(database_url=database_url(), redis_url=redis.url, spool_dir=tmp_path / "spool")
    # This process flushes the server's audit spool at the end: the same Redis list and files.
    settings.SECURITY_AUDIT_SPOOL_REDIS_URL = redis.url
    settings.SECURITY_AUDIT_SPOOL_DIR = str(tmp_path / "spool")
    worker = Worker(env, tmp_path / "worker.log")
    try:
        worker.start()  # starts while the web server does
        with web_server(env, WEB_PORT, tmp_path / "web.log") as base:
            worker.wait_ready()
            load = Load(base, key, jobs_provider="fake-jobs")
            load.start()
            time.sleep(2)
            before = load.result.count(202)
            redis.stop()
            down_at = time.monotonic()
            time.sleep(6)  # Redis down: broker, cache, rate limits, live-config versions
            accepted_while_down = load.result.count(202) - before
            redis.start()  # empty: every message queued before the stop is gone
            down_for = time.monotonic() - down_at
            time.sleep(2)
            result = load.stop()
            finished = wait_until(
                lambda: not Job.objects.filter(
                    pk__in=result.job_ids, status__in=["queued", "running"]
                ).exists(),
                timeout=60,
                interval=0.5,
            )
        audit_spool_flush()  # what the server spooled while Redis was down (same spool)
    finally:
        worker.stop()
        redis.stop()

    jobs = Job.objects.filter(pk__in=result.job_ids)
    succeeded = jobs.filter(status="succeeded").count()
    audited = BlockedRequest.objects.filter(request_id__in=result.blocked_request_ids).count()
    figures = {
        "redis_down_s": round(down_for, 1),
        "requests": sum(result.statuses.values()),
        "accepted_202": len(result.job_ids),
        "accepted_202_while_down": accepted_while_down,
        "sync_200": result.count(200, "sync"),
        "blocked_400": len(result.blocked_request_ids),
        "server_errors_500": result.count(500),
        "other_5xx": sum(n for (k, s), n in result.statuses.items() if s >= 500 and s != 500),
        "transport_errors": result.transport_errors,
        "slowest_response_s": result.slowest(),
        "audit_lost": len(result.blocked_request_ids) - audited,
        "jobs_lost": len(result.job_ids) - succeeded,
        "jobs_run_twice": chat_requests(jobs_llm) - succeeded,
        "all_finished": finished,
    }
    _report("redis", figures)
    _assert_no_loss(figures)
    assert figures["other_5xx"] == 0, figures  # Redis down degrades, never 5xx
    assert figures["accepted_202_while_down"] > 0, figures
    assert figures["transport_errors"] == 0, figures


def _private_count(url: str, sql: str, params: tuple) -> int:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_postgresql_restarted_under_load(tenant, upstreams, tmp_path):
    sync_llm, jobs_llm = upstreams
    _providers(sync_llm, jobs_llm)
    key = api_key_create(tenant=tenant, name="load").plaintext
    cluster = PrivateCluster(PG_PORT)
    cluster.init()
    cluster.start()
    redis = PrivateRedis(PG_REDIS_PORT, tmp_path / "redis")
    redis.start()
    worker = None
    try:
        connection.close()
        cluster.copy_database(source_url=database_url(), dbname="agenthub_fault")
        url = cluster.url("agenthub_fault")
        env = app_env(
            database_url=url,
            redis_url=redis.url,
            spool_dir=tmp_path / "spool",
            DB_POOL="true",
            SECURITY_AUDIT_SPOOL_REDIS_URL=redis.url,
        )
        worker = Worker(env, tmp_path / "worker.log")
        worker.start()
        with web_server(env, WEB_PORT, tmp_path / "web.log") as base:
            worker.wait_ready()
            load = Load(base, key, jobs_provider="fake-jobs")
            load.start()
            time.sleep(2)
            cluster.stop()
            down_at = time.monotonic()
            time.sleep(5)  # PostgreSQL down
            cluster.start()
            down_for = time.monotonic() - down_at
            time.sleep(3)
            result = load.stop()
            open_jobs = "select count(*) from flows_job where id = any(%s) and status in ('queued', 'running')"  # noqa: E501
            ids = [*result.job_ids]
            finished = wait_until(lambda: _private_count(url, open_jobs, (ids,)) == 0, 60, 0.5)
        manage(env, "flush_audit_spool")
        succeeded = _private_count(
            url,
            "select count(*) from flows_job where id = any(%s) and status = 'succeeded'",
            (ids,),
        )
        rerun = _private_count(
            url, "select count(*) from flows_job where id = any(%s) and attempts > 1", (ids,)
        )
        # Jobs the database holds that no client got a 202 for (e.g. a 503 after the commit).
        unacknowledged = _private_count(
            url, "select count(*) from flows_job where not (id = any(%s))", (ids,)
        )
        audited = _private_count(
            url,
            "select count(*) from security_blockedrequest where request_id = any(%s)",
            (result.blocked_request_ids,),
        )
    finally:
        if worker is not None:
            worker.stop()
        redis.stop()
        cluster.remove()

    figures = {
        "postgres_down_s": round(down_for, 1),
        "requests": sum(result.statuses.values()),
        "accepted_202": len(result.job_ids),
        "sync_200": result.count(200, "sync"),
        "blocked_400": len(result.blocked_request_ids),
        "answered_503": result.count(503),
        "slowest_503_s": round(result.slowest_503_seconds, 2),
        "server_errors_500": result.count(500),
        "other_5xx": sum(
            n for (k, s), n in result.statuses.items() if s >= 500 and s not in (500, 503)
        ),
        "transport_errors": result.transport_errors,
        "slowest_response_s": result.slowest(),
        "audit_lost": len(result.blocked_request_ids) - audited,
        "jobs_lost": len(result.job_ids) - succeeded,
        "jobs_run_twice": chat_requests(jobs_llm) - succeeded,
        "rerun_jobs": rerun,
        "jobs_committed_without_202": unacknowledged,
        "all_finished": finished,
    }
    _report("postgres", figures)
    if figures["jobs_run_twice"] or figures["jobs_committed_without_202"]:
        print(worker.warnings())
    _assert_no_loss(figures)
    assert figures["jobs_committed_without_202"] == 0, figures
    assert figures["other_5xx"] == 0, figures
    assert figures["transport_errors"] == 0, figures
    assert figures["slowest_503_s"] < 1.0, figures


def test_worker_sigkilled_mid_job(tenant, upstreams, tmp_path, tenant_client):
    """Agent chats with a tool call (two upstream calls each, 1.5 s apiece); the worker is
    SIGKILLed while the jobs wait on their second call. A new worker picks them up (the reaper
    re-queues jobs with a stale heartbeat); the first calls' answers are reused."""
    sync_llm, jobs_llm = upstreams
    _providers(jobs_llm, sync_llm)  # the agent uses the default provider: jobs_llm here
    agent_seed_defaults()
    jobs_llm.set(
        delay=1.5, tool_calls=[{"name": "calculator", "arguments": {"expression": "6 * 7"}}]
    )
    redis = PrivateRedis(KILL_REDIS_PORT, tmp_path / "redis")
    redis.start()
    env = app_env(database_url=database_url(), redis_url=redis.url, spool_dir=tmp_path / "spool")
    jobs = 8
    first = Worker(env, tmp_path / "worker-1.log", concurrency=jobs)
    second = Worker(env, tmp_path / "worker-2.log", concurrency=jobs)
    try:
        first.start()
        with web_server(env, WEB_PORT, tmp_path / "web.log") as base:
            first.wait_ready()

            headers = {"Authorization": f"Bearer {api_key_create(tenant=tenant).plaintext}"}
            ids = []
            for n in range(jobs):
                response = httpx.post(
                    f"{base}/api/v1/ai/agents/chat",
                    json={"message": f"What is 6 * 7? ({n})", "async": True},
                    headers=headers,
                    timeout=10,
                )
                assert response.status_code == 202, response.text
                ids.append(response.json()["id"])
            # Every job past its first call (answer stored), waiting on its second.
            assert wait_until(lambda: chat_requests(jobs_llm) >= jobs + 1, timeout=30)
            time.sleep(0.5)
            in_flight = jobs_llm.stats()["in_flight"]
            first.kill()
            killed_at = time.monotonic()
            running = Job.objects.filter(pk__in=ids, status="running").count()
            second.start()
            second.wait_ready()
            finished = wait_until(
                lambda: Job.objects.filter(pk__in=ids, status="succeeded").count() == jobs,
                timeout=60,
                interval=0.25,
            )
            recovered_in = time.monotonic() - killed_at
    finally:
        first.stop()
        second.stop()
        redis.stop()

    rows = Job.objects.filter(pk__in=ids)
    succeeded = rows.filter(status="succeeded").count()
    calls = chat_requests(jobs_llm)
    from apps.agents.models import AgentRun, Message

    figures = {
        "jobs": jobs,
        "running_at_kill": running,
        "calls_in_flight_at_kill": in_flight,
        "recovered_in_s": round(recovered_in, 1),
        "rerun_jobs": rows.filter(attempts__gte=2).count(),
        "upstream_calls": calls,
        "server_errors_500": 0,
        "audit_lost": 0,
        "jobs_lost": jobs - succeeded,
        # Two calls per job, plus the calls the kill cut off (their answers never arrived).
        "jobs_run_twice": calls - 2 * jobs - in_flight,
        "agent_runs": AgentRun.objects.count(),
        "messages": Message.objects.count(),
        "all_finished": finished,
    }
    _report("worker-sigkill", figures)
    _assert_no_loss(figures)
    assert figures["running_at_kill"] > 0, figures
    assert figures["recovered_in_s"] < 60, figures  # re-claimed within a minute
    assert figures["agent_runs"] == jobs, figures  # one recorded run per chat
    assert figures["messages"] == 4 * jobs, figures  # user, tool call, tool result, answer
    for job in rows:
        assert [(s["tool"], s["status"]) for s in job.result["steps"]] == [("calculator", "ok")]
