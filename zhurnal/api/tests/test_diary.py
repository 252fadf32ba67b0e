"""The diary endpoints: a student's own, a guardian's children's, nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cast import Community
from zhurnal.api.tests.builders import PAST, api_as, lesson_on
from zhurnal.journal import services
from zhurnal.journal.models import Mark
from zhurnal.timetable.models import Lesson


def diary_data(community: Community, count: int = 1) -> None:
    for number in range(1, count + 1):
        lesson = lesson_on(community, PAST + dt.timedelta(days=number - 1), number=1)
        services.lesson_record(
            actor=community.teacher,
            lesson=lesson,
            topic=f"Дроби {number}",
            homework=f"№ {number}",
        )
        services.mark_set(
            actor=community.teacher,
            assignment=community.math_5a,
            student=community.student,
            lesson=lesson,
            value="10",
            comment="Молодець",
        )
        services.attendance_take(
            actor=community.teacher, lesson=lesson, statuses={community.other_student.pk: "late"}
        )


def test_guardian_lists_only_own_children(community: Community) -> None:
    response = api_as(community.guardian).get("/api/v1/students")
    assert response.status_code == 200
    assert [(s["id"], s["class_name"]) for s in response.json()] == [
        (community.student.pk, "5-А · Ліцей № 1")
    ]


def test_student_lists_themself(community: Community) -> None:
    response = api_as(community.student_user).get("/api/v1/students")
    assert [s["id"] for s in response.json()] == [community.student.pk]


def test_guardian_reads_childs_week_with_topic_homework_marks(community: Community) -> None:
    diary_data(community)
    response = api_as(community.guardian).get(
        f"/api/v1/students/{community.student.pk}/week", date="2026-11-18"
    )
    assert response.status_code == 200
    week = response.json()
    assert week["monday"] == "2026-11-16"
    assert [day["date"] for day in week["days"]][:2] == ["2026-11-16", "2026-11-17"]
    lesson = week["days"][0]["lessons"][0]
    assert lesson["subject"] == "Математика" and lesson["topic"] == "Дроби 1"
    assert lesson["homework"] == "№ 1" and lesson["period"] == 1
    assert [(m["value"], m["kind"], m["comment"], m["date"]) for m in lesson["marks"]] == [
        ("10", "current", "Молодець", "2026-11-16")
    ]
    assert lesson["attendance"] is None


def test_student_reads_own_week_and_sees_only_own_marks_and_attendance(
    community: Community,
) -> None:
    diary_data(community)
    services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.other_student,
        lesson=community.math_5a.lessons.get(),
        value="7",
    )
    response = api_as(community.student_user).get(
        f"/api/v1/students/{community.student.pk}/week", date="2026-11-16"
    )
    lesson = response.json()["days"][0]["lessons"][0]
    assert [m["value"] for m in lesson["marks"]] == ["10"]
    other = api_as(community.other_guardian).get(
        f"/api/v1/students/{community.other_student.pk}/week", date="2026-11-16"
    )
    other_lesson = other.json()["days"][0]["lessons"][0]
    assert [m["value"] for m in other_lesson["marks"]] == ["7"]
    assert other_lesson["attendance"]["status"] == "late"


def test_marks_for_a_period(community: Community) -> None:
    diary_data(community, count=3)
    api = api_as(community.guardian)
    response = api.get(
        f"/api/v1/students/{community.student.pk}/marks", start="2026-11-17", end="2026-11-30"
    )
    assert response.status_code == 200
    assert [m["date"] for m in response.json()] == ["2026-11-17", "2026-11-18"]
    assert {m["subject"] for m in response.json()} == {"Математика"}
    too_long = api.get(
        f"/api/v1/students/{community.student.pk}/marks", start="2020-01-01", end="2026-11-30"
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid"


@pytest.mark.parametrize("path", ["week", "marks"])
def test_another_childs_id_is_404_never_403(community: Community, path: str) -> None:
    diary_data(community)
    url = f"/api/v1/students/{community.student.pk}/{path}"
    for user in (community.other_guardian, community.teacher, community.outsider):
        response = api_as(user).get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api_as(community.guardian).get("/api/v1/students/999999/week").status_code == 404


def test_bad_date_is_a_structured_422(community: Community) -> None:
    response = api_as(community.guardian).get(
        f"/api/v1/students/{community.student.pk}/week", date="18.11.2026"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["details"]["errors"][0]["loc"]
    far = api_as(community.guardian).get(
        f"/api/v1/students/{community.student.pk}/week", date="9999-12-31"
    )
    assert far.status_code == 400


def test_week_query_count_does_not_grow_with_lessons(
    community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    diary_data(community, count=5)
    api = api_as(community.guardian)
    url = f"/api/v1/students/{community.student.pk}/week"
    api.get(url, date="2026-11-16")  # the token's last use is written once a minute
    with django_assert_max_num_queries(10):  # one of them for the week's remarks
        response = api.get(url, date="2026-11-16")
    assert sum(len(day["lessons"]) for day in response.json()["days"]) == 5
    assert Mark.objects.count() == 5


def test_week_lists_only_the_childs_own_remarks(community: Community) -> None:
    diary_data(community)
    lesson = Lesson.objects.get()
    services.remark_add(
        actor=community.teacher,
        lesson=lesson,
        student=community.student,
        text="Активно працював",
        kind="praise",
    )
    services.remark_add(
        actor=community.teacher,
        lesson=lesson,
        student=community.other_student,
        text="Не мав зошита",
        kind="remark",
    )
    response = api_as(community.guardian).get(
        f"/api/v1/students/{community.student.pk}/week", date="2026-11-16"
    )
    assert response.status_code == 200
    [item] = [item for day in response.json()["days"] for item in day["lessons"]]
    assert item["remarks"] == [{"kind": "praise", "text": "Активно працював"}]
