"""The chokepoints of what is written in a lesson (journal.access): a homework file reached
from a student's diary is one of the student's own lessons — exactly the lessons the diary
shows — and only for the student and their guardians; a mark is reached by those who reach
its lesson, written only by its writers. Missing and not-yours are one 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests.cast import Community
from zhurnal.diary.selectors import student_lessons
from zhurnal.journal.access import homework_file_for_user, mark_for_user
from zhurnal.journal.models import HomeworkFile, Mark
from zhurnal.people.models import Enrollment, SubgroupMember
from zhurnal.schools.models import Subgroup
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

MONDAY = dt.date(2026, 11, 16)
MISSING = 999_999


def _lesson(
    community: Community, assignment: TeachingAssignment, day: dt.date, number: int = 1
) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
    )


def _file(community: Community, lesson: Lesson) -> HomeworkFile:
    return HomeworkFile.objects.create(
        lesson=lesson,
        file="task.pdf",
        original_name="task.pdf",
        size=9,
        uploaded_by=community.teacher,
    )


def _group_assignment(community: Community) -> TeachingAssignment:
    group = Subgroup.objects.create(
        class_group=community.class_5a, subject=community.ukrainian, name="група 1"
    )
    return TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.ukrainian,
        class_group=community.class_5a,
        subgroup=group,
        hours_per_week=Decimal(2),
    )


def _math_5b(community: Community) -> TeachingAssignment:
    return TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(5),
    )


def _reached(community: Community, attachment: HomeworkFile) -> bool:
    try:
        homework_file_for_user(community.guardian, attachment.pk, within=community.student)
    except Http404:
        return False
    return True


def _in_the_diary(community: Community, lesson: Lesson) -> bool:
    shown = student_lessons(student=community.student, start=lesson.date, end=lesson.date)
    return lesson in shown


def test_a_file_is_reached_from_the_diary_exactly_when_the_diary_shows_its_lesson(
    community: Community,
) -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    Enrollment.objects.filter(student=community.student).update(starts_on=tuesday)
    in_group = _group_assignment(community)
    cancelled = _lesson(community, community.math_5a, tuesday, number=2)
    cancelled.is_cancelled = True
    cancelled.save()
    lessons = {
        "own class": _lesson(community, community.math_5a, tuesday),
        "not held": cancelled,
        "another class": _lesson(community, _math_5b(community), tuesday),
        "a group the student is not in": _lesson(community, in_group, tuesday),
        "before the enrollment began": _lesson(community, community.ukrainian_5a, MONDAY),
    }
    files = {name: _file(community, lesson) for name, lesson in lessons.items()}
    answers = {name: _reached(community, files[name]) for name in lessons}
    assert answers == {name: _in_the_diary(community, lesson) for name, lesson in lessons.items()}
    assert answers == {
        "own class": True,
        "not held": False,
        "another class": False,
        "a group the student is not in": False,
        "before the enrollment began": False,
    }
    SubgroupMember.objects.create(subgroup=in_group.subgroup, student=community.student)
    assert _reached(community, files["a group the student is not in"])
    assert _in_the_diary(community, lessons["a group the student is not in"])


def test_only_the_student_and_their_guardians_reach_a_file_from_the_diary(
    community: Community,
) -> None:
    attachment = _file(community, _lesson(community, community.math_5a, MONDAY))
    for who in ("student_user", "guardian"):
        user = getattr(community, who)
        assert homework_file_for_user(user, attachment.pk, within=community.student) == attachment
        with pytest.raises(Http404):
            homework_file_for_user(user, attachment.pk, write=True, within=community.student)
    for who in ("other_guardian", "teacher", "class_teacher", "director", "outsider"):
        with pytest.raises(Http404):
            homework_file_for_user(getattr(community, who), attachment.pk, within=community.student)
    with pytest.raises(Http404):
        homework_file_for_user(community.guardian, MISSING, within=community.student)
    anonymous: Any = AnonymousUser()
    with pytest.raises(Http404):
        homework_file_for_user(anonymous, attachment.pk, within=community.student)


def _mark(community: Community, lesson: Lesson | None, kind: str = "current") -> Mark:
    return Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        term=None if lesson else community.term1,
        student=community.student,
        kind=kind,
        value="10",
        numeric_value=Decimal(10),
        created_by=community.teacher,
    )


def test_a_mark_is_written_by_its_lessons_writers_and_read_by_its_readers(
    community: Community,
) -> None:
    lesson = _lesson(community, community.math_5a, MONDAY)
    mark = _mark(community, lesson)
    found = mark_for_user(community.teacher, mark.pk, write=True)
    assert found == mark and found.lesson == lesson and found.assignment == community.math_5a
    assert mark_for_user(community.teacher, mark.pk, write=True, within=lesson) == mark
    for reader in ("class_teacher", "director", "deputy", "school_admin"):
        assert mark_for_user(getattr(community, reader), mark.pk) == mark
        with pytest.raises(Http404):
            mark_for_user(getattr(community, reader), mark.pk, write=True)
    for stranger in ("other_teacher", "other_school_admin", "guardian", "student_user", "outsider"):
        with pytest.raises(Http404):
            mark_for_user(getattr(community, stranger), mark.pk)
    other_lesson = _lesson(community, community.math_5a, MONDAY + dt.timedelta(days=1))
    with pytest.raises(Http404):
        mark_for_user(community.teacher, mark.pk, write=True, within=other_lesson)


def test_an_undated_mark_is_not_reached_by_id(community: Community) -> None:
    term_mark = _mark(community, None, kind="term")
    with pytest.raises(Http404):
        mark_for_user(community.teacher, term_mark.pk, write=True)
    with pytest.raises(Http404):
        mark_for_user(community.teacher, MISSING)
