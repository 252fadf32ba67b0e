"""The journal endpoints: a teacher's own lessons, writes through the journal services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.cast import Community
from zhurnal.api.tests.builders import PAST, api_as, lesson_on
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.journal import services
from zhurnal.journal.models import Attendance, Correction, CorrectionStatus, Mark, TermLock
from zhurnal.timetable.models import Lesson


def test_teacher_lists_own_and_substituted_lessons_of_the_day(community: Community) -> None:
    own = lesson_on(community, PAST, number=1)
    substituted = lesson_on(community, PAST, number=2, assignment=community.ukrainian_5a)
    substituted.substitute = community.teacher
    substituted.save()
    lesson_on(community, PAST + dt.timedelta(days=1))
    response = api_as(community.teacher).get("/api/v1/lessons", date=PAST.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert [(item["id"], item["subject"]) for item in body] == [
        (own.pk, "Математика"),
        (substituted.pk, "Українська мова"),
    ]
    assert body[1]["substitute"] == community.teacher.short_name
    assert (
        api_as(community.other_teacher).get("/api/v1/lessons", date=PAST.isoformat()).json() == []
    )


def test_lesson_detail_for_teacher_and_class_teacher_not_for_others(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        lesson=lesson,
        value="9",
    )
    response = api_as(community.teacher).get(f"/api/v1/lessons/{lesson.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["can_write"] is True
    assert [(s["full_name"], [m["value"] for m in s["marks"]]) for s in body["students"]] == [
        (community.student.full_name, ["9"]),
        (community.other_student.full_name, []),
    ]
    read_only = api_as(community.class_teacher).get(f"/api/v1/lessons/{lesson.pk}")
    assert read_only.status_code == 200 and read_only.json()["can_write"] is False
    for outsider in (community.guardian, community.outsider, community.other_school_admin):
        assert api_as(outsider).get(f"/api/v1/lessons/{lesson.pk}").status_code == 404


def test_teacher_adds_a_mark_201_and_it_is_audited(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    response = api_as(community.teacher).send(
        "post",
        f"/api/v1/lessons/{lesson.pk}/marks",
        {"student": community.student.pk, "value": "11", "kind": "test", "comment": "Добре"},
    )
    assert response.status_code == 201
    mark = Mark.objects.get()
    assert response.json()["id"] == mark.pk
    assert (mark.value, mark.kind, mark.comment, mark.student_id, mark.created_by_id) == (
        "11",
        "test",
        "Добре",
        community.student.pk,
        community.teacher.pk,
    )
    assert AuditEvent.objects.filter(action="mark.create", object_id=str(mark.pk)).exists()


def test_mark_off_the_scale_is_400_with_a_message_in_the_users_language(
    community: Community,
) -> None:
    lesson = lesson_on(community, PAST)
    url = f"/api/v1/lessons/{lesson.pk}/marks"
    body = {"student": community.student.pk, "value": "13"}
    response = api_as(community.teacher).send("post", url, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "«13»" in response.json()["message"]
    community.teacher.language = "en"
    community.teacher.save()
    english = api_as(community.teacher).send("post", url, body)
    assert "is not a mark on the scale" in english.json()["message"]
    assert not Mark.objects.exists()


def test_absent_student_gets_no_mark(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    api = api_as(community.teacher)
    taken = api.send(
        "put",
        f"/api/v1/lessons/{lesson.pk}/attendance",
        {"statuses": {str(community.student.pk): "absent"}},
    )
    assert taken.status_code == 200 and taken.json()["absent"] == [community.student.pk]
    response = api.send(
        "post",
        f"/api/v1/lessons/{lesson.pk}/marks",
        {"student": community.student.pk, "value": "9"},
    )
    assert response.status_code == 400 and "«н»" in response.json()["message"]
    assert not Mark.objects.exists()


def test_other_teachers_lesson_is_404_and_nothing_is_written(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    mark = services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        lesson=lesson,
        value="9",
    ).mark
    assert mark is not None
    api = api_as(community.other_teacher)
    calls = [
        (
            "post",
            f"/api/v1/lessons/{lesson.pk}/marks",
            {"student": community.student.pk, "value": "5"},
        ),
        ("put", f"/api/v1/lessons/{lesson.pk}/record", {"topic": "Чуже"}),
        ("put", f"/api/v1/lessons/{lesson.pk}/attendance", {"statuses": {}}),
        ("patch", f"/api/v1/marks/{mark.pk}", {"value": "5", "reason": "x"}),
        ("delete", f"/api/v1/marks/{mark.pk}?reason=x", None),
    ]
    for method, url, body in calls:
        response = api.send(method, url, body)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    lesson.refresh_from_db()
    assert lesson.topic == "" and lesson.attendance_taken_at is None
    assert list(Mark.objects.values_list("value", flat=True)) == ["9"]


def test_student_of_another_class_is_refused_without_naming_them(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    response = api_as(community.teacher).send(
        "post",
        f"/api/v1/lessons/{lesson.pk}/marks",
        {"student": community.student_5b.pk, "value": "9"},
    )
    assert response.status_code == 400
    assert community.student_5b.surname not in response.json()["message"]


def test_closed_year_refuses_writes_with_400(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    community.year.closed_at = timezone.now()
    community.year.save()
    api = api_as(community.teacher)
    for method, url, body in [
        (
            "post",
            f"/api/v1/lessons/{lesson.pk}/marks",
            {"student": community.student.pk, "value": "9"},
        ),
        ("put", f"/api/v1/lessons/{lesson.pk}/record", {"topic": "Дроби"}),
        ("put", f"/api/v1/lessons/{lesson.pk}/attendance", {"statuses": {}}),
    ]:
        response = api.send(method, url, body)
        assert response.status_code == 400, url
        assert "2026/2027" in response.json()["message"]
    assert not Mark.objects.exists()
    assert Lesson.objects.get(pk=lesson.pk).attendance_taken_at is None


def test_record_and_attendance_are_written_and_audited(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    api = api_as(community.teacher)
    response = api.send(
        "put",
        f"/api/v1/lessons/{lesson.pk}/record",
        {"topic": "Дроби", "homework": "№ 5", "place": "shelter", "place_changed_at": "08:50"},
    )
    assert response.status_code == 200 and response.json()["place"] == "shelter"
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework, lesson.place) == ("Дроби", "№ 5", "shelter")
    assert lesson.place_changed_at == dt.time(8, 50)
    response = api.send(
        "put",
        f"/api/v1/lessons/{lesson.pk}/attendance",
        {"statuses": {str(community.other_student.pk): "late"}},
    )
    assert response.status_code == 200 and response.json()["late"] == [community.other_student.pk]
    assert Attendance.objects.get().status == "late"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"lesson.record", "attendance.create", "lesson.attendance_taken"} <= actions
    # a change after the lesson day needs a reason
    again = api.send("put", f"/api/v1/lessons/{lesson.pk}/attendance", {"statuses": {}})
    assert again.status_code == 400
    assert Attendance.objects.exists()


def test_change_and_delete_after_the_lesson_day_need_a_reason(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    mark = services.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        lesson=lesson,
        value="9",
    ).mark
    assert mark is not None
    api = api_as(community.teacher)
    assert api.send("patch", f"/api/v1/marks/{mark.pk}", {"value": "10"}).status_code == 400
    changed = api.send("patch", f"/api/v1/marks/{mark.pk}", {"value": "10", "reason": "Помилка"})
    assert changed.status_code == 200 and changed.json()["value"] == "10"
    mark.refresh_from_db()
    assert mark.value == "10"
    assert Correction.objects.filter(mark=mark, reason="Помилка").exists()
    assert AuditEvent.objects.filter(action="mark.update", reason="Помилка").exists()
    assert api.send("delete", f"/api/v1/marks/{mark.pk}").status_code == 400
    deleted = api.send("delete", f"/api/v1/marks/{mark.pk}?reason=Помилка")
    assert deleted.status_code == 204
    assert not Mark.objects.exists()
    assert AuditEvent.objects.filter(action="mark.delete", object_id=str(mark.pk)).exists()


def test_same_day_mark_change_needs_no_reason(community: Community) -> None:
    lesson = lesson_on(community, local_today())
    api = api_as(community.teacher)
    created = api.send(
        "post",
        f"/api/v1/lessons/{lesson.pk}/marks",
        {"student": community.student.pk, "value": "8"},
    )
    assert created.status_code == 201
    changed = api.send("patch", f"/api/v1/marks/{created.json()['id']}", {"comment": "Усно"})
    assert changed.status_code == 200
    assert Mark.objects.get().comment == "Усно"


def test_locked_term_answers_202_with_a_pending_correction(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    TermLock.objects.create(
        term=community.term1, class_group=community.class_5a, locked_by=community.deputy
    )
    response = api_as(community.teacher).send(
        "post",
        f"/api/v1/lessons/{lesson.pk}/marks",
        {"student": community.student.pk, "value": "9"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["pending"] is True and body["message"]
    correction = Correction.objects.get(pk=body["correction"])
    assert correction.status == CorrectionStatus.PENDING
    assert not Mark.objects.exists()
    assert AuditEvent.objects.filter(action="mark.correction_request").exists()


def test_malformed_body_is_a_structured_422(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    response = api_as(community.teacher).send(
        "post", f"/api/v1/lessons/{lesson.pk}/marks", {"student": "nobody", "kind": "annual"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert {tuple(error["loc"])[-1] for error in body["details"]["errors"]} >= {"student", "kind"}


def test_substitute_writes_the_lesson_they_substitute_only(community: Community) -> None:
    lesson = lesson_on(community, PAST, assignment=community.ukrainian_5a)
    lesson.substitute = community.teacher
    lesson.save()
    other = lesson_on(community, PAST, number=2, assignment=community.ukrainian_5a)
    api = api_as(community.teacher)
    body = {"student": community.student.pk, "value": "8"}
    assert api.send("post", f"/api/v1/lessons/{lesson.pk}/marks", body).status_code == 201
    assert api.send("post", f"/api/v1/lessons/{other.pk}/marks", body).status_code == 404
    assert Mark.objects.get().lesson_id == lesson.pk


def test_me_shows_the_teachers_roles_with_scope(community: Community) -> None:
    response = api_as(community.class_teacher).get("/api/v1/me")
    assert response.status_code == 200
    roles = {(role["role"], role["scope"]) for role in response.json()["roles"]}
    assert ("teacher", "Ліцей № 1") in roles
    assert ("class_teacher", "5-А · Ліцей № 1") in roles
