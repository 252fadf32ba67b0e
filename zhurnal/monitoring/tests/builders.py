"""Summary rows built by hand for the department's monitoring tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.cast import make_staff
from zhurnal.control.models import FillWeek, SchoolDay, TermMarkCount
from zhurnal.people.models import Role
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    Municipality,
    School,
    SchoolKind,
    Subject,
    Term,
)
from zhurnal.timetable.models import TeachingAssignment

KYIV = ZoneInfo("Europe/Kyiv")
TODAY = dt.date(2026, 11, 18)  # a Wednesday
LAST_WEEK = dt.date(2026, 11, 9)  # the Monday of the last full week
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=KYIV)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.datetime]:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    yield NOW


def school_with_assignment(
    municipality: Municipality, number: int, *, grade: int = 5
) -> tuple[School, TeachingAssignment]:
    school = School.objects.create(
        municipality=municipality,
        name=f"Школа № {number}",
        short_name=f"Школа № {number}",
        code=f"9{municipality.pk:03d}{number:03d}",
        kind=SchoolKind.GENERAL,
    )
    year = AcademicYear.objects.create(
        school=school, name="2026/2027", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 6, 30)
    )
    Term.objects.create(
        year=year,
        number=1,
        name="І семестр",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 24),
    )
    teacher = make_staff(
        school, f"t{municipality.pk}-{number}", "Вчитель", f"Іван{number}", Role.TEACHER
    )
    class_group = ClassGroup.objects.create(year=year, grade=grade, letter="А")
    subject = Subject.objects.create(school=school, name="Математика")
    assignment = TeachingAssignment.objects.create(
        year=year,
        teacher=teacher,
        subject=subject,
        class_group=class_group,
        hours_per_week=Decimal(4),
    )
    return school, assignment


def fill_week(
    assignment: TeachingAssignment,
    week: dt.date = LAST_WEEK,
    *,
    lessons: int = 5,
    topics: int = 5,
    attendance: int = 5,
    on_time: int = 5,
    students: int = 20,
    lesson_marks: int = 0,
    student_months: float = 0.0,
    last_entry_at: dt.datetime | None = None,
) -> FillWeek:
    return FillWeek.objects.create(
        school=assignment.year.school,
        assignment=assignment,
        class_group=assignment.class_group,
        subject=assignment.subject,
        teacher=assignment.teacher,
        grade=assignment.class_group.grade,
        week_start=week,
        lessons=lessons,
        topics=topics,
        attendance=attendance,
        on_time=on_time,
        students=students,
        lesson_marks=lesson_marks,
        student_months=student_months,
        last_entry_at=last_entry_at,
    )


def school_day(
    school: School,
    day: dt.date,
    *,
    students: int = 100,
    student_lessons: int = 500,
    absences: int = 25,
    illness_absences: int = 10,
    students_ill: int = 2,
) -> SchoolDay:
    return SchoolDay.objects.create(
        school=school,
        date=day,
        students=students,
        student_lessons=student_lessons,
        absences=absences,
        illness_absences=illness_absences,
        students_ill=students_ill,
        students_absent=students_ill,
    )


def term_marks(
    school: School, grade: int, subject: str, counts: dict[str, int], *, term_number: int = 1
) -> None:
    year = AcademicYear.objects.get(school=school, name="2026/2027")
    term = Term.objects.get(year=year, number=term_number)
    for value, count in counts.items():
        TermMarkCount.objects.create(
            school=school,
            term=term,
            year=year,
            kind="term",
            grade=grade,
            subject_name=subject,
            value=value,
            count=count,
        )


def school_days_before(day: dt.date, count: int) -> list[dt.date]:
    """The `count` weekdays before `day`, oldest first."""
    days: list[dt.date] = []
    current = day
    while len(days) < count:
        current -= dt.timedelta(days=1)
        if current.weekday() < 5:
            days.append(current)
    return sorted(days)
