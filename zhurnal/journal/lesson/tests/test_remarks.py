"""Remarks and praise about a student: written by the lesson's teacher on the lesson page,
refused to everyone else, removed with a reason after the lesson's day, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.journal.models import StudentRemark
from zhurnal.journal.services import remark_add, remark_delete
from zhurnal.timetable.models import Lesson, Period

PAST = dt.date(2026, 11, 16)  # a Monday of the I semester, before today


def lesson_on(community: Community, day: dt.date | None = None) -> Lesson:
    return Lesson.objects.create(
        assignment=community.math_5a,
        date=day or local_today(),
        period=Period.objects.get(year=community.year, number=1),
    )


def add_url(lesson: Lesson, student_id: int) -> str:
    return f"/lesson/{lesson.pk}/students/{student_id}/remarks/"


def delete_url(remark: StudentRemark) -> str:
    return f"/lesson/{remark.lesson_id}/remarks/{remark.pk}/delete/"


def write(community: Community, lesson: Lesson, text: str = "Відволікав сусідів") -> StudentRemark:
    return remark_add(
        actor=community.teacher, lesson=lesson, student=community.student, text=text, kind="remark"
    )


def test_teacher_adds_a_remark_on_the_lesson_page(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        add_url(lesson, community.student.pk), {"kind": "praise", "text": "  Чудова відповідь "}
    )
    assert response.status_code == 302
    remark = StudentRemark.objects.get()
    assert (remark.student, remark.kind, remark.text, remark.author) == (
        community.student,
        "praise",
        "Чудова відповідь",
        community.teacher,
    )
    event = AuditEvent.objects.get(action="remark.create")
    assert event.after is not None and event.after["text"] == "Чудова відповідь"
    page = client.get(f"/lesson/{lesson.pk}/").content.decode()
    assert "Чудова відповідь" in page and 'for="remark_' in page


@pytest.mark.parametrize("who", ["other_teacher", "guardian", "outsider"])
def test_others_cannot_add_a_remark(client: Client, community: Community, who: str) -> None:
    lesson = lesson_on(community)
    client.force_login(getattr(community, who))
    response = client.post(add_url(lesson, community.student.pk), {"kind": "remark", "text": "x"})
    assert response.status_code == 404
    assert not StudentRemark.objects.exists()
    assert not AuditEvent.objects.filter(action="remark.create").exists()


@pytest.mark.parametrize("who", ["other_teacher", "guardian", "outsider"])
def test_others_cannot_delete_a_remark(client: Client, community: Community, who: str) -> None:
    remark = write(community, lesson_on(community))
    client.force_login(getattr(community, who))
    assert client.post(delete_url(remark)).status_code == 404
    assert StudentRemark.objects.filter(pk=remark.pk).exists()


def test_class_teacher_reads_remarks_without_forms(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    write(community, lesson)
    client.force_login(community.class_teacher)
    body = client.get(f"/lesson/{lesson.pk}/").content.decode()
    assert "Відволікав сусідів" in body
    assert "/remarks/" not in body


def test_student_of_another_class_is_not_found(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    client.force_login(community.teacher)
    response = client.post(
        add_url(lesson, community.student_5b.pk), {"kind": "remark", "text": "x"}
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        remark_add(
            actor=community.teacher,
            lesson=lesson,
            student=community.student_5b,
            text="x",
            kind="remark",
        )
    assert not StudentRemark.objects.exists()


@pytest.mark.parametrize(("text", "kind"), [("   ", "remark"), ("x" * 501, "remark"), ("x", "bad")])
def test_empty_long_or_unknown_remark_is_refused(
    community: Community, text: str, kind: str
) -> None:
    with pytest.raises(ValidationError):
        remark_add(
            actor=community.teacher,
            lesson=lesson_on(community),
            student=community.student,
            text=text,
            kind=kind,
        )
    assert not StudentRemark.objects.exists()


def test_other_teacher_is_refused_by_the_service(community: Community) -> None:
    with pytest.raises(PermissionDenied):
        remark_add(
            actor=community.other_teacher,
            lesson=lesson_on(community),
            student=community.student,
            text="x",
            kind="remark",
        )


def test_lesson_not_held_is_refused(community: Community) -> None:
    lesson = lesson_on(community)
    lesson.is_cancelled = True
    lesson.save()
    with pytest.raises(ValidationError):
        write(community, lesson)


def test_delete_on_the_lesson_day_needs_no_reason(client: Client, community: Community) -> None:
    remark = write(community, lesson_on(community))
    client.force_login(community.teacher)
    assert client.post(delete_url(remark)).status_code == 302
    assert not StudentRemark.objects.exists()
    assert AuditEvent.objects.filter(action="remark.delete").exists()


def test_delete_after_the_lesson_day_needs_a_reason(client: Client, community: Community) -> None:
    remark = write(community, lesson_on(community, PAST))
    client.force_login(community.teacher)
    response = client.post(delete_url(remark), {"reason": ""})
    assert response.status_code == 200
    assert StudentRemark.objects.filter(pk=remark.pk).exists()
    with pytest.raises(ValidationError):
        remark_delete(actor=community.teacher, remark=remark)

    assert client.post(delete_url(remark), {"reason": "Помилка учня"}).status_code == 302
    assert not StudentRemark.objects.exists()
    event = AuditEvent.objects.get(action="remark.delete")
    assert event.reason == "Помилка учня"
    assert event.before is not None and event.before["text"] == "Відволікав сусідів"


def test_closed_year_is_refused(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    remark = write(community, lesson)
    community.year.closed_at = timezone.now()
    community.year.save()
    with pytest.raises(ValidationError):
        write(community, lesson)
    with pytest.raises(ValidationError):
        remark_delete(actor=community.teacher, remark=remark, reason="x")
    client.force_login(community.teacher)
    response = client.post(add_url(lesson, community.student.pk), {"kind": "remark", "text": "y"})
    assert response.status_code == 302
    assert list(StudentRemark.objects.all()) == [remark]
