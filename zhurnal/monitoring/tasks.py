"""Background work for the quarterly monitoring reports: run by `zhurnal db_worker`.

`schedule_next()` puts one run in the queue for the first day of the next calendar
quarter at 07:00 local time; that run produces the reports of the quarter just ended for
every community and schedules the following one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from zhurnal.accounts.models import User
from zhurnal.core.tasks import enqueue_once
from zhurnal.core.timeutil import school_tz
from zhurnal.monitoring.quarterly import (
    next_quarter_start,
    previous_quarter,
    quarter_of,
    quarterly_reports_produce_all,
)
from zhurnal.schools.models import Municipality

RUN_AT = dt.time(7, 0)


@task()
def quarterly_reports_run(
    *, municipality_id: int, start: str, end: str, requested_by_id: int | None = None
) -> int:
    """The community's report and one per school for the period (ISO dates); returns the
    community report's id. Progress is kept in the community report."""
    municipality = Municipality.objects.get(pk=municipality_id)
    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    with translation.override(settings.LANGUAGE_CODE):
        report = quarterly_reports_produce_all(
            municipality=municipality,
            start=dt.date.fromisoformat(start),
            end=dt.date.fromisoformat(end),
            requested_by=requested_by,
        )
    return report.pk


@task()
def quarterly_reports_due(*, reschedule: bool = True) -> int:
    """The scheduled run: the reports of the quarter just ended for every community,
    then the next run. Returns the number of communities."""
    today = timezone.localtime(timezone.now(), school_tz()).date()
    start, end = previous_quarter(today)
    municipality_ids = list(Municipality.objects.order_by("pk").values_list("pk", flat=True))
    for municipality_id in municipality_ids:
        quarterly_reports_run.enqueue(
            municipality_id=municipality_id, start=start.isoformat(), end=end.isoformat()
        )
    if reschedule:
        schedule_next()
    return len(municipality_ids)


def next_run_at(now: dt.datetime | None = None) -> dt.datetime:
    """07:00 local time on the first day of the next calendar quarter (today, on the
    first day of a quarter before 07:00)."""
    local = timezone.localtime(now or timezone.now(), school_tz())
    today = local.date()
    if today == quarter_of(today)[0] and local.time() < RUN_AT:
        return dt.datetime.combine(today, RUN_AT, tzinfo=school_tz())
    return dt.datetime.combine(next_quarter_start(today), RUN_AT, tzinfo=school_tz())


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Queue the run of the next quarter's first day unless one is waiting; True when
    one was queued."""
    return enqueue_once(quarterly_reports_due, run_after=next_run_at(now))
