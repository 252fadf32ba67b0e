"""No mark and no absence for a lesson that has not begun: the services refuse it, so the
lesson page, the grid and the JSON API all refuse it with the same message, and nothing
is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.cast import Community
from zhurnal.api.tests.builders import api_as
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.journal import services
from zhurnal.journal.lesson.tests.builders import PAST, lesson_on, url
from zhurnal.journal.models import Attendance, AttendanceStatus, Correction, Mark
from zhurnal.timetable.models import Lesson

KYIV = ZoneInfo("Europe/Kyiv")


def _next_week(community: Community) -> Lesson:
    return lesson_on(community, local_today() + dt.timedelta(days=7))


def _state() -> list[Any]:
    return [
        sorted(Mark.objects.values_list("pk", "student_id", "value")),
        sorted(Attendance.objects.values_list("pk", "student_id", "status")),
        Correction.objects.count(),
        AuditEvent.objects.count(),
        sorted(Lesson.objects.values_list("pk", "attendance_taken_at")),
    ]


def _refusal(lesson: Lesson) -> str:
    with translation.override("uk"), pytest.raises(ValidationError) as refused:
        services.ensure_lesson_started(lesson)
    return " ".join(refused.value.messages)


def test_the_lesson_starts_at_its_bell_in_the_schools_time_zone(community: Community) -> None:
    lesson = lesson_on(community, PAST, number=1)  # the bell of the first lesson: 08:30
    before = dt.datetime.combine(PAST, dt.time(8, 29), tzinfo=KYIV)
    with pytest.raises(ValidationError) as refused:
        services.ensure_lesson_started(lesson, now=before)
    assert refused.value.code == services.LESSON_NOT_STARTED
    assert "08:30" in refused.value.messages[0]
    # 08:30 in Kyiv is 05:30 UTC (winter time): the lesson has begun
    services.ensure_lesson_started(lesson, now=dt.datetime(2026, 11, 16, 6, 30, tzinfo=dt.UTC))
    services.ensure_lesson_started(lesson, now=before + dt.timedelta(minutes=1))


def test_no_mark_and_no_absence_for_a_lesson_of_next_week(community: Community) -> None:
    lesson = _next_week(community)
    before = _state()
    with pytest.raises(ValidationError) as refused:
        services.mark_set(
            actor=community.teacher,
            assignment=lesson.assignment,
            student=community.student,
            lesson=lesson,
            value="10",
        )
    assert refused.value.code == services.LESSON_NOT_STARTED
    for status in (AttendanceStatus.ABSENT, AttendanceStatus.LATE, None):
        with pytest.raises(ValidationError):
            services.attendance_set(
                actor=community.teacher, lesson=lesson, student=community.student, status=status
            )
    with pytest.raises(ValidationError):
        services.attendance_take(
            actor=community.teacher,
            lesson=lesson,
            statuses={community.student.pk: AttendanceStatus.ABSENT},
        )
    assert _state() == before


def test_topic_and_homework_may_be_written_ahead(community: Community) -> None:
    lesson = _next_week(community)
    services.lesson_record(actor=community.teacher, lesson=lesson, topic="Дроби", homework="§5")
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework) == ("Дроби", "§5")


def test_a_wrong_absence_stored_ahead_can_still_be_removed(community: Community) -> None:
    lesson = _next_week(community)
    Attendance.objects.create(
        lesson=lesson,
        student=community.student,
        status=AttendanceStatus.ABSENT,
        recorded_by=community.teacher,
    )
    services.attendance_set(
        actor=community.teacher, lesson=lesson, student=community.student, status=None
    )
    assert not Attendance.objects.filter(lesson=lesson, status=AttendanceStatus.ABSENT).exists()


def test_a_mark_for_a_lesson_not_started_is_refused_alike_everywhere(
    client: Client, community: Community
) -> None:
    lesson = _next_week(community)
    expected = _refusal(lesson)
    client.force_login(community.teacher)
    api = api_as(community.teacher)  # making its token is audited: before the state
    before = _state()

    for value in ("9", "н"):
        response = client.post(
            reverse("journal:grid_cell", args=[lesson.assignment_id]),
            {"student": community.student.pk, "lesson": lesson.pk, "value": value},
        )
        body = response.json()
        assert body["ok"] is False and body["message"] == expected, value

    page = client.post(
        url(lesson, "marks/"),
        {"student": community.student.pk, "value": "9", "kind": "current"},
        follow=True,
    )
    assert expected in page.content.decode()
    page = client.post(
        url(lesson, "attendance/"), {f"status_{community.student.pk}": "absent"}, follow=True
    )
    assert expected in page.content.decode()

    for method, address, body in [
        (
            "post",
            f"/api/v1/lessons/{lesson.pk}/marks",
            {"student": community.student.pk, "value": "9"},
        ),
        (
            "put",
            f"/api/v1/lessons/{lesson.pk}/attendance",
            {"statuses": {str(community.student.pk): "absent"}},
        ),
    ]:
        answer = api.send(method, address, body)
        assert answer.status_code == 400, address
        assert answer.json()["message"] == expected, address

    assert _state() == before
