"""Celery entry points of imports: load the job by id and run it (`imports.services`).

Idempotent: a job is claimed with a conditional update, so a redelivered task finds it already
checked or committed and does nothing. Not retried: a failed run leaves its job failed, with
the reason, for the secretariat to look at."""

from typing import Any

from celery import shared_task

from . import services


@shared_task(name="imports.check_import", bind=True, acks_late=True, ignore_result=True)
def check_import_task(self: Any, job_id: int) -> str:
    """The dry run of an import job."""
    job = services.run_job(job_id, commit=False, queued=True)
    return job.state if job else ""


@shared_task(name="imports.commit_import", bind=True, acks_late=True, ignore_result=True)
def commit_import_task(self: Any, job_id: int) -> str:
    """The commit of an import job whose dry run is done."""
    job = services.run_job(job_id, commit=True, queued=True)
    return job.state if job else ""
