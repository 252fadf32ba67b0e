"""The teacher's journey of issue 3 in a real browser: log in, open today's lesson, mark an
absence, write topic and homework, enter three marks in the grid with the keyboard alone,
reload and see them; 13 on the 12-point scale is refused and nothing stored changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.helpers import uk
from zhurnal.journal.models import Attendance, Mark
from zhurnal.timetable.models import Lesson, Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Wednesday 18 November 2026, 10:00 in Kyiv: a school day of the I semester.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
MONDAY, TUESDAY, TODAY = dt.date(2026, 11, 16), dt.date(2026, 11, 17), NOW.date()


def test_teacher_keeps_the_journal_of_a_lesson_and_the_grid_by_keyboard(
    live_server, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    community = build_community()
    period = {n: Period.objects.get(year=community.year, number=n) for n in (1, 2)}
    for day in (MONDAY, TUESDAY):
        Lesson.objects.create(assignment=community.math_5a, date=day, period=period[2])
    today = Lesson.objects.create(assignment=community.math_5a, date=TODAY, period=period[1])
    andriy, olena = community.student, community.other_student

    # Log in through the form and land on the teacher's day.
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Ім’я користувача або e-mail").fill("teacher")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url(f"{live_server.url}/teacher/")

    # Today's lesson: Олена is absent; topic and homework.
    page.get_by_role("link", name="Математика").first.click()
    page.wait_for_url(f"{live_server.url}/lesson/{today.pk}/")
    page.locator(f"#status_{olena.pk}_1").check()
    page.locator("#topic").fill("Додавання звичайних дробів")
    page.locator("#homework").fill("§ 12, № 301–305")
    page.get_by_role("button", name=uk("Save the lesson")).click()
    expect(page.locator("#sheet-status")).to_contain_text(uk("The lesson is saved."))
    expect(page.locator("#topic")).to_have_value("Додавання звичайних дробів")
    today.refresh_from_db()
    assert today.topic == "Додавання звичайних дробів" and today.homework == "§ 12, № 301–305"
    assert today.attendance_taken_at is not None
    assert list(Attendance.objects.values_list("student_id", "status")) == [(olena.pk, "absent")]

    # The grid: three marks typed with the keyboard alone.
    page.goto(f"{live_server.url}/journal/{community.math_5a.pk}/")

    def cell(name: str, day: dt.date):  # type: ignore[no-untyped-def]
        return page.get_by_label(f"{name}, {day:%d.%m}, Математика", exact=True)

    expect(cell("Савчук Олена", TODAY).locator("xpath=..")).to_have_attribute("data-v", "н")
    cell("Гнатюк Андрій", MONDAY).focus()
    page.keyboard.type("8")
    page.keyboard.press("Enter")  # saves and moves down to Олена
    expect(cell("Савчук Олена", MONDAY)).to_be_focused()
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    # Saving is asynchronous; wait for it as a person waits for the cell to turn.
    expect(cell("Савчук Олена", MONDAY).locator("xpath=..")).to_have_attribute("data-v", "10")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(cell("Гнатюк Андрій", TODAY)).to_be_focused()
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    expect(cell("Гнатюк Андрій", TODAY).locator("xpath=..")).to_have_attribute("data-v", "11")

    # 13 is not on the 12-point scale: an error in place, nothing stored changes.
    expect(cell("Савчук Олена", TODAY)).to_be_focused()  # Enter moved down
    page.keyboard.press("ArrowLeft")
    expect(cell("Савчук Олена", TUESDAY)).to_be_focused()
    page.keyboard.type("13")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("«13»")
    expect(cell("Савчук Олена", TUESDAY)).to_have_attribute("aria-invalid", "true")

    stored = sorted(Mark.objects.values_list("student_id", "lesson__date", "value"))
    assert stored == sorted(
        [(andriy.pk, MONDAY, "8"), (olena.pk, MONDAY, "10"), (andriy.pk, TODAY, "11")]
    )

    # Reload: the marks are there.
    page.reload()
    for name, day, value in (
        ("Гнатюк Андрій", MONDAY, "8"),
        ("Савчук Олена", MONDAY, "10"),
        ("Гнатюк Андрій", TODAY, "11"),
    ):
        expect(cell(name, day)).to_have_value(value)
    expect(cell("Савчук Олена", TUESDAY)).to_have_value("")
