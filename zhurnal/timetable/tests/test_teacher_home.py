from __future__ import annotations

import datetime as dt

from django.test import Client

from conftest import Community
from zhurnal.core.timeutil import local_today
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
