"""The class teacher's attendance of the class by day, week, month and term: the counts,
the day's grid, the students with most unexcused absences, the XLSX, who may open it
and its query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.journal.classteacher.selectors import (
    DAY,
    MONTH,
    TERM,
    WEEK,
    attendance_period,
    class_attendance,
    class_terms,
)
from zhurnal.journal.models import Attendance, AttendanceStatus
from zhurnal.people.models import Enrollment, Sex, Student, SubgroupMember
from zhurnal.schools.models import Subgroup, Subject
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

NOW = dt.datetime(2026, 10, 7, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 10, 5)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def lesson(
    community: Community,
    day: dt.date,
    number: int = 1,
    assignment: TeachingAssignment | None = None,
    cancelled: bool = False,
) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment or community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        is_cancelled=cancelled,
    )


def mark_attendance(
    community: Community,
    lesson: Lesson,
    student: Student,
    status: str = AttendanceStatus.ABSENT,
    excused: bool = False,
) -> Attendance:
    return Attendance.objects.create(
        lesson=lesson,
        student=student,
        status=status,
        excused=excused,
        recorded_by=community.teacher,
    )


def new_student(
    community: Community, surname: str, starts_on: dt.date, ends_on: dt.date | None = None
) -> Student:
    student = Student.objects.create(
        municipality=community.municipality,
        surname=surname,
        given_name="Марко",
        patronymic="Іванович",
        birth_date=dt.date(2015, 4, 4),
        sex=Sex.MALE,
    )
    Enrollment.objects.create(
        student=student, class_group=community.class_5a, starts_on=starts_on, ends_on=ends_on
    )
    return student


@pytest.fixture
def week_data(community: Community) -> dict[str, object]:
    """Андрій: two absences on Monday (one excused), late on Tuesday, absent in a
    cancelled lesson; Олена: absent on Tuesday in Ukrainian; a student of 5-Б absent in
    5-Б; a newcomer absent in a lesson before their enrollment."""
    monday_1 = lesson(community, MONDAY, 1)
    monday_2 = lesson(community, MONDAY, 2, community.ukrainian_5a)
    tuesday = lesson(community, MONDAY + dt.timedelta(days=1), 1)
    tuesday_ukr = lesson(community, MONDAY + dt.timedelta(days=1), 2, community.ukrainian_5a)
    cancelled = lesson(community, MONDAY + dt.timedelta(days=2), 1, cancelled=True)
    mark_attendance(community, monday_1, community.student)
    mark_attendance(community, monday_2, community.student, excused=True)
    mark_attendance(community, tuesday, community.student, AttendanceStatus.LATE)
    mark_attendance(community, cancelled, community.student)
    mark_attendance(community, tuesday_ukr, community.other_student)
    mark_attendance(community, tuesday_ukr, community.student, AttendanceStatus.REMOTE)
    math_5b = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(4),
    )
    mark_attendance(community, lesson(community, MONDAY, 1, math_5b), community.student_5b)
    newcomer = new_student(community, "Бабенко", MONDAY + dt.timedelta(days=2))
    mark_attendance(community, monday_1, newcomer)
    return {"newcomer": newcomer}


def attendance_url(community: Community, **query: str) -> str:
    url = reverse("journal:classteacher_attendance", args=[community.class_5a.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _week(community: Community):  # type: ignore[no-untyped-def]
    period = attendance_period(kind=WEEK, on=MONDAY, terms=class_terms(community.class_5a))
    return class_attendance(class_group=community.class_5a, period=period)


def test_week_counts_absences_excused_unexcused_and_lates(
    community: Community, week_data: dict[str, object]
) -> None:
    summary = _week(community)
    by_student = {row.student.pk: row for row in summary.rows if row.student}
    andriy = by_student[community.student.pk]
    assert (andriy.missed, andriy.excused, andriy.unexcused, andriy.late) == (2, 1, 1, 1)
    olena = by_student[community.other_student.pk]
    assert (olena.missed, olena.excused, olena.unexcused, olena.late) == (1, 0, 1, 0)
    newcomer = by_student[week_data["newcomer"].pk]  # type: ignore[attr-defined]
    assert (newcomer.missed, newcomer.late) == (0, 0)  # the absence before enrollment
    assert community.student_5b.pk not in by_student
    totals = summary.totals
    assert (totals.missed, totals.excused, totals.unexcused, totals.late) == (3, 1, 2, 1)
    # Class-list order: Бабенко, Гнатюк, Савчук.
    assert [row.student.surname for row in summary.rows if row.student] == [
        "Бабенко",
        "Гнатюк",
        "Савчук",
    ]
    assert summary.rows[1].name == "Гнатюк А. П."


def test_student_who_left_counts_only_days_enrolled(community: Community) -> None:
    leaver = new_student(community, "Вийшов", dt.date(2026, 9, 1), ends_on=MONDAY)
    mark_attendance(community, lesson(community, MONDAY, 1), leaver)
    mark_attendance(community, lesson(community, MONDAY + dt.timedelta(days=1), 1), leaver)
    row = next(row for row in _week(community).rows if row.student == leaver)
    assert row.missed == 1


def test_subgroup_lessons_of_the_class_count(community: Community) -> None:
    english = Subject.objects.create(school=community.school, name="Англійська мова")
    group = Subgroup.objects.create(class_group=community.class_5a, subject=english, name="1")
    SubgroupMember.objects.create(subgroup=group, student=community.student)
    english_1 = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.other_teacher,
        subject=english,
        class_group=community.class_5a,
        subgroup=group,
        hours_per_week=Decimal(2),
    )
    mark_attendance(community, lesson(community, MONDAY, 3, english_1), community.student)
    row = next(row for row in _week(community).rows if row.student == community.student)
    assert row.missed == 1


def test_day_shows_the_lessons_grid(community: Community, week_data: dict[str, object]) -> None:
    period = attendance_period(kind=DAY, on=MONDAY, terms=[])
    summary = class_attendance(class_group=community.class_5a, period=period)
    assert summary.day_periods == [1, 2]
    andriy = next(row for row in summary.rows if row.student == community.student)
    assert [cell.text for cell in andriy.cells] == ["н", "н"]
    assert [cell.excused for cell in andriy.cells] == [False, True]
    tuesday = attendance_period(kind=DAY, on=MONDAY + dt.timedelta(days=1), terms=[])
    summary = class_attendance(class_group=community.class_5a, period=tuesday)
    andriy = next(row for row in summary.rows if row.student == community.student)
    assert [cell.text for cell in andriy.cells] == ["зап.", ""]  # remote is present


def test_periods_month_and_term_with_navigation(community: Community) -> None:
    terms = class_terms(community.class_5a)
    month = attendance_period(kind=MONTH, on=dt.date(2026, 10, 15), terms=terms)
    assert (month.start, month.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (month.previous_on, month.next_on) == (dt.date(2026, 9, 1), dt.date(2026, 11, 1))
    term = attendance_period(kind=TERM, on=dt.date(2026, 10, 15), terms=terms)
    assert term.term == community.term1
    assert (term.previous_on, term.next_on) == (None, community.term2.starts_on)
    between = attendance_period(kind=TERM, on=dt.date(2027, 1, 5), terms=terms)
    assert between.term == community.term1
    week = attendance_period(kind=WEEK, on=dt.date(2026, 10, 8), terms=terms)
    assert (week.start, week.end) == (MONDAY, MONDAY + dt.timedelta(days=6))


def test_top_unexcused_ranks_students(community: Community, week_data: dict[str, object]) -> None:
    extra = lesson(community, MONDAY + dt.timedelta(days=3), 2)
    mark_attendance(community, extra, community.other_student)
    top = _week(community).top_unexcused
    assert [(row.student.pk, row.unexcused) for row in top if row.student] == [
        (community.other_student.pk, 2),
        (community.student.pk, 1),
    ]


def test_term_page_shows_counts_and_top(
    community: Community, login, week_data: dict[str, object]
) -> None:
    response = login(community.class_teacher).get(
        attendance_url(community, period="term", on="2026-10-05")
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.period.term == community.term1
    assert summary.totals.missed == 3
    assert len(summary.top_unexcused) == 2
    with translation.override("uk"):
        assert gettext("Most lessons missed without an excuse") in response.content.decode()


def test_default_is_this_week(community: Community, login) -> None:
    response = login(community.class_teacher).get(attendance_url(community))
    assert response.context["period"].kind == WEEK
    assert response.context["period"].start == MONDAY


@pytest.mark.parametrize("who", ["class_teacher", "director", "deputy", "school_admin"])
def test_class_teacher_and_administration_open_attendance(
    community: Community, login, who: str
) -> None:
    response = login(getattr(community, who)).get(attendance_url(community))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "who", ["teacher", "other_teacher", "guardian", "department", "outsider", "other_school_admin"]
)
def test_others_get_404(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    assert client.get(attendance_url(community)).status_code == 404
    xlsx = reverse("journal:classteacher_attendance_xlsx", args=[community.class_5a.pk])
    assert client.get(xlsx).status_code == 404


def test_anonymous_is_sent_to_login(client, community: Community) -> None:
    response = client.get(attendance_url(community))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_xlsx_has_the_same_table(community: Community, login, week_data: dict[str, object]) -> None:
    url = reverse("journal:classteacher_attendance_xlsx", args=[community.class_5a.pk])
    response = login(community.director).get(url + "?period=week&on=2026-10-05")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert rows[1][:6] == (2, "Гнатюк А. П.", 2, 1, 1, 1)
    assert rows[-1][2:6] == (3, 1, 2, 1)


def _grow_class(community: Community, count: int, start: int) -> None:
    monday_1 = Lesson.objects.get(assignment=community.math_5a, date=MONDAY, period__number=1)
    for index in range(start, start + count):
        student = new_student(community, f"Учень{index:02d}", dt.date(2026, 9, 1))
        mark_attendance(community, monday_1, student)


@pytest.mark.parametrize("period", ["day", "week", "term"])
def test_query_count_does_not_grow_with_class(
    community: Community, login, week_data: dict[str, object], django_assert_max_num_queries, period
) -> None:
    client = login(community.class_teacher)
    url = attendance_url(community, period=period, on="2026-10-05")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(10) as small:
        assert client.get(url).status_code == 200
    budget = len(small)  # the log is reset by every request
    _grow_class(community, 15, 0)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    # Monday: Андрій's two absences; the week and the term add Олена's.
    assert response.context["summary"].totals.missed == (17 if period == "day" else 18)
