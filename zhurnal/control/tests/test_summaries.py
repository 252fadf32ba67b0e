"""The department's summaries: rebuilt from the journal, refreshed from the audit log,
and always equal to what the live computation says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from conftest import Community
from zhurnal.control import summaries, summary_tasks
from zhurnal.control.metrics import FillCounts, school_fill
from zhurnal.control.models import FillWeek, SchoolDay, SummaryState, TermMarkCount
from zhurnal.control.tests.builders import MONDAY, at, keep, lesson
from zhurnal.journal import services as journal
from zhurnal.journal.models import Attendance, AttendanceStatus, Excuse, MarkKind

SUNDAY = MONDAY + dt.timedelta(days=6)
FIELDS = [
    "lessons",
    "topics",
    "attendance",
    "homework_expected",
    "homework",
    "on_time",
    "lesson_marks",
    "late_marks",
    "student_months",
    "finals_due",
    "finals_present",
]


def summed(**filters: object) -> FillCounts:
    return FillCounts.from_summary(
        FillWeek.objects.filter(**filters).aggregate(**{name: Sum(name) for name in FIELDS})
    )


def test_rebuild_equals_the_live_computation(community: Community, clock):
    first = lesson(community, community.math_5a, MONDAY)
    second = lesson(community, community.ukrainian_5a, MONDAY + dt.timedelta(days=1))
    lesson(community, community.math_5a, MONDAY + dt.timedelta(days=2))  # left empty
    clock[0] = at(MONDAY)
    keep(community, clock, first)
    journal.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="7",
        lesson=first,
    )
    clock[0] = at(MONDAY + dt.timedelta(days=2), 8)
    keep(community, clock, second)  # a day late
    clock[0] = at(SUNDAY + dt.timedelta(days=1))

    summaries.summaries_rebuild(schools=[community.school], start=MONDAY, end=SUNDAY)
    live = school_fill(school=community.school, start=MONDAY, end=SUNDAY).total()
    kept = summed(school=community.school, week_start=MONDAY)
    for name in FIELDS:
        assert getattr(kept, name) == pytest.approx(getattr(live, name)), name
    assert (kept.lessons, kept.topics, kept.on_time, kept.lesson_marks) == (3, 2, 1, 1)
    assert kept.level == live.level


def test_refresh_follows_the_audit_log(community: Community, clock):
    item = lesson(community, community.math_5a, MONDAY)
    clock[0] = at(SUNDAY)
    summaries.summaries_rebuild(schools=[community.school], start=MONDAY, end=SUNDAY)
    summaries.summaries_mark_current()
    assert summed(school=community.school).topics == 0

    keep(community, clock, item)  # entered on Sunday: late
    read = summaries.summaries_refresh(now=at(SUNDAY, 18))
    assert read > 0
    counts = summed(school=community.school)
    assert (counts.lessons, counts.topics, counts.attendance, counts.on_time) == (1, 1, 1, 0)
    assert summaries.summaries_refresh(now=at(SUNDAY, 19)) == 0
    assert SummaryState.objects.get().refreshed_at == at(SUNDAY, 19)


def test_school_day_counts_absences_and_illness(community: Community, clock):
    item = lesson(community, community.math_5a, MONDAY)
    other = lesson(community, community.ukrainian_5a, MONDAY, 2)
    clock[0] = at(MONDAY)
    absent = {community.student.pk: AttendanceStatus.ABSENT}
    journal.attendance_take(actor=community.teacher, lesson=item, statuses=absent)
    journal.attendance_take(actor=community.other_teacher, lesson=other, statuses=absent)
    Attendance.objects.filter(lesson=other).update(excused=True, excuse_reason=Excuse.ILLNESS)
    clock[0] = at(MONDAY + dt.timedelta(days=1))

    summaries.summaries_rebuild(schools=[community.school], start=MONDAY, end=SUNDAY)
    day = SchoolDay.objects.get(school=community.school, date=MONDAY)
    assert (day.student_lessons, day.absences, day.illness_absences) == (4, 2, 1)
    assert (day.students_absent, day.students_ill) == (1, 1)
    assert day.students == 3  # 5-А has two students, 5-Б one


def test_term_marks_are_counted_per_grade_subject_and_value(community: Community, clock):
    clock[0] = at(community.term1.ends_on)
    for pupil, value in ((community.student, "9"), (community.other_student, "9")):
        journal.mark_set(
            actor=community.teacher,
            assignment=community.math_5a,
            student=pupil,
            value=value,
            kind=MarkKind.TERM,
            term=community.term1,
        )
    summaries.summaries_mark_current()
    journal.mark_set(
        actor=community.other_teacher,
        assignment=community.ukrainian_5a,
        student=community.student,
        value="11",
        kind=MarkKind.TERM,
        term=community.term1,
    )
    summaries.summaries_refresh(now=at(community.term1.ends_on, 20))
    counts = {
        (row.subject_name, row.value): row.count
        for row in TermMarkCount.objects.filter(school=community.school, grade=5)
    }
    assert counts == {
        (community.math.name, "9"): 2,
        (community.ukrainian.name, "11"): 1,
    }


def test_refresh_task_runs_and_schedules_the_next(community: Community, clock):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    summary_tasks.summaries_refresh_run.call(reschedule=True)
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=summary_tasks.summaries_refresh_run.module_path,
    )
    assert waiting.count() == 1
    assert summary_tasks.schedule_next() is False  # one is already queued
