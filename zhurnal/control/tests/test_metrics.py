"""The fill level on hand-built journals: every rule of docs/fill-level.md once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import Community
from zhurnal.control.metrics import FillCounts, lesson_gaps, school_fill
from zhurnal.control.tests.builders import KYIV, MONDAY, at, keep, lesson  # noqa: F401
from zhurnal.core.timeutil import week_start
from zhurnal.journal import services as journal
from zhurnal.journal.models import MarkKind
from zhurnal.schools.models import Subject
from zhurnal.timetable.models import Lesson, TeachingAssignment


def test_lesson_without_topic_lowers_the_topic_rate(community: Community, clock):
    kept = lesson(community, community.math_5a, MONDAY)
    bare = lesson(community, community.math_5a, MONDAY, 2)
    clock[0] = at(MONDAY)
    keep(community, clock, kept)
    journal.attendance_take(actor=community.teacher, lesson=bare, statuses={})
    clock[0] = at(MONDAY + dt.timedelta(days=3))

    fill = school_fill(school=community.school, start=MONDAY, end=MONDAY + dt.timedelta(days=6))
    counts = fill.total()
    assert (counts.lessons, counts.topics, counts.attendance) == (2, 1, 2)
    assert counts.topic_rate == 0.5
    assert counts.missing_topics == 1
    gaps = lesson_gaps(
        assignment=community.math_5a, start=MONDAY, end=MONDAY + dt.timedelta(days=6)
    )
    assert [(g.lesson.pk, g.no_topic, g.no_attendance) for g in gaps] == [(bare.pk, True, False)]


def test_attendance_taken_the_next_day_is_not_on_time(community: Community, clock):
    item = lesson(community, community.math_5a, MONDAY)
    clock[0] = at(MONDAY, 10)
    journal.lesson_record(actor=community.teacher, lesson=item, topic="Дроби", homework="§5")
    clock[0] = at(MONDAY + dt.timedelta(days=1), 8)
    journal.attendance_take(actor=community.teacher, lesson=item, statuses={}, reason="забув")
    clock[0] = at(MONDAY + dt.timedelta(days=2))

    counts = school_fill(school=community.school, start=MONDAY, end=MONDAY).total()
    assert (counts.lessons, counts.attendance, counts.on_time) == (1, 1, 0)
    assert counts.timeliness == 0.0
    [gap] = lesson_gaps(assignment=community.math_5a, start=MONDAY, end=MONDAY)
    assert gap.late and not gap.no_topic and not gap.no_attendance


def test_entry_late_in_the_evening_of_the_lesson_day_is_on_time(community: Community, clock):
    item = lesson(community, community.math_5a, MONDAY)
    clock[0] = at(MONDAY, 23)  # 23:00 in Kyiv is 20:00 UTC: still the lesson day
    keep(community, clock, item)
    clock[0] = at(MONDAY + dt.timedelta(days=1))
    counts = school_fill(school=community.school, start=MONDAY, end=MONDAY).total()
    assert counts.on_time == 1


def test_teacher_with_no_marks_for_a_month_has_zero_density(community: Community, clock):
    start = dt.date(2026, 10, 1)
    end = dt.date(2026, 10, 31)
    day = start
    while day <= end:
        if day.weekday() < 5:
            for assignment in (community.math_5a, community.ukrainian_5a):
                item = lesson(community, assignment, day)
                clock[0] = at(day)
                keep(community, clock, item)
                if assignment == community.ukrainian_5a and day.weekday() in (0, 2):
                    for pupil in (community.student, community.other_student):
                        journal.mark_set(
                            actor=community.other_teacher,
                            assignment=assignment,
                            student=pupil,
                            value="10",
                            lesson=item,
                        )
        day += dt.timedelta(days=1)
    clock[0] = at(dt.date(2026, 11, 2))

    fill = school_fill(school=community.school, start=start, end=end)
    by_teacher = {group.key: group for group in fill.by_teacher()}
    silent = by_teacher[community.teacher.pk].counts
    busy = by_teacher[community.other_teacher.pk].counts
    assert silent.lesson_marks == 0 and silent.density == 0 and silent.density_rate == 0
    # 8 Mondays and Wednesdays in October 2026 × 2 students = 16 marks, 2 students × 1 month
    assert busy.lesson_marks == 16
    assert busy.density == pytest.approx(16 / (2 * 31 / 30.44), rel=0.01)
    assert busy.density_rate == 1.0
    # worst first: the teacher who gave no marks leads the list
    assert fill.by_teacher()[0].key == community.teacher.pk
    assert silent.level is not None and busy.level is not None and silent.level < busy.level


def test_cancelled_and_future_lessons_are_not_counted(community: Community, clock):
    held = lesson(community, community.math_5a, MONDAY, 1)
    cancelled = lesson(community, community.math_5a, MONDAY, 2)
    Lesson.objects.filter(pk=cancelled.pk).update(is_cancelled=True)
    later_today = lesson(community, community.math_5a, MONDAY, 3)
    tomorrow = lesson(community, community.math_5a, MONDAY + dt.timedelta(days=1))
    period3 = later_today.period
    clock[0] = at(MONDAY, period3.ends_at.hour - 1)  # before the third lesson's bell
    counts = school_fill(
        school=community.school, start=MONDAY, end=MONDAY + dt.timedelta(days=6)
    ).total()
    assert counts.lessons == 1
    assert {held.pk} == {
        g.lesson.pk
        for g in lesson_gaps(assignment=community.math_5a, start=MONDAY, end=tomorrow.date)
    }


def test_homework_is_not_expected_in_the_first_grade_or_physical_education(
    community: Community, clock
):
    community.class_5a.grade = 1
    community.class_5a.save()
    item = lesson(community, community.math_5a, MONDAY)
    keep(community, clock, item, homework="")
    clock[0] = at(MONDAY + dt.timedelta(days=1))
    counts = school_fill(school=community.school, start=MONDAY, end=MONDAY).total()
    assert (counts.homework_expected, counts.homework) == (0, 0)
    assert counts.homework_rate is None
    # first grade has no marks either: density is not measured
    assert counts.density is None


def test_a_subject_with_no_homework_expectation_does_not_lower_the_fill_level(
    community: Community, clock
):
    # Two equally kept journals without homework: only the one whose subject expects
    # homework (mathematics) loses for it; music, set to expect none, keeps its level.
    music = Subject.objects.create(
        school=community.school, name="Музичне мистецтво", homework_expected=False
    )
    music_5a = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.other_teacher,
        subject=music,
        class_group=community.class_5a,
        hours_per_week=Decimal(1),
    )
    for assignment, number in ((community.math_5a, 1), (music_5a, 2)):
        keep(community, clock, lesson(community, assignment, MONDAY, number), homework="")
    clock[0] = at(MONDAY + dt.timedelta(days=1))

    fill = school_fill(school=community.school, start=MONDAY, end=MONDAY)
    rows = {row.assignment.pk: row.counts for row in fill.rows}
    music_counts, math_counts = rows[music_5a.pk], rows[community.math_5a.pk]
    assert (music_counts.homework_expected, music_counts.homework) == (0, 0)
    assert music_counts.homework_rate is None
    assert (math_counts.homework_expected, math_counts.homework) == (1, 0)
    assert music_counts.level is not None and math_counts.level is not None
    assert music_counts.level > math_counts.level
    assert not any(
        gap.no_homework for gap in lesson_gaps(assignment=music_5a, start=MONDAY, end=MONDAY)
    )


def test_term_marks_are_due_when_the_term_ends(community: Community, clock):
    term = community.term1
    clock[0] = at(term.ends_on + dt.timedelta(days=2))
    journal.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="9",
        kind=MarkKind.TERM,
        term=term,
    )
    fill = school_fill(school=community.school, start=week_start(term.ends_on), end=term.ends_on)
    math = next(row for row in fill.rows if row.assignment == community.math_5a).counts
    ukrainian = next(row for row in fill.rows if row.assignment == community.ukrainian_5a).counts
    assert (math.finals_due, math.finals_present) == (2, 1)
    assert (ukrainian.finals_due, ukrainian.finals_present) == (2, 0)
    assert math.finals_rate == 0.5


def test_an_opened_thematic_column_must_be_complete(community: Community, clock):
    clock[0] = at(MONDAY)
    journal.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="8",
        kind=MarkKind.THEMATIC,
        term=community.term1,
        theme_number=1,
    )
    counts = school_fill(school=community.school, start=MONDAY, end=MONDAY).total()
    assert (counts.finals_due, counts.finals_present) == (2, 1)


def test_level_is_the_mean_of_measurable_rates():
    counts = FillCounts(lessons=4, topics=4, attendance=2, on_time=2)
    assert counts.rates == [1.0, 0.5, 0.5]
    assert counts.level == pytest.approx(66.7)
    assert FillCounts().level is None
    merged = FillCounts.from_summary({"lessons": 2, "topics": None, "student_months": "1.5"})
    assert (merged.lessons, merged.topics, merged.student_months) == (2, 0, 1.5)


def test_school_fill_query_count_does_not_grow_with_lessons(
    community: Community, clock, django_assert_max_num_queries
):
    for offset in range(5):
        clock[0] = at(MONDAY + dt.timedelta(days=offset))  # each day's lessons once held
        for number in (1, 2, 3):
            item = lesson(community, community.math_5a, MONDAY + dt.timedelta(days=offset), number)
            keep(community, clock, item)
    clock[0] = at(MONDAY + dt.timedelta(days=7))
    with django_assert_max_num_queries(8):
        fill = school_fill(school=community.school, start=MONDAY, end=MONDAY + dt.timedelta(6))
        fill.by_teacher()
        fill.by_class()
        fill.by_subject()
    assert fill.total().lessons == 15
