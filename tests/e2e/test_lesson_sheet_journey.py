"""Issue 12, item 1, in a real browser at 360 × 780: a teacher takes the attendance and
enters marks for every student of a lesson of 30 and saves once, in place; 13 typed for one
student is refused beside that field and every other entry stays as typed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.helpers import enrol_students, uk
from zhurnal.journal.models import Attendance, Mark
from zhurnal.people.models import Student
from zhurnal.timetable.models import Lesson, Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Wednesday 18 November 2026, 10:00 in Kyiv: the first lesson of the day has begun.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))


def _wider_than_the_screen(page: Page) -> list[str]:
    """The elements that reach past the right edge of the screen (none at 360 px)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("body *")]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .filter((e) => e.getClientRects().length)
              .slice(0, 8)
              .map((e) => `${e.tagName}#${e.id}.${e.className}`)"""
        )
    )


def test_teacher_saves_a_lesson_of_30_once_and_13_is_refused_in_place(
    live_server, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    page = phone
    community = build_community()
    enrol_students(community, 28)
    lesson = Lesson.objects.create(
        assignment=community.math_5a,
        date=NOW.date(),
        period=Period.objects.get(year=community.year, number=1),
    )
    students = list(Student.objects.filter(enrollments__class_group=community.class_5a))
    assert len(students) == 30

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Ім’я користувача або e-mail").fill("teacher")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url(f"{live_server.url}/teacher/")
    page.goto(f"{live_server.url}/lesson/{lesson.pk}/")

    # readable at 360 px: nothing scrolls sideways
    assert not _wider_than_the_screen(page)

    page.locator("#topic").fill("Десяткові дроби")
    absent, wrong = students[0], students[1]
    expected: dict[int, str] = {}
    page.locator(f"#status_{absent.pk}_1").check()  # one tap: absent
    page.locator(f"#status_{students[2].pk}_0").focus()
    page.keyboard.press("l")  # one key: late (з on a Ukrainian layout)
    page.locator(f"#late_{students[2].pk}").fill("5")
    for index, student in enumerate(students[1:], 1):
        value = "13" if student == wrong else str(1 + index % 12)
        page.locator(f"#value_{student.pk}").fill(value)
        if student != wrong:
            expected[student.pk] = value
    page.locator(f"#comment_{students[3].pk}").fill("біля дошки")

    page.get_by_role("button", name=uk("Save the lesson")).click()
    error = page.locator(f"#value_{wrong.pk}_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("13")
    expect(page.locator(f"#value_{wrong.pk}")).to_be_focused()
    # everything else is kept as typed; nothing is stored yet (all or nothing)
    for pk, value in expected.items():
        expect(page.locator(f"#value_{pk}")).to_have_value(value)
    expect(page.locator(f"#status_{absent.pk}_1")).to_be_checked()
    expect(page.locator(f"#late_{students[2].pk}")).to_have_value("5")
    expect(page.locator("#topic")).to_have_value("Десяткові дроби")
    assert not Mark.objects.exists() and not Attendance.objects.exists()

    # the error sits beside the field, in view, not at the top of a new page
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] <= 780

    page.locator(f"#value_{wrong.pk}").fill("12")
    expected[wrong.pk] = "12"
    page.get_by_role("button", name=uk("Save the lesson")).click()
    expect(page.locator("#sheet-status")).to_contain_text(uk("The lesson is saved."))
    assert page.url == f"{live_server.url}/lesson/{lesson.pk}/"
    stored = dict(Mark.objects.filter(lesson=lesson).values_list("student_id", "value"))
    assert stored == expected
    assert dict(Attendance.objects.values_list("student_id", "status")) == {
        absent.pk: "absent",
        students[2].pk: "late",
    }
    lesson.refresh_from_db()
    assert lesson.topic == "Десяткові дроби" and lesson.attendance_taken_at is not None
    assert not _wider_than_the_screen(page)
