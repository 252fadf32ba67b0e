"""Background packaging of archival documents: run by `zhurnal db_worker`.

The job's run checks the audit chain and queues one step per class (and one for the
school's registers); with two workers running, two classes are packaged at once.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task

from zhurnal.archive.packaging.services import packaging_run, packaging_step


@task()
def packaging_run_task(*, job_id: int) -> str:
    """Start a queued job and queue its steps; returns the job's state."""
    with translation.override(settings.LANGUAGE_CODE):
        return packaging_run(job_id, fan_out=True).state


@task()
def packaging_step_task(
    *, job_id: int, class_group_id: int | None, chain_findings: list[str]
) -> int:
    """Package one class's documents (or the school's); returns how many were added."""
    with translation.override(settings.LANGUAGE_CODE):
        return len(
            packaging_step(job_id, class_group_id=class_group_id, chain_findings=chain_findings)
        )
