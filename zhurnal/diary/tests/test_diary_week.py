from __future__ import annotations

import datetime as dt

from django.test import Client

from tests.cast import Community
from zhurnal.journal.models import Attendance, Mark, StudentRemark
from zhurnal.people.models import Enrollment
from zhurnal.timetable.models import Lesson, Period


def _lesson(community: Community, day: dt.date, number: int = 1) -> Lesson:
    return Lesson.objects.create(
        assignment=community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        topic="Натуральні числа",
        homework="§ 1, № 5",
    )


def test_student_sees_own_week_with_marks(client: Client, community: Community) -> None:
    lesson = _lesson(community, dt.date(2026, 11, 16))
    Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=community.student,
        kind="current",
        value="10",
        created_by=community.teacher,
    )
    Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=community.other_student,
        kind="current",
        value="4",
        created_by=community.teacher,
    )
    client.force_login(community.student_user)
    body = client.get("/diary/?week=2026-11-18").content.decode()
    assert "Натуральні числа" in body
    assert "<strong>10</strong>" in body
    assert "<strong>4</strong>" not in body  # another child's mark


def test_guardian_cannot_open_other_childs_diary(client: Client, community: Community) -> None:
    client.force_login(community.guardian)
    assert client.get(f"/family/child/{community.student.pk}/").status_code == 200
    assert client.get(f"/family/child/{community.other_student.pk}/").status_code == 404
    assert client.get("/family/child/999999/").status_code == 404


def test_teacher_and_outsider_have_no_family_diary(client: Client, community: Community) -> None:
    for user in (community.teacher, community.outsider):
        client.force_login(user)
        assert client.get(f"/family/child/{community.student.pk}/").status_code == 404
        assert client.get("/diary/").status_code == 404


def test_lessons_after_the_student_left_are_not_shown(client: Client, community: Community) -> None:
    Enrollment.objects.filter(student=community.student).update(ends_on=dt.date(2026, 11, 17))
    _lesson(community, dt.date(2026, 11, 16))
    later = _lesson(community, dt.date(2026, 11, 18))
    later.topic = "Після вибуття"
    later.save()
    client.force_login(community.student_user)
    body = client.get("/diary/?week=2026-11-16").content.decode()
    assert "Натуральні числа" in body
    assert "Після вибуття" not in body


def test_diary_week_query_count_does_not_grow_with_lessons(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    monday = dt.date(2026, 11, 16)
    for offset in range(5):
        for number in (1, 2, 3):
            lesson = _lesson(community, monday + dt.timedelta(days=offset), number)
            Attendance.objects.create(
                lesson=lesson,
                student=community.student,
                status="late",
                recorded_by=community.teacher,
            )
    client.force_login(community.student_user)
    # The student's home shows what is new and tomorrow's homework above the week (issue 12).
    with django_assert_max_num_queries(30):
        response = client.get("/diary/?week=2026-11-16")
    assert response.status_code == 200


def test_guardian_sees_own_childs_remark_and_not_another_childs(
    client: Client, community: Community
) -> None:
    lesson = _lesson(community, dt.date(2026, 11, 16))
    for student, kind, text in (
        (community.student, "praise", "Чудова відповідь біля дошки"),
        (community.other_student, "remark", "Запізнився без причини"),
    ):
        StudentRemark.objects.create(
            lesson=lesson, student=student, kind=kind, text=text, author=community.teacher
        )
    client.force_login(community.guardian)
    body = client.get(f"/family/child/{community.student.pk}/?week=2026-11-16").content.decode()
    assert "Чудова відповідь біля дошки" in body
    assert "Запізнився без причини" not in body
