"""The grid costs the same few queries for 3 students and for 30 students × 40 lessons."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.cast import Community
from zhurnal.journal.models import Attendance, AttendanceStatus, Mark, MarkKind
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.timetable.models import Lesson, Period

# Session, user, assignment, terms (with their locks), enrollments, lessons, marks,
# attendance, pending corrections, the calendar plan's theme names.
GRID_QUERIES = 10


def fill_class(community: Community, *, students: int, lessons: int) -> None:
    extra = students - 2  # the community already has two students in 5-А
    pupils = Student.objects.bulk_create(
        Student(
            municipality=community.municipality,
            surname=f"Учень{number:02d}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        for number in range(extra)
    )
    Enrollment.objects.bulk_create(
        Enrollment(student=pupil, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1))
        for pupil in pupils
    )
    periods = list(Period.objects.filter(year=community.year).order_by("number"))
    days = [
        dt.date(2026, 9, 1) + dt.timedelta(days=offset)
        for offset in range(90)
        if (dt.date(2026, 9, 1) + dt.timedelta(days=offset)).weekday() < 5
    ]
    slots = list(itertools.islice(itertools.product(days, periods), lessons))
    created = Lesson.objects.bulk_create(
        Lesson(assignment=community.math_5a, date=day, period=period, topic=f"Тема {i}")
        for i, (day, period) in enumerate(slots)
    )
    everyone = [community.student, community.other_student, *pupils]
    marks = []
    absences = []
    for index, lesson in enumerate(created):
        for offset, pupil in enumerate(everyone):
            if (index + offset) % 7 == 0:
                value = str(4 + (index + offset) % 9)
                marks.append(
                    Mark(
                        assignment=community.math_5a,
                        lesson=lesson,
                        student=pupil,
                        kind=MarkKind.CURRENT,
                        value=value,
                        numeric_value=Decimal(value),
                        created_by=community.teacher,
                    )
                )
            elif (index + offset) % 11 == 0:
                absences.append(
                    Attendance(
                        lesson=lesson,
                        student=pupil,
                        status=AttendanceStatus.ABSENT,
                        recorded_by=community.teacher,
                    )
                )
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)


@pytest.mark.parametrize(("students", "lessons"), [(3, 4), (30, 40)])
def test_grid_queries_do_not_grow_with_the_class(
    community: Community, login, django_assert_max_num_queries, students: int, lessons: int
) -> None:
    fill_class(community, students=students, lessons=lessons)
    client = login(community.teacher)
    url = reverse("journal:grid", args=[community.math_5a.pk])

    with django_assert_max_num_queries(GRID_QUERIES):
        response = client.get(url, {"term": community.term1.pk})

    assert response.status_code == 200
    grid = response.context["grid"]
    assert len(grid.rows) == students
    assert grid.lesson_count == lessons


@pytest.mark.parametrize(("students", "lessons"), [(3, 4), (30, 40)])
def test_column_form_queries_do_not_grow_with_the_class(
    community: Community, login, django_assert_max_num_queries, students: int, lessons: int
) -> None:
    fill_class(community, students=students, lessons=lessons)
    lesson = Lesson.objects.order_by("date", "period__number").first()
    assert lesson is not None
    url = reverse("journal:grid_column", args=[community.math_5a.pk])
    client = login(community.teacher)

    with django_assert_max_num_queries(GRID_QUERIES):
        response = client.get(url, {"term": community.term1.pk, "column": f"lesson-{lesson.pk}"})

    assert response.status_code == 200
