"""Background work of the weekly analysis: every Monday morning the previous week's report
of every school; run by `zhurnal db_worker`, started once by `zhurnal control_schedule`."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from zhurnal.control.metrics import week_start
from zhurnal.control.models import Report, ReportKind
from zhurnal.control.weekly import weekly_report_fail, weekly_report_produce
from zhurnal.core.timeutil import school_tz
from zhurnal.schools.models import Municipality, School

logger = logging.getLogger(__name__)

RUN_AT = dt.time(6, 0)


def _produce_or_fail(school: School, monday: dt.date, now: dt.datetime) -> bool:
    """One school's report; a failure is kept on its report and does not stop the others."""
    try:
        weekly_report_produce(school=school, week_start=monday, now=now)
    except Exception as exc:
        logger.exception("weekly report of school %s for %s failed", school.pk, monday)
        report = Report.objects.filter(
            kind=ReportKind.WEEKLY_SCHOOL, school=school, period_start=monday
        ).first()
        if report is None:
            report = Report.objects.create(
                kind=ReportKind.WEEKLY_SCHOOL,
                school=school,
                municipality_id=school.municipality_id,
                period_start=monday,
                period_end=monday + dt.timedelta(days=6),
            )
        weekly_report_fail(report=report, error=f"{type(exc).__name__}: {exc}")
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
            monday = week_start(today) - dt.timedelta(days=7)
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


def run_scheduled() -> bool:
    """Whether a weekly run is already waiting in the queue."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=weekly_reports_run.module_path
    ).exists()


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Queue the next Monday's run unless one is waiting; True when it queued one."""
    if run_scheduled():
        return False
    weekly_reports_run.using(run_after=next_run_time(now)).enqueue()
    return True
