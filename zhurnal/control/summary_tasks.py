"""Keeping the monitoring summaries current: run by `zhurnal db_worker`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from zhurnal.control import summaries
from zhurnal.core.tasks import enqueue_once

REFRESH_EVERY = dt.timedelta(minutes=10)


@task()
def summaries_refresh_run(*, reschedule: bool = True) -> int:
    """Fold the journal's changes since the last run into the summaries, then come back
    in ten minutes."""
    read = summaries.summaries_refresh()
    if reschedule:
        schedule_next()
    return read


@task()
def summaries_rebuild_run() -> None:
    """Recompute every school's summaries for the current year (after an import or a
    restore, or when the rules of docs/fill-level.md change)."""
    summaries.summaries_rebuild()
    summaries.summaries_mark_current()


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Queue the next refresh unless one is already waiting; True when it queued one."""
    return enqueue_once(summaries_refresh_run, run_after=(now or timezone.now()) + REFRESH_EVERY)
