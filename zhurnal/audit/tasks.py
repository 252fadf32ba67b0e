"""Signing the head of the audit chain every hour: run by `zhurnal db_worker`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from zhurnal.audit.integrity import audit_head_seal
from zhurnal.core.tasks import enqueue_once

SEAL_EVERY = dt.timedelta(hours=1)


@task()
def audit_head_seal_run(*, reschedule: bool = True) -> int:
    """Sign the chain's head, then come back in an hour; returns the signed event id."""
    head = audit_head_seal()
    if reschedule:
        schedule_next()
    return head.event_id


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Queue the next signing unless one is already waiting; True when it queued one."""
    return enqueue_once(audit_head_seal_run, run_after=(now or timezone.now()) + SEAL_EVERY)
