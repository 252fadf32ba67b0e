"""Background work of the weekly analysis: every Monday morning the previous week's report
of every school; run by `zhurnal db_worker`, started once by `zhurnal control_schedule`."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from zhurnal.control.weekly.services import weekly_report_fail, weekly_report_produce
from zhurnal.core.tasks import enqueue_once
from zhurnal.core.timeutil import previous_week, school_tz, week_start
from zhurnal.schools.models import Municipality, School

logger = logging.getLogger(__name__)

RUN_AT = dt.time(6, 0)


def _produce_or_fail(school: School, monday: dt.date, now: dt.datetime) -> bool:
    """One school's report; a failure is kept on its report and does not stop the others."""
    try:
        weekly_report_produce(school=school, week_start=monday, now=now)
    except Exception as exc:
        logger.exception("weekly report of school %s for %s failed", school.pk, monday)
        weekly_report_fail(school=school, week_start=monday, error=f"{type(exc).__name__}: {exc}")
        return False
    return True


@task()
def weekly_reports_run(*, reschedule: bool = True) -> int:
    """The previous week's report of every school of every community, each school on
    its own; then the next Monday's run, unless one is already queued. Returns how many
    reports were produced."""
    now = timezone.now()
    produced = 0
    with translation.override(settings.LANGUAGE_CODE):
        for municipality in Municipality.objects.order_by("pk"):
            today = timezone.localtime(now, school_tz(municipality.time_zone)).date()
            monday = previous_week(today)[0]
            schools = School.objects.filter(municipality=municipality).select_related(
                "municipality"
            )
            for school in schools.order_by("pk"):
                produced += _produce_or_fail(school, monday, now)
    if reschedule:
        schedule_next(now)
    return produced


@task()
def weekly_report_for_school(*, school_id: int, week_start: str) -> bool:
    """One school's report of one week, asked for from its page."""
    school = School.objects.select_related("municipality").get(pk=school_id)
    with translation.override(settings.LANGUAGE_CODE):
        return _produce_or_fail(school, dt.date.fromisoformat(week_start), timezone.now())


def next_run_time(now: dt.datetime | None = None) -> dt.datetime:
    """The next Monday 06:00, in the time zone of the communities (the earliest of
    them, when they differ)."""
    now = now or timezone.now()
    zones = set(Municipality.objects.values_list("time_zone", flat=True)) or {settings.TIME_ZONE}
    moments = []
    for zone in zones:
        tz = school_tz(zone)
        local = timezone.localtime(now, tz)
        monday = week_start(local.date())
        moment = dt.datetime.combine(monday, RUN_AT, tzinfo=tz)
        if moment <= now:
            moment = dt.datetime.combine(monday + dt.timedelta(days=7), RUN_AT, tzinfo=tz)
        moments.append(moment)
    return min(moments)


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Queue the next Monday's run unless one is waiting; True when it queued one."""
    return enqueue_once(weekly_reports_run, run_after=next_run_time(now))
