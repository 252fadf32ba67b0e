from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from tests.cast import Community
from zhurnal.core.timeutil import local_today
from zhurnal.journal.models import HomeworkFile, Mark
from zhurnal.timetable.models import Lesson, Period


def _today_lesson(community: Community, number: int, **fields: object) -> Lesson:
    return Lesson.objects.create(
        assignment=fields.pop("assignment", community.math_5a),
        date=local_today(),
        period=Period.objects.get(year=community.year, number=number),
        **fields,
    )


def test_teacher_sees_todays_lessons_with_what_is_missing(
    client: Client, community: Community
) -> None:
    _today_lesson(community, 1, topic="Дроби")
    client.force_login(community.teacher)
    response = client.get("/teacher/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "5-А" in body and "Математика" in body
    assert "домашнє завдання" in body.lower() or "homework" in body.lower()


def test_other_teachers_lesson_is_not_on_my_day_but_a_substitution_is(
    client: Client, community: Community
) -> None:
    _today_lesson(community, 2, assignment=community.ukrainian_5a)
    _today_lesson(community, 3, assignment=community.ukrainian_5a, substitute=community.teacher)
    client.force_login(community.teacher)
    lessons = client.get("/teacher/").context["lessons"]
    assert [lesson.period.number for lesson in lessons] == [3]
    client.force_login(community.other_teacher)
    lessons = client.get("/teacher/").context["lessons"]
    assert [lesson.period.number for lesson in lessons] == [2]  # the substituted one is not theirs


def test_teacher_home_query_count_is_fixed(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for number in (1, 2, 3):
        _today_lesson(community, number)
    client.force_login(community.teacher)
    with django_assert_max_num_queries(8):
        assert client.get("/teacher/").status_code == 200


def test_lessons_of_other_days_are_not_listed(client: Client, community: Community) -> None:
    Lesson.objects.create(
        assignment=community.math_5a,
        date=local_today() - dt.timedelta(days=1),
        period=Period.objects.get(year=community.year, number=1),
    )
    client.force_login(community.teacher)
    assert list(client.get("/teacher/").context["lessons"]) == []


def _lesson_on(community: Community, day: dt.date, number: int = 1, **fields: object) -> Lesson:
    return Lesson.objects.create(
        assignment=fields.pop("assignment", community.math_5a),
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        **fields,
    )


def test_teacher_opens_yesterdays_lessons_by_date(client: Client, community: Community) -> None:
    day = dt.date(2026, 11, 16)
    lesson = _lesson_on(community, day)
    client.force_login(community.teacher)
    response = client.get("/teacher/?date=2026-11-16")
    assert response.status_code == 200
    assert response.context["day"] == day
    assert [row.lesson for row in response.context["rows"]] == [lesson]
    assert f'href="/lesson/{lesson.pk}/"' in response.content.decode()


def test_day_switcher_steps_over_weekends_and_holidays(
    client: Client, community: Community
) -> None:
    client.force_login(community.teacher)
    friday = client.get("/teacher/?date=2026-10-23").context  # the autumn holidays follow
    assert friday["next_url"] == "/teacher/?date=2026-11-02"
    assert friday["previous_url"] == "/teacher/?date=2026-10-22"
    monday = client.get("/teacher/?date=2026-11-02").context
    assert monday["previous_url"] == "/teacher/?date=2026-10-23"
    assert (
        client.get("/teacher/?date=2026-11-20").context["next_url"] == "/teacher/?date=2026-11-23"
    )


def test_a_date_that_is_not_a_date_shows_today(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    assert client.get("/teacher/?date=yesterday").context["day"] == local_today()


def test_what_is_missing_in_each_lesson(client: Client, community: Community) -> None:
    day = dt.date(2026, 11, 16)
    empty = _lesson_on(community, day, 1)
    done = _lesson_on(
        community, day, 2, topic="Дроби", attendance_taken_at=timezone.now(), homework=""
    )
    HomeworkFile.objects.create(
        lesson=done,
        file="homework/a.pdf",
        original_name="a.pdf",
        size=4,
        uploaded_by=community.teacher,
    )
    Mark.objects.create(
        assignment=community.math_5a,
        lesson=done,
        student=community.student,
        kind="current",
        value="9",
        created_by=community.teacher,
    )
    not_held = _lesson_on(community, day, 3, is_cancelled=True, cancel_reason="тривога")
    client.force_login(community.teacher)
    rows = {row.lesson: row for row in client.get("/teacher/?date=2026-11-16").context["rows"]}
    assert rows[empty].attendance_missing and rows[empty].topic_missing
    assert rows[empty].homework_missing and rows[empty].no_marks
    assert rows[done].complete and not rows[done].no_marks  # a file counts as homework
    assert not_held in rows  # shown, as not held
    body = client.get("/teacher/?date=2026-11-16").content.decode()
    assert "тривога" in body


def test_teacher_day_query_count_does_not_grow_with_lessons(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 11, 16)
    client.force_login(community.teacher)
    _lesson_on(community, day, 1)
    with django_assert_max_num_queries(7) as one:
        client.get("/teacher/?date=2026-11-16")
    for number in (2, 3):
        lesson = _lesson_on(community, day, number)
        for student in (community.student, community.other_student):
            Mark.objects.create(
                assignment=community.math_5a,
                lesson=lesson,
                student=student,
                kind="current",
                value="9",
                created_by=community.teacher,
            )
    with django_assert_max_num_queries(7) as three:
        client.get("/teacher/?date=2026-11-16")
    assert len(one.captured_queries) == len(three.captured_queries)
