"""One decision point: the grid's cell endpoint, the lesson page and the JSON API refuse the
same change with the same message, because each of them only calls the journal services —
and a refused change leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.cast import Community
from zhurnal.api.tests.builders import api_as
from zhurnal.audit.models import AuditEvent
from zhurnal.journal import services
from zhurnal.journal.lesson.tests.builders import PAST, lesson_on, url
from zhurnal.journal.models import Attendance, AttendanceStatus, Correction, Mark, MarkKind
from zhurnal.schools.services import ensure_year_open
from zhurnal.timetable.models import Lesson


def _mark(community: Community, lesson: Lesson, value: str) -> Mark:
    return Mark.objects.create(
        assignment=lesson.assignment,
        lesson=lesson,
        student=community.student,
        kind=MarkKind.CURRENT,
        value=value,
        created_by=community.teacher,
    )


def _absent(community: Community, lesson: Lesson) -> Attendance:
    return Attendance.objects.create(
        lesson=lesson,
        student=community.student,
        status=AttendanceStatus.ABSENT,
        recorded_by=community.teacher,
    )


def _state() -> list[Any]:
    """Everything a journal write may touch."""
    return [
        sorted(Mark.objects.values_list("pk", "student_id", "value", "comment", "kind")),
        sorted(Attendance.objects.values_list("pk", "student_id", "status", "late_minutes")),
        Correction.objects.count(),
        AuditEvent.objects.count(),
        sorted(Lesson.objects.values_list("pk", "attendance_taken_at")),
    ]


def _grid_cell(client: Client, community: Community, lesson: Lesson, value: str) -> dict[str, Any]:
    response = client.post(
        reverse("journal:grid_cell", args=[lesson.assignment_id]),
        {"student": community.student.pk, "lesson": lesson.pk, "value": value},
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["ok"] is False
    return body


def _bound(response: Any) -> list[Any]:
    context = response.context
    forms = [context["attendance_form"], context["record_form"], context["file_form"]]
    for row in context["rows"]:
        forms += [entry.edit_form for entry in row.marks]
        forms += [entry.delete_form for entry in row.marks]
        forms += [row.add_form] if row.add_form is not None else []
    return [form for form in forms if form.is_bound]


def _lesson_page_refusal(response: Any) -> str:
    assert response.status_code == 200
    errors = [
        str(error) for form in _bound(response) for field in form.errors.values() for error in field
    ]
    assert len(errors) == 1, errors
    return errors[0]


def _uk(refusal: ValidationError) -> str:
    return " ".join(refusal.messages)


def test_a_past_mark_change_without_a_reason_is_refused_alike_everywhere(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    mark = _mark(community, lesson, "7")
    with translation.override("uk"):
        expected = services.change_reason_rule(lesson)
    client.force_login(community.teacher)
    api = api_as(community.teacher)  # making its token is audited: before the state
    before = _state()

    grid = _grid_cell(client, community, lesson, "9")
    assert grid["need_reason"] is True
    assert grid["message"] == expected

    page = client.post(url(lesson, f"marks/{mark.pk}/"), {"value": "9", "kind": "current"})
    assert _lesson_page_refusal(page) == expected

    answer = api.send("patch", f"/api/v1/marks/{mark.pk}", {"value": "9"})
    assert answer.status_code == 400
    assert answer.json()["message"] == expected

    assert _state() == before
    mark.refresh_from_db()
    assert mark.value == "7"


def test_a_past_absence_removed_without_a_reason_is_refused_alike_everywhere(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    _absent(community, lesson)
    lesson.attendance_taken_at = dt.datetime(2026, 11, 16, 8, 35, tzinfo=dt.UTC)
    lesson.save()
    with translation.override("uk"):
        expected = services.change_reason_rule(lesson)
    client.force_login(community.teacher)
    api = api_as(community.teacher)  # making its token is audited: before the state
    before = _state()

    grid = _grid_cell(client, community, lesson, "")
    assert grid["need_reason"] is True
    assert grid["message"] == expected

    page = client.post(url(lesson, "attendance/"), {f"status_{community.student.pk}": ""})
    assert _lesson_page_refusal(page) == expected

    api = api.send("put", f"/api/v1/lessons/{lesson.pk}/attendance", {"statuses": {}})
    assert api.status_code == 400
    assert api.json()["message"] == expected

    assert _state() == before


def test_the_reason_fields_tell_the_services_rule(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    _mark(community, lesson, "7")
    client.force_login(community.teacher)
    with translation.override("uk"):
        rule = services.change_reason_rule(lesson)
    page = client.get(url(lesson))
    entry = page.context["rows"][0].marks[0]
    assert entry.edit_form.fields["reason"].help_text == rule
    assert entry.delete_form.fields["reason"].help_text == rule
    assert page.context["sheet"].fields["reason"].help_text == rule

    today = lesson_on(community, number=2)
    _mark(community, today, "8")
    entry = client.get(url(today)).context["rows"][0].marks[0]
    assert "reason" not in entry.edit_form.fields  # the lesson day: no reason asked


def test_a_closed_year_is_refused_alike_everywhere(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    mark = _mark(community, lesson, "7")
    community.year.closed_at = timezone.now()
    community.year.save()
    with translation.override("uk"), pytest.raises(ValidationError) as closed:
        ensure_year_open(community.year)
    expected = _uk(closed.value)
    client.force_login(community.teacher)
    api = api_as(community.teacher)  # making its token is audited: before the state
    before = _state()

    grid = _grid_cell(client, community, lesson, "9")
    assert grid["message"] == expected and not grid["need_reason"]

    for tail, data in [
        ("marks/", {"student": community.other_student.pk, "value": "9", "kind": "current"}),
        (f"marks/{mark.pk}/", {"value": "9", "kind": "current", "reason": "помилка"}),
        ("attendance/", {f"status_{community.student.pk}": "absent"}),
    ]:
        page = client.post(url(lesson, tail), data, follow=True)
        assert [str(message) for message in page.context["messages"]] == [expected], tail

    for method, address, body in [
        (
            "post",
            f"/api/v1/lessons/{lesson.pk}/marks",
            {"student": community.other_student.pk, "value": "9"},
        ),
        ("patch", f"/api/v1/marks/{mark.pk}", {"value": "9", "reason": "помилка"}),
        ("put", f"/api/v1/lessons/{lesson.pk}/attendance", {"statuses": {}}),
    ]:
        response = api.send(method, address, body)
        assert response.status_code == 400, address
        assert response.json()["message"] == expected, address

    assert _state() == before
