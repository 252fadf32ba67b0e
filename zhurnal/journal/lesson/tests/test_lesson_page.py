"""The lesson page: who may open and write it, topic and homework, homework files, a closed
year, and its query count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.lesson.tests.builders import PAST, lesson_on, url
from zhurnal.journal.models import Attendance, AttendanceStatus, HomeworkFile, Mark
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.schools.services import ensure_year_open
from zhurnal.timetable.models import Lesson, LessonPlace

RECORD = {"topic": "Звичайні дроби", "homework": "№ 245, 247", "place": "classroom"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _state(lesson: Lesson) -> tuple[object, ...]:
    lesson.refresh_from_db()
    return (
        lesson.topic,
        lesson.homework,
        lesson.place,
        lesson.attendance_taken_at,
        Mark.objects.count(),
        HomeworkFile.objects.count(),
        AuditEvent.objects.count(),
    )


# --- access -----------------------------------------------------------------------------


def test_teacher_opens_own_lesson_with_forms(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.get(url(lesson))
    assert response.status_code == 200
    assert response.context["writable"] is True
    body = response.content.decode()
    # the whole lesson is one sheet with one save (topic and homework at its top)
    assert f'action="/lesson/{lesson.pk}/sheet/"' in body
    assert 'name="topic"' in body and 'name="homework"' in body
    assert community.student.full_name in body and community.other_student.full_name in body


@pytest.mark.parametrize("who", ["class_teacher", "deputy", "director", "school_admin"])
def test_school_readers_see_the_lesson_read_only(
    client: Client, community: Community, who: str
) -> None:
    lesson = lesson_on(community, topic="Дроби")
    Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=community.student,
        kind="oral",
        value="11",
        comment="чудова відповідь",
        created_by=community.teacher,
    )
    client.force_login(getattr(community, who))
    response = client.get(url(lesson))
    assert response.status_code == 200
    assert response.context["writable"] is False
    body = response.content.decode()
    assert "Дроби" in body and "чудова відповідь" in body
    assert '<form method="post" action="/lesson/' not in body


@pytest.mark.parametrize("who", ["class_teacher", "deputy", "director", "school_admin"])
def test_school_readers_cannot_write(client: Client, community: Community, who: str) -> None:
    lesson = lesson_on(community)
    before = _state(lesson)
    client.force_login(getattr(community, who))
    for tail, data in (
        ("record/", RECORD),
        ("attendance/all-present/", {}),
        ("marks/", {"student": community.student.pk, "value": "10", "kind": "current"}),
    ):
        assert client.post(url(lesson, tail), data).status_code == 404
    assert _state(lesson) == before


@pytest.mark.parametrize(
    "who", ["other_teacher", "guardian", "other_guardian", "outsider", "other_school_admin"]
)
def test_others_get_404_and_change_nothing(client: Client, community: Community, who: str) -> None:
    lesson = lesson_on(community)
    before = _state(lesson)
    client.force_login(getattr(community, who))
    assert client.get(url(lesson)).status_code == 404
    assert client.post(url(lesson, "record/"), RECORD).status_code == 404
    assert client.post(url(lesson, "attendance/all-present/")).status_code == 404
    assert _state(lesson) == before


def test_anonymous_is_sent_to_login(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    response = client.get(url(lesson))
    assert response.status_code == 302 and "login" in response["Location"]


def test_missing_lesson_is_404(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    assert client.get("/lesson/999999/").status_code == 404


def test_substitute_writes_this_lesson_but_not_another_of_the_assignment(
    client: Client, community: Community
) -> None:
    substituted = lesson_on(community, number=1, substitute=community.other_teacher)
    other = lesson_on(community, number=2)
    client.force_login(community.other_teacher)
    assert client.get(url(substituted)).context["writable"] is True
    response = client.post(url(substituted, "record/"), RECORD)
    assert response.status_code == 302
    substituted.refresh_from_db()
    assert substituted.topic == "Звичайні дроби"

    before = _state(other)
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other, "record/"), RECORD).status_code == 404
    assert _state(other) == before


# --- topic, homework, place -------------------------------------------------------------


def test_teacher_records_topic_homework_and_shelter(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "record/"),
        {**RECORD, "place": LessonPlace.SHELTER, "place_changed_at": "09:05"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/lesson/{lesson.pk}/#record"
    lesson.refresh_from_db()
    assert lesson.topic == "Звичайні дроби"
    assert lesson.homework == "№ 245, 247"
    assert lesson.place == LessonPlace.SHELTER
    assert lesson.place_changed_at == dt.time(9, 5)
    assert lesson.topic_recorded_at is not None
    assert AuditEvent.objects.filter(action="lesson.record", actor=community.teacher).count() == 1
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_moving_the_lesson_needs_the_time_and_keeps_what_was_typed(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    audit = AuditEvent.objects.count()
    response = client.post(url(lesson, "record/"), {**RECORD, "place": LessonPlace.ONLINE})
    assert response.status_code == 200
    form = response.context["record_form"]
    assert "place_changed_at" in form.errors
    body = response.content.decode()
    assert "Звичайні дроби" in body and "№ 245, 247" in body
    lesson.refresh_from_db()
    assert lesson.topic == "" and lesson.place == LessonPlace.CLASSROOM
    assert AuditEvent.objects.count() == audit


# --- homework files ---------------------------------------------------------------------


def test_teacher_attaches_downloads_and_removes_a_file(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    upload = SimpleUploadedFile("задача.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(url(lesson, "files/"), {"file": upload})
    assert response.status_code == 302
    attachment = HomeworkFile.objects.get(lesson=lesson)
    assert attachment.original_name == "задача.pdf"
    assert AuditEvent.objects.filter(action="homework_file.add").count() == 1

    client.force_login(community.class_teacher)  # a reader downloads it
    download = client.get(url(lesson, f"files/{attachment.pk}/"))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    assert client.post(url(lesson, f"files/{attachment.pk}/delete/")).status_code == 404
    assert HomeworkFile.objects.filter(pk=attachment.pk).exists()

    client.force_login(community.teacher)
    response = client.post(url(lesson, f"files/{attachment.pk}/delete/"))
    assert response.status_code == 302
    assert not HomeworkFile.objects.exists()
    assert AuditEvent.objects.filter(action="homework_file.delete").count() == 1


def test_outsider_cannot_download_a_homework_file(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    attachment = HomeworkFile(
        lesson=lesson, original_name="a.txt", size=1, uploaded_by=community.teacher
    )
    attachment.file.save("a.txt", SimpleUploadedFile("a.txt", b"x"), save=True)
    for who in (community.outsider, community.other_teacher, community.guardian):
        client.force_login(who)
        assert client.get(url(lesson, f"files/{attachment.pk}/")).status_code == 404


def test_file_of_another_type_is_refused(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url(lesson, "files/"), {"file": upload})
    assert response.status_code == 200
    assert "file" in response.context["file_form"].errors
    assert not HomeworkFile.objects.exists()
    assert not AuditEvent.objects.filter(action="homework_file.add").exists()


def test_file_too_large_is_refused(client: Client, community: Community, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_HOMEWORK_MAX_BYTES = 1024
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    upload = SimpleUploadedFile("big.pdf", b"x" * 2048, content_type="application/pdf")
    response = client.post(url(lesson, "files/"), {"file": upload})
    assert response.status_code == 200
    assert "file" in response.context["file_form"].errors
    assert not HomeworkFile.objects.exists()


def test_upload_form_tells_the_allowed_types_and_size(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    body = client.get(url(lesson)).content.decode()
    assert 'accept=".doc,.docx,' in body
    assert "10 МБ" in body or "10 MB" in body


# --- a closed year, a lesson not held ---------------------------------------------------


def test_closed_year_is_read_only_and_refuses_every_write(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, topic="Дроби")
    mark = Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=community.student,
        kind="current",
        value="9",
        created_by=community.teacher,
    )
    community.year.closed_at = timezone.now()
    community.year.save()
    before = _state(lesson)
    client.force_login(community.teacher)
    page = client.get(url(lesson))
    assert page.status_code == 200 and page.context["writable"] is False
    assert 'action="/lesson/' not in page.content.decode()
    posts = [
        ("record/", RECORD),
        ("attendance/", {f"status_{community.student.pk}": "absent"}),
        ("attendance/all-present/", {}),
        ("marks/", {"student": community.other_student.pk, "value": "10", "kind": "current"}),
        (f"marks/{mark.pk}/", {"value": "11", "kind": "current", "reason": "помилка"}),
        (f"marks/{mark.pk}/delete/", {"reason": "помилка"}),
        ("files/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")}),
    ]
    with translation.override("uk"), pytest.raises(ValidationError) as refusal:
        ensure_year_open(community.year)
    for tail, data in posts:
        response = client.post(url(lesson, tail), data, follow=True)
        assert response.redirect_chain == [(f"/lesson/{lesson.pk}/#top", 302)], tail
        shown = [(m.level_tag, m.message) for m in response.context["messages"]]
        assert shown == [("error", refusal.value.messages[0])], tail
    assert _state(lesson) == before
    mark.refresh_from_db()
    assert mark.value == "9"


def test_lesson_not_held_takes_no_entries(client: Client, community: Community) -> None:
    lesson = lesson_on(community, is_cancelled=True, cancel_reason="тривога")
    before = _state(lesson)
    client.force_login(community.teacher)
    assert client.get(url(lesson)).context["writable"] is False
    response = client.post(url(lesson, "attendance/all-present/"))
    assert response.status_code == 302
    assert _state(lesson) == before


# --- queries ----------------------------------------------------------------------------


def _add_students(community: Community, count: int) -> None:
    for number in range(count):
        student = Student.objects.create(
            municipality=community.municipality,
            surname=f"Учень{number:02d}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=student, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
        )


def _fill(community: Community, lesson: Lesson, teacher: User) -> None:
    for index, student in enumerate(
        Student.objects.filter(enrollments__class_group=community.class_5a)
    ):
        if index % 3 == 0:
            Attendance.objects.create(
                lesson=lesson, student=student, status=AttendanceStatus.ABSENT, recorded_by=teacher
            )
        else:
            Mark.objects.create(
                assignment=community.math_5a,
                lesson=lesson,
                student=student,
                kind="current",
                value="8",
                created_by=teacher,
            )


@pytest.mark.parametrize("who", ["teacher", "deputy"])
def test_lesson_page_query_count_does_not_grow_with_the_class(
    client: Client, community: Community, django_assert_max_num_queries, who: str
) -> None:  # type: ignore[no-untyped-def]
    small = lesson_on(community, PAST, 1)
    _add_students(community, 1)  # 3 students
    _fill(community, small, community.teacher)
    client.force_login(getattr(community, who))
    # 11, and the calendar plan's topic for a lesson without one (plans.planned_topic).
    with django_assert_max_num_queries(12) as small_queries:
        assert client.get(url(small)).status_code == 200

    big = lesson_on(community, PAST, 2)
    _add_students(community, 27)  # 30 students
    _fill(community, big, community.teacher)
    with django_assert_max_num_queries(12) as big_queries:
        assert client.get(url(big)).status_code == 200
    assert len(big_queries.captured_queries) == len(small_queries.captured_queries)
