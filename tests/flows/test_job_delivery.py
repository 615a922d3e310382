"""Jobs are never lost or run twice: the outbox and its relay, the reaper, fenced claims, and
upstream answers stored on the job so a re-run does not call the upstream again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.flows.job_dispatch import job_dispatches_relay, jobs_reap
from apps.flows.jobs import job_enqueue, job_execute
from apps.flows.models import Job, JobDispatch, JobReaperState, NotaryRecord
from apps.security.services import GuardContext
from fakellm.testing import closed_port
from tests.celery_worker import app_sends_to
from tests.support import chat_requests, reply_json

ASK = "/api/v1/ai/flows/ask"


def _queued_job(tenant, *, kind: str = "ask", payload: dict | None = None) -> Job:
    """A committed job whose dispatch was never published (no on-commit callbacks ran)."""
    return job_enqueue(
        kind=kind, payload=payload or {"question": "q?"}, ctx=GuardContext(tenant=tenant)
    )


def _as_if_its_worker_died(job: Job, *, attempts: int = 1, seconds_ago: float = 600) -> None:
    """The row a worker leaves when it is killed mid-job: running, heartbeat gone stale."""
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=attempts,
        started_at=timezone.now() - timedelta(seconds=seconds_ago),
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


@pytest.fixture
def reaper_watching(db) -> None:
    """The reaper has been running without a gap for an hour (heartbeats were writable)."""
    now = timezone.now()
    JobReaperState.objects.create(pk=1, last_run_at=now, watching_since=now - timedelta(hours=1))


# --- the outbox --------------------------------------------------------------------------------


def test_broker_down_submission_answers_202_and_the_relay_publishes_it_later(
    tenant_client, upstream, django_capture_on_commit_callbacks
):
    reply_json(upstream, {"answer": "late but there"})
    with (
        app_sends_to(f"redis://127.0.0.1:{closed_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = tenant_client.post(ASK, {"question": "q?", "async": True}, format="json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == Job.Status.QUEUED
    dispatch = JobDispatch.objects.get(job=job)
    assert dispatch.dispatched_at is None
    assert dispatch.attempts == 1
    assert dispatch.last_error
    assert dispatch.next_attempt_at > timezone.now()  # backed off
    assert chat_requests(upstream) == 0

    assert job_dispatches_relay() == 0  # not due yet
    JobDispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
    assert job_dispatches_relay() == 1  # the broker is back (here: in-process)
    dispatch.refresh_from_db()
    assert dispatch.dispatched_at is not None
    body = tenant_client.get(response["Location"]).json()
    assert body["status"] == "succeeded"
    assert body["result"]["answer"] == "late but there"
    assert chat_requests(upstream) == 1
    assert job_dispatches_relay() == 0  # published once


def test_the_job_and_its_dispatch_record_commit_together(tenant):
    def submit_then_fail() -> None:
        with transaction.atomic():
            _queued_job(tenant)
            raise RuntimeError("the submitting transaction fails")

    with pytest.raises(RuntimeError):
        submit_then_fail()
    assert not Job.objects.exists()
    assert not JobDispatch.objects.exists()
    job = _queued_job(tenant)
    assert JobDispatch.objects.get().job == job


def test_relay_backs_off_exponentially_while_the_broker_stays_down(tenant):
    job = _queued_job(tenant)
    dead = f"redis://127.0.0.1:{closed_port()}/0"
    waits = []
    with app_sends_to(dead):
        for _ in range(3):
            JobDispatch.objects.filter(job=job).update(next_attempt_at=timezone.now())
            before = timezone.now()
            assert job_dispatches_relay() == 0
            dispatch = JobDispatch.objects.get(job=job)
            waits.append((dispatch.next_attempt_at - before).total_seconds())
    assert dispatch.attempts == 3
    assert waits[0] < waits[1] < waits[2]
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED


# --- the reaper --------------------------------------------------------------------------------


def test_reaper_requeues_a_job_whose_worker_died_and_it_runs_again(
    tenant, reaper_watching, upstream, django_capture_on_commit_callbacks
):
    reply_json(upstream, {"answer": "recovered"})
    job = _queued_job(tenant)
    _as_if_its_worker_died(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_reap() == {"requeued": 1, "failed": 0, "redispatched": 0}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["answer"] == "recovered"
    assert job.attempts == 2
    assert JobDispatch.objects.filter(job=job).count() == 2


def test_reaper_leaves_a_job_whose_heartbeat_is_fresh(tenant, reaper_watching, settings):
    settings.JOB_STALE_AFTER_SECONDS = 30
    job = _queued_job(tenant)
    _as_if_its_worker_died(job, seconds_ago=5)
    assert jobs_reap() == {"requeued": 0, "failed": 0, "redispatched": 0}
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_after_an_outage_the_reaper_waits_a_window_before_requeueing(tenant, settings):
    """While the database was down no heartbeat could be written: every running job looks
    stale, live ones too. The reaper first watches one staleness window."""
    settings.JOB_STALE_AFTER_SECONDS = 30
    long_ago = timezone.now() - timedelta(minutes=5)
    JobReaperState.objects.create(
        pk=1, last_run_at=long_ago, watching_since=long_ago - timedelta(hours=1)
    )
    job = _queued_job(tenant)
    _as_if_its_worker_died(job, seconds_ago=120)
    assert jobs_reap()["requeued"] == 0
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    JobReaperState.objects.filter(pk=1).update(
        watching_since=timezone.now() - timedelta(seconds=31)
    )
    assert jobs_reap()["requeued"] == 1


def test_a_job_that_keeps_losing_its_worker_fails_instead_of_looping(
    tenant, reaper_watching, settings
):
    settings.JOB_MAX_ATTEMPTS = 3
    job = _queued_job(tenant)
    _as_if_its_worker_died(job, attempts=3)
    assert jobs_reap() == {"requeued": 0, "failed": 1, "redispatched": 0}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error["code"] == "worker_lost"


def test_reaper_redispatches_a_message_the_broker_lost(
    tenant, reaper_watching, upstream, settings, django_capture_on_commit_callbacks
):
    settings.JOB_REDISPATCH_AFTER_SECONDS = 60
    reply_json(upstream, {"answer": "found again"})
    job = _queued_job(tenant)
    # Published two minutes ago and never claimed: the broker restarted without it.
    JobDispatch.objects.filter(job=job).update(
        dispatched_at=timezone.now() - timedelta(seconds=120)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_reap() == {"requeued": 0, "failed": 0, "redispatched": 1}
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
    assert chat_requests(upstream) == 1


# --- claims and re-runs ------------------------------------------------------------------------


def test_two_deliveries_run_the_job_once(tenant, upstream):
    reply_json(upstream, {"answer": "once"})
    job = _queued_job(tenant)
    assert job_execute(job_id=str(job.pk), heartbeat=False) is not None
    assert job_execute(job_id=str(job.pk), heartbeat=False) is None
    assert chat_requests(upstream) == 1


def test_a_rerun_reuses_the_stored_upstream_answer(tenant, upstream):
    """The worker died after the upstream answered (the answer is stored on the job) and the
    reaper re-queued the job: the re-run does not call the upstream again."""
    reply_json(upstream, {"answer": "paid for once"})
    job = _queued_job(tenant)
    first = job_execute(job_id=str(job.pk), heartbeat=False)
    assert first.status == Job.Status.SUCCEEDED
    stored = Job.objects.get(pk=job.pk).checkpoints
    assert set(stored) == {"canary:1", "llm:1"}
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, result=None)

    reply_json(upstream, {"answer": "a second, different answer"})
    again = job_execute(job_id=str(job.pk), heartbeat=False)
    assert again.status == Job.Status.SUCCEEDED
    assert again.result["answer"] == "paid for once"
    assert again.attempts == 2
    assert chat_requests(upstream) == 1


def test_a_notary_rerun_neither_calls_again_nor_seals_a_second_record(tenant, upstream):
    reply_json(upstream, {"summary": "a lease", "parties": ["A", "B"]})
    job = _queued_job(tenant, kind="notary", payload={"document": "A leases to B."})
    first = job_execute(job_id=str(job.pk), heartbeat=False)
    assert first.status == Job.Status.SUCCEEDED, first.error
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    again = job_execute(job_id=str(job.pk), heartbeat=False)
    assert again.result["id"] == first.result["id"]
    assert NotaryRecord.objects.count() == 1
    assert chat_requests(upstream) == 1


def test_a_worker_that_lost_its_claim_cannot_finish_the_job(tenant, reaper_watching, upstream):
    from apps.flows.jobs import _finish

    reply_json(upstream, {"answer": "by attempt 2"})
    job = _queued_job(tenant)
    _as_if_its_worker_died(job)
    stale = Job.objects.get(pk=job.pk)  # what the dead worker held (attempt 1)
    jobs_reap()
    done = job_execute(job_id=str(job.pk), heartbeat=False)  # attempt 2 runs it
    assert done.status == Job.Status.SUCCEEDED
    _finish(stale, error={"code": "late", "message": "x", "request_id": ""}, error_status=500)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.error is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_a_heartbeat_while_the_job_runs(tenant, fakellm, settings):
    from apps.providers.services import provider_create

    provider_create(
        name="fake-slow",
        kind="openai_compatible",
        base_url=fakellm.base_url,
        model="fakellm-1",
        is_default=True,
        max_attempts=1,
        read_timeout=10,
    )
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    reply_json(fakellm, {"answer": "slow"}, delay=0.8)
    with app_sends_to(f"redis://127.0.0.1:{closed_port()}/0"):  # not run in-process on commit
        job = _queued_job(tenant)
    started = time.monotonic()
    done = job_execute(job_id=str(job.pk), heartbeat=True)
    assert time.monotonic() - started >= 0.8
    assert done.status == Job.Status.SUCCEEDED, done.error
    job.refresh_from_db()
    assert job.heartbeat_at - job.started_at >= timedelta(seconds=0.5)


def test_admin_shows_a_jobs_attempts_heartbeat_and_dispatch_records(admin_client, tenant):
    with app_sends_to(f"redis://127.0.0.1:{closed_port()}/0"):
        job = job_enqueue(kind="ask", payload={"question": "q?"}, ctx=GuardContext(tenant=tenant))
        job_dispatches_relay(job_id=str(job.pk))  # the broker is down: the record waits
    html = admin_client.get(f"/admin/flows/job/{job.pk}/change/").content.decode()
    assert "Heartbeat at" in html
    assert "Attempts" in html
    assert "Dispatch records (outbox)" in html
    assert "Error" in html  # why the publish had to wait (the broker's error)
    assert "canary" not in html


def test_parallel_steps_are_matched_by_their_scope_not_their_order(tenant):
    """An agent's tool calls run in parallel threads: a flow one of them runs stores its
    answer under the call's place in the run, so a re-run gives each call its own answer
    whichever thread gets there first."""
    from apps.flows.job_steps import JobRun, job_step, job_step_scope, running_job

    job = _queued_job(tenant)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1)
    with running_job(JobRun(job_id=str(job.pk), attempt=1, checkpoints={})):
        for scope, answer in (("tool1.1", "answer b"), ("tool1.0", "answer a")):
            with job_step_scope(scope):
                job_step("llm", lambda answer=answer: answer)
    stored = Job.objects.get(pk=job.pk).checkpoints
    assert stored == {"tool1.1/llm:1": "answer b", "tool1.0/llm:1": "answer a"}

    def not_again() -> str:
        raise AssertionError("the stored answer must be reused")

    with running_job(JobRun(job_id=str(job.pk), attempt=1, checkpoints=stored)):
        with job_step_scope("tool1.0"):
            assert job_step("llm", not_again) == "answer a"
        with job_step_scope("tool1.1"):
            assert job_step("llm", not_again) == "answer b"
