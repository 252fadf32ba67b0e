"""Recurring background work: a run that queues its successor, once. The queue is
django-tasks-db's table, so "already queued" is a row waiting in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult


def is_queued(task: Task[..., Any]) -> bool:
    """Whether a run of the task is waiting in the queue."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=task.module_path
    ).exists()


def enqueue_once(task: Task[..., Any], *, run_after: dt.datetime) -> bool:
    """Queue a run of the task for `run_after` unless one is already waiting (so a
    schedule run twice never doubles); True when it queued one."""
    if is_queued(task):
        return False
    task.using(run_after=run_after).enqueue()
    return True
