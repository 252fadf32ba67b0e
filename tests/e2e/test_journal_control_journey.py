"""The school's control of journal keeping in a real browser (issue 5, point 2): the deputy
director finds a lesson without a topic on the fill page, drills down and writes a remark;
the teacher sees it on their day, fills the topic and marks the remark put right; the
school's fill level rises on the deputy's page."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.helpers import uk
from tests.e2e.twofactor import pass_second_factor
from zhurnal.control.fill.selectors import figures
from zhurnal.control.metrics import school_fill
from zhurnal.control.models import JournalRemark, JournalRemarkStatus
from zhurnal.timetable.models import Lesson, Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KYIV = ZoneInfo("Europe/Kyiv")
# Wednesday 18 November 2026, 10:00 in Kyiv: the previous week is 9–15 November.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=KYIV)
MONDAY, TUESDAY, WEDNESDAY = (dt.date(2026, 11, 9 + n) for n in range(3))


def shown(value: float) -> str:
    """A percentage as the page shows it in Ukrainian: «83,3 %»."""
    with translation.override("uk"):
        return f"{floatformat(value, -1)}\xa0%"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Ім’я користувача або e-mail").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    pass_second_factor(page, username)
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    page.get_by_role("button", name=uk("Log out")).click()
    page.wait_for_load_state()


def test_deputy_remarks_a_missing_topic_and_the_teacher_puts_it_right(
    live_server, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    community = build_community()
    period = {n: Period.objects.get(year=community.year, number=n) for n in (1, 2)}

    def recorded(day: dt.date, **fields: object) -> dict[str, object]:
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=KYIV)
        return {
            "homework": "§ 3",
            "homework_recorded_at": moment,
            "attendance_taken_at": moment,
            **({"topic": fields["topic"], "topic_recorded_at": moment} if fields else {}),
        }

    Lesson.objects.create(
        assignment=community.math_5a,
        date=MONDAY,
        period=period[1],
        **recorded(MONDAY, topic="Дроби"),
    )
    untitled = Lesson.objects.create(
        assignment=community.math_5a, date=TUESDAY, period=period[1], **recorded(TUESDAY)
    )
    for day in (MONDAY, WEDNESDAY):
        Lesson.objects.create(
            assignment=community.ukrainian_5a,
            date=day,
            period=period[2],
            **recorded(day, topic="Іменник"),
        )
    before = figures(
        school_fill(
            school=community.school, start=MONDAY, end=MONDAY + dt.timedelta(days=6)
        ).total()
    )
    assert before["topics"] == 75.0
    base = live_server.url
    fill_url = f"{base}/school/{community.school.pk}/control/fill/"

    # The deputy opens the fill page: three topics of four, the teacher's row first.
    log_in(page, base, "deputy")
    page.goto(fill_url)
    expect(page.locator('[data-figure="topics"]')).to_have_text(shown(75.0))
    expect(page.locator('[data-figure="level"]')).to_have_text(shown(before["level"]))
    table = page.get_by_role("table")
    expect(table.get_by_role("row").nth(1)).to_contain_text(community.teacher.short_name)

    # Drill down: the teacher, the class and subject, the lesson without a topic.
    table.get_by_role("link", name=community.teacher.short_name).click()
    page.get_by_role("link", name="5-А · Математика", exact=True).click()
    gaps = page.get_by_role("table")
    expect(gaps.get_by_role("row")).to_have_count(2)
    expect(gaps).to_contain_text(uk("no topic"))
    gaps.get_by_role("link", name=f"{uk('Write a remark')} — 10.11.2026, 1").click()
    page.get_by_label(re.compile(f"^{re.escape(uk('Remark'))}:?$")).fill(
        "Запишіть тему уроку 10.11"
    )
    page.get_by_label(uk("Put right by (optional)")).fill("2026-11-20")
    page.get_by_role("button", name=uk("Send the remark")).click()
    expect(page.get_by_role("status").first).to_contain_text(community.teacher.full_name)
    remark = JournalRemark.objects.get()
    assert (remark.teacher, remark.lesson, remark.due_on) == (
        community.teacher,
        untitled,
        dt.date(2026, 11, 20),
    )
    log_out(page)

    # The teacher sees the remark on their day, opens the lesson and fills the topic.
    log_in(page, base, "teacher")
    page.wait_for_url(f"{base}/teacher/")
    card = page.get_by_role("article")
    expect(card).to_contain_text("Запишіть тему уроку 10.11")
    expect(card).to_contain_text(community.deputy.short_name)
    card.get_by_role("link", name=uk("Open the lesson")).click()
    page.wait_for_url(f"{base}/lesson/{untitled.pk}/")
    page.locator("#topic").fill("Порівняння дробів")
    page.get_by_role("button", name=uk("Save the lesson")).click()
    expect(page.locator("#sheet-status")).to_contain_text(uk("The lesson is saved."))
    expect(page.locator("#topic")).to_have_value("Порівняння дробів")
    untitled.refresh_from_db()
    assert untitled.topic == "Порівняння дробів"

    # Back on the day: put the remark right with a note.
    page.goto(f"{base}/teacher/")
    card = page.get_by_role("article")
    card.get_by_label(uk("Note (optional)")).fill("Тему записано")
    card.get_by_role("button", name=uk("Put right")).click()
    expect(page.get_by_role("article")).to_have_count(0)
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.RESOLVED
    assert remark.resolution_note == "Тему записано"
    log_out(page)

    # The deputy reloads the fill page: every topic is there and the level has risen.
    after = figures(
        school_fill(
            school=community.school, start=MONDAY, end=MONDAY + dt.timedelta(days=6)
        ).total()
    )
    assert after["topics"] == 100.0 and after["level"] > before["level"]
    log_in(page, base, "deputy")
    page.goto(fill_url)
    expect(page.locator('[data-figure="topics"]')).to_have_text(shown(100.0))
    expect(page.locator('[data-figure="level"]')).to_have_text(shown(after["level"]))
