from celery import shared_task

from apps.flows.jobs import idempotency_records_purge, job_execute


@shared_task(name="flows.run_job", acks_late=True, ignore_result=True)
def run_job(job_id: str) -> None:
    job_execute(job_id=job_id)


@shared_task(name="flows.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    return idempotency_records_purge()
