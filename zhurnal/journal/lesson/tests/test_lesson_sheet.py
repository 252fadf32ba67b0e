"""The lesson sheet: the whole lesson — topic, homework, the register, a mark and a remark
per student — in one save, in place; refusals beside their fields with everything else
kept; a fixed number of queries whatever the size of the class."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.audit.services import audit_verify
from zhurnal.journal.lesson.tests.builders import PAST, lesson_on, url
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    Mark,
    StudentRemark,
    TermLock,
)
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.timetable.models import Lesson


def _sheet(lesson: Lesson, students: list[Student], **typed: str) -> dict[str, Any]:
    """What the sheet posts untouched (everyone present, nothing typed), plus `typed`."""
    data: dict[str, Any] = {
        "topic": lesson.topic,
        "homework": lesson.homework,
        "place": "classroom",
    }
    for student in students:
        data[f"status_{student.pk}"] = ""
        data[f"kind_{student.pk}"] = "current"
        data[f"remark_kind_{student.pk}"] = "remark"
    data.update(typed)
    return data


def _class(community: Community) -> list[Student]:
    return [community.student, community.other_student]


def test_teacher_sees_the_sheet_with_one_save(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    client.force_login(community.teacher)
    body = client.get(url(lesson)).content.decode()
    assert f'action="/lesson/{lesson.pk}/sheet/"' in body
    assert body.count('type="submit" class="big"') == 1
    assert f'name="value_{community.student.pk}"' in body
    assert f'name="remark_text_{community.other_student.pk}"' in body
    assert "js/lesson-sheet.js" in body


def test_one_save_records_the_whole_lesson(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    andriy, olena = _class(community)
    client.force_login(community.teacher)
    data = _sheet(
        lesson,
        [andriy, olena],
        topic="Дроби",
        homework="§ 12",
        **{
            f"status_{olena.pk}": "absent",
            f"value_{andriy.pk}": "10",
            f"comment_{andriy.pk}": "біля дошки",
            f"remark_text_{andriy.pk}": "Допоміг сусідові",
            f"remark_kind_{andriy.pk}": "praise",
        },
    )
    response = client.post(url(lesson, "sheet/"), data)
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.homework) == ("Дроби", "§ 12")
    assert lesson.attendance_taken_at is not None
    assert list(Attendance.objects.values_list("student_id", "status")) == [(olena.pk, "absent")]
    mark = Mark.objects.get()
    assert (mark.student, mark.value, mark.comment) == (andriy, "10", "біля дошки")
    assert mark.lesson == lesson
    remark = StudentRemark.objects.get()
    assert (remark.student, remark.kind, remark.text) == (andriy, "praise", "Допоміг сусідові")
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == [
        "attendance.create",
        "lesson.attendance_taken",
        "lesson.record",
        "mark.create",
        "remark.create",
    ]
    assert audit_verify().broken_id is None


def test_save_in_place_answers_with_the_sheet_alone(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    andriy, olena = _class(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "sheet/"),
        _sheet(lesson, [andriy, olena], **{f"value_{olena.pk}": "7"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="sheet-wrap">') and "<html" not in body
    assert 'class="ok saved"' in body
    assert Mark.objects.get().value == "7"


def test_value_off_the_scale_is_refused_beside_it_and_the_rest_is_kept(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    andriy, olena = _class(community)
    client.force_login(community.teacher)
    data = _sheet(
        lesson,
        [andriy, olena],
        topic="Дроби",
        **{
            f"value_{andriy.pk}": "13",
            f"value_{olena.pk}": "9",
            f"comment_{olena.pk}": "усна відповідь",
            f"status_{andriy.pk}": "late",
            f"late_{andriy.pk}": "5",
        },
    )
    response = client.post(url(lesson, "sheet/"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    form = response.context["sheet"]
    assert list(form.errors) == [f"value_{andriy.pk}"]
    body = response.content.decode()
    assert f'id="value_{andriy.pk}_error"' in body
    assert 'value="13"' in body and 'value="9"' in body and 'value="усна відповідь"' in body
    assert 'value="Дроби"' in body
    # nothing stored: all or nothing
    assert not Mark.objects.exists() and not Attendance.objects.exists()
    lesson.refresh_from_db()
    assert lesson.topic == "" and lesson.attendance_taken_at is None
    assert not AuditEvent.objects.exists()


def test_a_mark_for_an_absent_student_is_refused(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    andriy, olena = _class(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "sheet/"),
        _sheet(
            lesson, [andriy, olena], **{f"status_{olena.pk}": "absent", f"value_{olena.pk}": "8"}
        ),
    )
    assert response.status_code == 200
    assert f"value_{olena.pk}" in response.context["sheet"].errors
    assert not Mark.objects.exists() and not Attendance.objects.exists()


def test_changing_a_recorded_absence_after_the_lesson_day_needs_a_reason(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    andriy, olena = _class(community)
    Attendance.objects.create(
        lesson=lesson, student=olena, status=AttendanceStatus.ABSENT, recorded_by=community.teacher
    )
    client.force_login(community.teacher)
    data = _sheet(lesson, [andriy, olena])
    response = client.post(url(lesson, "sheet/"), data)
    assert response.status_code == 200
    assert f"status_{olena.pk}" in response.context["sheet"].errors
    assert Attendance.objects.filter(student=olena).exists()

    response = client.post(url(lesson, "sheet/"), {**data, "reason": "прийшла з довідкою"})
    assert response.status_code == 302
    assert not Attendance.objects.exists()
    correction = Correction.objects.get()
    assert correction.before == {"status": "absent"} and correction.after == {"status": None}
    deleted = AuditEvent.objects.get(action="attendance.delete")
    assert deleted.reason == "прийшла з довідкою"


def test_a_locked_term_sends_the_changes_for_approval(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    andriy, olena = _class(community)
    TermLock.objects.create(
        class_group=community.class_5a, term=community.term1, locked_by=community.deputy
    )
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "sheet/"),
        _sheet(lesson, [andriy, olena], **{f"value_{andriy.pk}": "9"}),
    )
    assert response.status_code == 302
    assert not Mark.objects.exists()
    assert Correction.objects.get().status == "pending"


@pytest.mark.parametrize("who", ["class_teacher", "deputy", "other_teacher", "guardian"])
def test_others_cannot_save_the_sheet(client: Client, community: Community, who: str) -> None:
    lesson = lesson_on(community, PAST)
    client.force_login(getattr(community, who))
    response = client.post(
        url(lesson, "sheet/"),
        _sheet(lesson, _class(community), **{f"value_{community.student.pk}": "9"}),
    )
    assert response.status_code == 404
    assert not Mark.objects.exists() and not AuditEvent.objects.exists()


def test_closed_year_refuses_the_sheet(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    community.year.closed_at = dt.datetime(2027, 6, 30, tzinfo=dt.UTC)
    community.year.save()
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "sheet/"),
        _sheet(lesson, _class(community), **{f"value_{community.student.pk}": "9"}),
    )
    assert response.status_code == 302
    assert not Mark.objects.exists()


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


def _everything(lesson: Lesson, community: Community) -> dict[str, Any]:
    """Every third absent, one late; a mark, a comment and a remark for everyone else."""
    students = list(Student.objects.filter(enrollments__class_group=community.class_5a))
    typed: dict[str, str] = {"topic": "Дроби", "homework": "§ 12"}
    for index, student in enumerate(students):
        if index % 3 == 0:
            typed[f"status_{student.pk}"] = "absent"
            continue
        if index == 1:
            typed[f"status_{student.pk}"] = "late"
            typed[f"late_{student.pk}"] = "7"
        typed[f"value_{student.pk}"] = str(1 + index % 12)
        typed[f"comment_{student.pk}"] = "самостійна"
        typed[f"remark_text_{student.pk}"] = "Працював активно"
    return _sheet(lesson, students, **typed)


def test_saving_the_sheet_issues_the_same_queries_for_3_and_30_students(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.teacher)
    _add_students(community, 1)  # 3 students
    small = lesson_on(community, PAST, 1)
    with django_assert_max_num_queries(30) as small_queries:
        assert client.post(url(small, "sheet/"), _everything(small, community)).status_code == 302

    _add_students(community, 27)  # 30 students
    big = lesson_on(community, PAST, 2)
    with django_assert_max_num_queries(30) as big_queries:
        assert client.post(url(big, "sheet/"), _everything(big, community)).status_code == 302
    assert len(big_queries.captured_queries) == len(small_queries.captured_queries)
    assert Mark.objects.filter(lesson=big).count() == 20
    assert Attendance.objects.filter(lesson=big).count() == 11
    assert audit_verify().broken_id is None


def test_marks_and_absences_for_a_lesson_not_started_are_refused(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, dt.date(2027, 3, 1))  # a Monday of the II semester, ahead
    andriy, olena = _class(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "sheet/"),
        _sheet(
            lesson, [andriy, olena], **{f"status_{olena.pk}": "absent", f"value_{andriy.pk}": "9"}
        ),
    )
    assert response.status_code == 200
    assert response.context["sheet"].non_field_errors()
    assert not Mark.objects.exists() and not Attendance.objects.exists()
    # the topic alone may be written ahead
    response = client.post(url(lesson, "sheet/"), _sheet(lesson, [andriy, olena], topic="Дроби"))
    assert response.status_code == 302
