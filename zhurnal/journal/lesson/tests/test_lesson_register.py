"""The lesson page's register and marks: taking attendance, «all present», marks with their
kinds and comments, changes after the lesson day, and a locked term."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.lesson.tests.builders import PAST, lesson_on, url
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    GradingScale,
    Mark,
    MarkKind,
    ScaleRule,
    TermLock,
)
from zhurnal.timetable.models import Lesson


def _absent(community: Community, lesson: Lesson, student=None) -> Attendance:  # type: ignore[no-untyped-def]
    return Attendance.objects.create(
        lesson=lesson,
        student=student or community.student,
        status=AttendanceStatus.ABSENT,
        recorded_by=community.teacher,
    )


def _mark(community: Community, lesson: Lesson, value: str = "9", student=None) -> Mark:  # type: ignore[no-untyped-def]
    return Mark.objects.create(
        assignment=lesson.assignment,
        lesson=lesson,
        student=student or community.student,
        kind=MarkKind.CURRENT,
        value=value,
        created_by=community.teacher,
    )


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- attendance -------------------------------------------------------------------------


def test_teacher_takes_the_register(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "attendance/"),
        {
            f"status_{community.student.pk}": "absent",
            f"status_{community.other_student.pk}": "late",
            f"late_{community.other_student.pk}": "10",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/lesson/{lesson.pk}/#attendance"
    entries = {a.student_id: a for a in Attendance.objects.filter(lesson=lesson)}
    assert entries[community.student.pk].status == AttendanceStatus.ABSENT
    assert entries[community.other_student.pk].status == AttendanceStatus.LATE
    assert entries[community.other_student.pk].late_minutes == 10
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is not None
    assert sorted(_actions()) == [
        "attendance.create",
        "attendance.create",
        "lesson.attendance_taken",
    ]


def test_all_present_is_an_explicit_empty_register(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    page = client.get(url(lesson)).content.decode()
    assert 'class="bad">' in page.split('id="attendance"')[1].split("</p>")[0]  # not taken yet

    response = client.post(url(lesson, "attendance/all-present/"))
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is not None
    assert not Attendance.objects.filter(lesson=lesson).exists()
    assert _actions() == ["lesson.attendance_taken"]

    tz = ZoneInfo(community.municipality.time_zone)
    taken = lesson.attendance_taken_at.astimezone(tz).strftime("%H:%M")
    state = client.get(url(lesson)).content.decode().split('class="register-state"')[1]
    assert taken in state.split("</p>")[0]


def test_saving_the_register_with_everyone_present_takes_it(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    assert client.post(url(lesson, "attendance/"), {}).status_code == 302
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is not None
    assert not Attendance.objects.exists()


def test_late_minutes_are_ignored_for_a_present_student(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    client.post(
        url(lesson, "attendance/"),
        {f"status_{community.student.pk}": "remote", f"late_{community.student.pk}": "5"},
    )
    entry = Attendance.objects.get(lesson=lesson)
    assert entry.status == AttendanceStatus.REMOTE and entry.late_minutes is None


def test_change_after_the_lesson_day_needs_a_reason(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    _absent(community, lesson)
    lesson.attendance_taken_at = dt.datetime(2026, 11, 16, 8, 35, tzinfo=dt.UTC)
    lesson.save()
    client.force_login(community.teacher)
    assert 'name="reason"' in client.get(url(lesson)).content.decode()

    response = client.post(url(lesson, "attendance/"), {f"status_{community.student.pk}": ""})
    assert response.status_code == 200
    assert response.context["attendance_form"].errors[f"status_{community.student.pk}"]
    assert Attendance.objects.filter(lesson=lesson, status=AttendanceStatus.ABSENT).exists()
    assert not Correction.objects.exists()
    assert not AuditEvent.objects.exists()

    response = client.post(
        url(lesson, "attendance/"),
        {f"status_{community.student.pk}": "", "reason": "прийшов на урок, помилка"},
    )
    assert response.status_code == 302
    assert not Attendance.objects.filter(lesson=lesson).exists()
    correction = Correction.objects.get()
    assert correction.target == "attendance"
    assert correction.reason == "прийшов на урок, помилка"
    assert correction.status == CorrectionStatus.APPLIED
    assert AuditEvent.objects.filter(
        action="attendance.delete", reason="прийшов на урок, помилка"
    ).exists()


def test_a_refused_row_saves_nothing_of_the_register(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    _mark(community, lesson)  # a mark and «н» never share a cell
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "attendance/"),
        {
            f"status_{community.student.pk}": "absent",
            f"status_{community.other_student.pk}": "absent",
        },
    )
    assert response.status_code == 200
    form = response.context["attendance_form"]
    assert form.errors[f"status_{community.student.pk}"]
    assert f"status_{community.other_student.pk}" not in form.errors
    assert not Attendance.objects.exists()
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is None
    assert not AuditEvent.objects.exists()
    # what was typed is still chosen
    assert f'value="absent" id="att_status_{community.other_student.pk}_1" checked' in (
        response.content.decode()
    )


def test_change_in_a_locked_term_waits_for_the_deputy(client: Client, community: Community) -> None:
    lesson = lesson_on(community, PAST)
    _absent(community, lesson)
    TermLock.objects.create(
        term=community.term1, class_group=community.class_5a, locked_by=community.deputy
    )
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "attendance/"),
        {f"status_{community.student.pk}": "", "reason": "довідка"},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert Attendance.objects.filter(lesson=lesson, status=AttendanceStatus.ABSENT).exists()
    correction = Correction.objects.get()
    assert correction.status == CorrectionStatus.PENDING
    page = response.context["page"]
    assert [change.correction for change in page.pending] == [correction]
    assert 'class="pending"' in response.content.decode()


# --- marks ------------------------------------------------------------------------------


def test_teacher_adds_a_mark_with_kind_and_comment(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "marks/"),
        {
            "student": community.other_student.pk,
            "value": "10",
            "kind": MarkKind.TEST,
            "comment": "гарна робота",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/lesson/{lesson.pk}/#student-{community.other_student.pk}"
    mark = Mark.objects.get()
    assert (mark.student, mark.value, mark.kind, mark.comment) == (
        community.other_student,
        "10",
        MarkKind.TEST,
        "гарна робота",
    )
    assert mark.lesson == lesson and mark.created_by == community.teacher
    assert _actions() == ["mark.create"]


def test_mark_off_the_scale_is_refused_keeping_what_was_typed(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "marks/"),
        {"student": community.student.pk, "value": "13", "kind": "current", "comment": "ой"},
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    form = next(row.add_form for row in rows if row.data.student == community.student)
    assert form.errors["value"]
    body = response.content.decode()
    assert f'id="mark_{community.student.pk}_value" aria-invalid="true"' in body or (
        'value="13"' in body
    )
    assert 'value="13"' in body and 'value="ой"' in body
    assert not Mark.objects.exists()


def test_kind_outside_the_lesson_kinds_is_refused(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "marks/"), {"student": community.student.pk, "value": "9", "kind": "term"}
    )
    assert response.status_code == 200
    assert not Mark.objects.exists()


def test_absent_student_cannot_get_a_mark(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    _absent(community, lesson)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "marks/"), {"student": community.student.pk, "value": "9", "kind": "current"}
    )
    assert response.status_code == 200
    form = next(
        row.add_form for row in response.context["rows"] if row.data.student == community.student
    )
    assert form.non_field_errors()
    assert "«н»" in form.non_field_errors()[0]
    assert not Mark.objects.exists()


def test_mark_for_a_student_of_another_class_is_404(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, "marks/"),
        {"student": community.student_5b.pk, "value": "9", "kind": "current"},
    )
    assert response.status_code == 404
    assert not Mark.objects.exists()


def test_substitute_enters_marks_in_the_lesson(client: Client, community: Community) -> None:
    lesson = lesson_on(community, substitute=community.other_teacher)
    client.force_login(community.other_teacher)
    response = client.post(
        url(lesson, "marks/"), {"student": community.student.pk, "value": "7", "kind": "oral"}
    )
    assert response.status_code == 302
    assert Mark.objects.get().created_by == community.other_teacher


def test_teacher_changes_a_mark_on_the_lesson_day(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    mark = _mark(community, lesson, "9")
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, f"marks/{mark.pk}/"), {"value": "10", "kind": "current", "comment": ""}
    )
    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.value == "10"
    assert Correction.objects.get().before["value"] == "9"
    assert _actions() == ["mark.update"]


def test_mark_change_after_the_lesson_day_needs_a_reason(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    mark = _mark(community, lesson, "9")
    client.force_login(community.teacher)
    response = client.post(url(lesson, f"marks/{mark.pk}/"), {"value": "10", "kind": "current"})
    assert response.status_code == 200
    entry = next(e for row in response.context["rows"] for e in row.marks if e.mark.pk == mark.pk)
    assert entry.open and entry.edit_form.non_field_errors()
    mark.refresh_from_db()
    assert mark.value == "9"
    assert not Correction.objects.exists() and not AuditEvent.objects.exists()

    response = client.post(
        url(lesson, f"marks/{mark.pk}/"),
        {"value": "10", "kind": "current", "reason": "помилка при введенні"},
    )
    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.value == "10"
    correction = Correction.objects.get()
    assert correction.reason == "помилка при введенні"
    assert (correction.before["value"], correction.after["value"]) == ("9", "10")
    assert AuditEvent.objects.filter(action="mark.update", reason="помилка при введенні").exists()


def test_mark_removal_after_the_lesson_day_needs_a_reason(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    mark = _mark(community, lesson, "9")
    client.force_login(community.teacher)
    assert client.post(url(lesson, f"marks/{mark.pk}/delete/"), {}).status_code == 200
    assert Mark.objects.filter(pk=mark.pk).exists()

    response = client.post(url(lesson, f"marks/{mark.pk}/delete/"), {"reason": "не той учень"})
    assert response.status_code == 302
    assert not Mark.objects.exists()
    assert Correction.objects.get().reason == "не той учень"
    assert _actions() == ["mark.delete"]


def test_mark_change_in_a_locked_term_is_shown_as_waiting(
    client: Client, community: Community
) -> None:
    lesson = lesson_on(community, PAST)
    mark = _mark(community, lesson, "9")
    TermLock.objects.create(
        term=community.term1, class_group=community.class_5a, locked_by=community.deputy
    )
    client.force_login(community.teacher)
    response = client.post(
        url(lesson, f"marks/{mark.pk}/"),
        {"value": "11", "kind": "current", "reason": "перевірила ще раз"},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    mark.refresh_from_db()
    assert mark.value == "9"
    assert Correction.objects.get().status == CorrectionStatus.PENDING
    row = next(r for r in response.context["rows"] if r.data.student == community.student)
    assert [change.after for change in row.data.pending] == [
        "11 (" + str(MarkKind.CURRENT.label) + ")"
    ]


@pytest.mark.parametrize("who", ["class_teacher", "deputy", "other_teacher", "outsider"])
def test_only_writers_change_or_remove_marks(
    client: Client, community: Community, who: str
) -> None:
    lesson = lesson_on(community)
    mark = _mark(community, lesson, "9")
    client.force_login(getattr(community, who))
    assert (
        client.post(url(lesson, f"marks/{mark.pk}/"), {"value": "2", "kind": "current"}).status_code
        == 404
    )
    assert client.post(url(lesson, f"marks/{mark.pk}/delete/")).status_code == 404
    mark.refresh_from_db()
    assert mark.value == "9"
    assert not AuditEvent.objects.exists()


def test_mark_of_another_lesson_is_404(client: Client, community: Community) -> None:
    lesson = lesson_on(community, number=1)
    other = lesson_on(community, number=2)
    mark = _mark(community, other, "9")
    client.force_login(community.teacher)
    assert client.post(url(lesson, f"marks/{mark.pk}/delete/")).status_code == 404
    assert Mark.objects.filter(pk=mark.pk).exists()


def test_comments_only_scale_offers_only_the_comment(client: Client, community: Community) -> None:
    ScaleRule.objects.create(
        school=community.school,
        grade_from=5,
        grade_to=5,
        scale=GradingScale.objects.get(code="comments"),
    )
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    page = client.get(url(lesson))
    row = page.context["rows"][0].sheet  # the lesson sheet's fields for the student
    assert row["value"] is None and row["comment"] is not None
    response = client.post(
        url(lesson, "marks/"),
        {"student": community.student.pk, "kind": "current", "comment": "Молодець!"},
    )
    assert response.status_code == 302
    mark = Mark.objects.get()
    assert (mark.value, mark.comment) == ("", "Молодець!")
    response = client.post(
        url(lesson, "marks/"), {"student": community.student.pk, "kind": "current", "value": "9"}
    )
    assert response.status_code == 200  # nothing to record: a value is not offered here
    assert Mark.objects.count() == 1
