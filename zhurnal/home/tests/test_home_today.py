"""Home pages that answer each role's first question (issue 12, item 5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cast import Community
from zhurnal.control.models import JournalRemark
from zhurnal.core.timeutil import local_today
from zhurnal.diary.models import DiaryVisit
from zhurnal.home.selectors import school_today
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    Mark,
    StudentRemark,
)
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.timetable.models import Lesson, Period

pytestmark = pytest.mark.django_db


def _today(community: Community) -> dt.date:
    return local_today(community.school.municipality.time_zone)


def _early_period(community: Community) -> Period:
    """A lesson number whose bell has always rung by the time a test runs."""
    return Period.objects.create(
        year=community.year, number=9, starts_at=dt.time(0, 0), ends_at=dt.time(0, 1)
    )


def _lesson(community: Community, day: dt.date, period: Period, **extra: object) -> Lesson:
    return Lesson.objects.create(assignment=community.math_5a, date=day, period=period, **extra)


def _mark(community: Community, lesson: Lesson, value: str, student: Student | None = None) -> Mark:
    return Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=student or community.student,
        kind="current",
        value=value,
        numeric_value=Decimal(value),
        created_by=community.teacher,
    )


# --- the family ----------------------------------------------------------------------------


def test_guardians_home_shows_a_mark_entered_a_moment_earlier(login, community: Community):
    c = community
    lesson = _lesson(c, _today(c), _early_period(c))
    client = login(c.guardian)
    client.get(reverse("diary:child_week", args=[c.student.pk]))  # a visit before the mark
    _mark(c, lesson, "11")

    response = client.get(reverse("diary:family_home"))

    assert response.status_code == 200
    summary = response.context["summaries"][0]
    assert [mark.value for mark in summary.new_marks] == ["11"]
    body = response.content.decode()
    assert '<strong class="home-mark">11</strong>' in body
    assert reverse("notifications:preferences") in body
    assert reverse("diary:child_week", args=[c.student.pk]) in body


def test_guardians_home_leaves_out_marks_seen_at_the_last_visit(login, community: Community):
    c = community
    lesson = _lesson(c, _today(c), _early_period(c))
    _mark(c, lesson, "7")
    DiaryVisit.objects.create(user=c.guardian, student=c.student, last_seen_at=timezone.now())

    response = login(c.guardian).get(reverse("diary:family_home"))

    assert response.context["summaries"][0].new_marks == []
    assert '<strong class="home-mark">7</strong>' not in response.content.decode()


def test_guardians_home_shows_todays_absence_remark_and_next_days_homework(
    login, community: Community
):
    c = community
    today = _today(c)
    period = _early_period(c)
    earlier = _lesson(c, today - dt.timedelta(days=7), period, homework="§ 12, № 3")
    now_lesson = _lesson(c, today, period)
    _lesson(c, today + dt.timedelta(days=1), period)
    Attendance.objects.create(
        lesson=now_lesson,
        student=c.student,
        status=AttendanceStatus.ABSENT,
        recorded_by=c.teacher,
    )
    StudentRemark.objects.create(
        lesson=now_lesson, student=c.student, text="Забув зошит", author=c.teacher
    )

    response = login(c.guardian).get(reverse("diary:family_home"))

    summary = response.context["summaries"][0]
    assert [entry.lesson for entry in summary.absences_today] == [now_lesson]
    assert summary.next_day == today + dt.timedelta(days=1)
    assert [item.set_at for item in summary.homework] == [earlier]
    body = response.content.decode()
    assert "§ 12, № 3" in body and "Забув зошит" in body


def test_guardian_does_not_see_another_familys_child_on_the_home(login, community: Community):
    c = community
    lesson = _lesson(c, _today(c), _early_period(c))
    _mark(c, lesson, "9", student=c.other_student)
    response = login(c.guardian).get(reverse("diary:family_home"))
    assert [s.student for s in response.context["summaries"]] == [c.student]
    assert c.other_student.surname not in response.content.decode()


def test_students_home_shows_their_own_new_marks_above_the_week(login, community: Community):
    c = community
    lesson = _lesson(c, _today(c), _early_period(c))
    _mark(c, lesson, "10")
    response = login(c.student_user).get(reverse("diary:student_home"))
    assert response.status_code == 200
    assert [mark.value for mark in response.context["summary"].new_marks] == ["10"]
    assert response.context["days"]  # the week is still there


def _family_home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("diary:family_home")).status_code == 200
    return len(queries)


def test_family_home_query_count_does_not_grow_with_marks_or_classmates(
    login, community: Community
):
    c = community
    today = _today(c)
    period = _early_period(c)
    lessons = [_lesson(c, today - dt.timedelta(days=day), period) for day in range(3)]
    _mark(c, lessons[0], "8")
    _lesson(c, today + dt.timedelta(days=1), period)
    client = login(c.guardian)
    _family_home_queries(client)
    few = _family_home_queries(client)

    for number in range(20):
        classmate = Student.objects.create(
            municipality=c.municipality,
            surname=f"Учень{number}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=classmate, class_group=c.class_5a, starts_on=dt.date(2026, 9, 1)
        )
        _mark(c, lessons[number % 3], "9", student=classmate)
    for lesson in lessons[1:]:
        _mark(c, lesson, "10")
    _lesson(c, today + dt.timedelta(days=1), Period.objects.get(year=c.year, number=1))
    many = _family_home_queries(client)
    assert many == few


# --- the school's administration -----------------------------------------------------------


def test_deputys_home_lists_a_lesson_of_today_without_a_register_and_links_to_it(
    login, community: Community
):
    c = community
    lesson = _lesson(c, _today(c), _early_period(c), topic="Дроби")

    response = login(c.deputy).get(reverse("home:school_home", args=[c.school.pk]))

    assert response.status_code == 200
    assert response.context["today"].unrecorded == [lesson]
    body = response.content.decode()
    assert f'href="{reverse("journal:lesson", args=[lesson.pk])}"' in body


def test_school_today_counts_gaps_corrections_and_remarks(community: Community):
    c = community
    tz = timezone.get_fixed_timezone(120)
    now = dt.datetime(2026, 11, 18, 10, 15, tzinfo=tz)  # a Wednesday, after lesson 2
    day = now.date()
    periods = {period.number: period for period in Period.objects.filter(year=c.year)}
    recorded = _lesson(c, day, periods[1], topic="Дроби", attendance_taken_at=now)
    no_topic = _lesson(c, day, periods[2], attendance_taken_at=now)
    _lesson(c, day, periods[3])  # not begun yet: not a gap
    Correction.objects.create(
        assignment=c.math_5a,
        student=c.student,
        target="mark",
        status=CorrectionStatus.PENDING,
        requested_by=c.teacher,
    )
    JournalRemark.objects.create(
        school=c.school,
        assignment=c.math_5a,
        teacher=c.teacher,
        author=c.deputy,
        text="Немає теми",
    )

    today = school_today(school=c.school, now=now)

    assert today.unrecorded == [no_topic] and recorded not in today.unrecorded
    assert today.unrecorded_count == 1
    assert today.pending_corrections_count == 1
    assert today.open_remarks == 1
    assert today.week_fill.lessons == 2


def _school_home_queries(client: Client, school_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home:school_home", args=[school_id])).status_code == 200
    return len(queries)


def test_school_home_query_count_does_not_grow_with_todays_lessons(login, community: Community):
    c = community
    today = _today(c)
    period = _early_period(c)
    _lesson(c, today, period)
    client = login(c.deputy)
    _school_home_queries(client, c.school.pk)
    few = _school_home_queries(client, c.school.pk)
    for number in (1, 2, 3):
        Lesson.objects.create(
            assignment=c.math_5a,
            date=today,
            period=Period.objects.get(year=c.year, number=number),
        )
    many = _school_home_queries(client, c.school.pk)
    assert many == few


# --- the header ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["guardian", "student_user"])
def test_families_header_has_no_api_link(client: Client, community: Community, who: str):
    client.force_login(getattr(community, who))
    home = client.get("/", follow=True)  # the home page chooses the role
    body = home.content.decode()
    assert '<details class="site-menu">' in body
    assert reverse("api:tokens") not in body
    assert reverse("notifications:preferences") in body


def test_staff_header_keeps_the_api_link_in_the_menu(client: Client, community: Community):
    client.force_login(community.teacher)
    body = client.get("/", follow=True).content.decode()
    menu = body.split('<details class="site-menu">', 1)[1].split("</details>", 1)[0]
    assert reverse("api:tokens") in menu
    assert "Log out" in body or "Вийти" in body


def test_family_login_without_a_chosen_role_has_no_api_link(client: Client, community: Community):
    client.force_login(community.guardian)
    body = client.get(reverse("diary:child_week", args=[community.student.pk])).content.decode()
    assert reverse("api:tokens") not in body


# --- the class teacher ---------------------------------------------------------------------


def test_class_teachers_home_shows_todays_absence_and_absences_to_excuse(
    login, community: Community
):
    c = community
    today = _today(c)
    period = _early_period(c)
    for day, excused in ((today - dt.timedelta(days=7), False), (today, False)):
        Attendance.objects.create(
            lesson=_lesson(c, day, period),
            student=c.student,
            status=AttendanceStatus.ABSENT,
            excused=excused,
            recorded_by=c.teacher,
        )

    response = login(c.class_teacher).get(reverse("people:class_home", args=[c.class_5a.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    today_part = body.split('id="class-today-heading"', 1)[1]
    assert c.student.short_name in today_part
    assert "2 lessons" in today_part or "2 уроки" in today_part
    assert reverse("journal:classteacher_excuses", args=[c.class_5a.pk]) in today_part
    assert c.other_student.short_name not in today_part


def _class_home_queries(client: Client, class_group_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("people:class_home", args=[class_group_id]))
    return len(queries)


def test_class_home_absences_cost_the_same_queries_for_more_absent_students(
    login, community: Community
):
    c = community
    today = _today(c)
    lesson = _lesson(c, today, _early_period(c))
    Attendance.objects.create(
        lesson=lesson, student=c.student, status=AttendanceStatus.ABSENT, recorded_by=c.teacher
    )
    client = login(c.class_teacher)
    _class_home_queries(client, c.class_5a.pk)
    few = _class_home_queries(client, c.class_5a.pk)
    for number in range(8):
        classmate = Student.objects.create(
            municipality=c.municipality,
            surname=f"Учень{number}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=classmate, class_group=c.class_5a, starts_on=dt.date(2026, 9, 1)
        )
        Attendance.objects.create(
            lesson=lesson, student=classmate, status=AttendanceStatus.LATE, recorded_by=c.teacher
        )
    many = _class_home_queries(client, c.class_5a.pk)
    assert many == few
