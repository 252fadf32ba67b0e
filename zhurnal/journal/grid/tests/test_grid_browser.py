"""Keyboard entry in the journal grid with a real browser (chromium via Playwright)."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.cast import Community
from zhurnal.journal.grid.tests.builders import (  # school_day: the same fixed Monday
    LAST_WEEK,
    TODAY,
    add_mark,
    make_lesson,
    uk,
)
from zhurnal.journal.models import Attendance, AttendanceStatus, Correction, Mark

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("ZHURNAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def grading_scales(transactional_db: None) -> None:
    """The flush after a transactional test also empties what data migrations created."""
    migration = importlib.import_module("zhurnal.journal.migrations.0002_standard_grading_scales")
    migration.create_scales(django_apps, None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test command, which installs it")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def teacher_page(browser: Browser, live_server, community: Community) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    yield from _page_of(browser, live_server, community, width=1280, height=900)


@pytest.fixture
def phone_page(browser: Browser, live_server, community: Community) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    yield from _page_of(browser, live_server, community, width=360, height=780)


def _page_of(  # type: ignore[no-untyped-def]
    browser: Browser, live_server, community: Community, *, width: int, height: int
) -> Iterator[Page]:
    client = Client()
    client.force_login(community.teacher)
    context = browser.new_context(locale="uk-UA", viewport={"width": width, "height": height})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def cell(page: Page, name: str, day: dt.date):  # type: ignore[no-untyped-def]
    return page.get_by_label(f"{name}, {day:%d.%m}, Математика", exact=True)


def test_teacher_types_marks_absences_and_corrections_with_the_keyboard(
    live_server, teacher_page: Page, community: Community
) -> None:  # type: ignore[no-untyped-def]
    page = teacher_page
    today = make_lesson(community, TODAY, period=1)
    earlier = make_lesson(community, LAST_WEEK, period=2)
    add_mark(community, earlier, community.student, "7")
    page.goto(live_server.url + reverse("journal:grid", args=[community.math_5a.pk]))

    # A mark, Enter: saved in place, and the next student's cell has the focus.
    first = cell(page, "Гнатюк Андрій", TODAY)
    first.click()
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    below = cell(page, "Савчук Олена", TODAY)
    expect(below).to_be_focused()
    expect(first.locator("xpath=..")).to_have_attribute("data-v", "8")
    assert Mark.objects.get(lesson=today).value == "8"

    # 13 is not on the scale: refused in place, typed text kept, Escape restores.
    page.keyboard.type("13")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("«13»")
    expect(below).to_have_attribute("aria-invalid", "true")
    expect(below).to_have_value("13")
    assert not Mark.objects.filter(student=community.other_student).exists()
    page.keyboard.press("Escape")
    expect(below).to_have_value("")
    expect(page.get_by_role("alert")).to_have_count(0)

    # Arrow keys move between cells; Latin n is an absence.
    page.keyboard.press("ArrowLeft")
    left = cell(page, "Савчук Олена", LAST_WEEK)
    expect(left).to_be_focused()
    page.keyboard.type("n")
    page.keyboard.press("Enter")
    expect(left.locator("xpath=..")).to_have_attribute("data-v", "н")
    entry = Attendance.objects.get(lesson=earlier)
    assert (entry.student, entry.status) == (community.other_student, AttendanceStatus.ABSENT)

    # After the lesson day a change asks for the reason inline, then saves.
    page.keyboard.press("ArrowUp")
    changed = cell(page, "Гнатюк Андрій", LAST_WEEK)
    expect(changed).to_be_focused()
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    reason = page.get_by_label(uk("Reason for the change"))
    expect(reason).to_be_focused()
    assert Mark.objects.get(lesson=earlier).value == "7"
    page.keyboard.type("Перевірила ще раз")
    page.keyboard.press("Enter")
    expect(changed.locator("xpath=..")).to_have_attribute("data-v", "9")
    assert Mark.objects.get(lesson=earlier).value == "9"
    assert Correction.objects.get(lesson=earlier).reason == "Перевірила ще раз"


def test_corrected_term_mark_asks_for_the_request_inline(
    live_server, teacher_page: Page, community: Community
) -> None:  # type: ignore[no-untyped-def]
    page = teacher_page
    page.goto(live_server.url + reverse("journal:grid", args=[community.math_5a.pk]))
    corrected = page.get_by_label(
        f"Гнатюк Андрій, {uk('Corrected', 'journal column')}, Математика", exact=True
    )

    corrected.click()
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    requested_on = page.get_by_label(uk("Date of the request"))
    expect(requested_on).to_be_focused()
    requested_on.fill("2026-11-13")
    page.get_by_label(uk("Who asked")).fill("Гнатюк Петро")
    page.keyboard.press("Enter")

    expect(corrected.locator("xpath=..")).to_have_attribute("data-v", "8")
    mark = Mark.objects.get(kind="corrected")
    assert (mark.value, mark.requested_on, mark.requested_by) == (
        "8",
        dt.date(2026, 11, 13),
        "Гнатюк Петро",
    )


def test_grid_opens_at_todays_column_on_a_phone(
    live_server, phone_page: Page, community: Community
) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    days = [
        day
        for day in (dt.date(2026, 9, 1) + dt.timedelta(days=n) for n in range(100))
        if day.weekday() < 5 and not dt.date(2026, 10, 26) <= day <= dt.date(2026, 11, 1)
    ]
    lessons = {day: make_lesson(community, day) for day in days}
    for day in days[:5]:
        add_mark(community, lessons[day], community.student, "8")
    add_mark(community, lessons[LAST_WEEK], community.student, "11")
    assert days.index(TODAY) > 40  # far to the right of where the grid starts

    page.goto(live_server.url + reverse("journal:grid", args=[community.math_5a.pk]))

    # Today's column is in view, right of the sticky names, and the page itself does not
    # scroll sideways: only the grid does.
    today = page.locator(f'th[data-lesson="{lessons[TODAY].pk}"]')
    expect(today).to_have_id("grid-focus")
    names = page.locator("thead th.name").bounding_box()
    box = today.bounding_box()
    assert names is not None and box is not None
    assert box["x"] >= names["x"] + names["width"] - 1
    assert box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Beside the term cell: the running average and, once thematic marks exist under the
    # school's method, the proposal.
    term = page.get_by_label(f"Гнатюк Андрій, {community.term1.name}, Математика", exact=True)
    term.focus()
    tip = page.locator(".cell-tip")
    expect(tip).to_contain_text(f"{uk('average of the lesson marks')}: 8,5")
    expect(tip).to_be_visible()
    thematic = page.get_by_label(
        f"Гнатюк Андрій, {uk('Topic %(number)s', 'journal column') % {'number': 1}}, Математика",
        exact=True,
    )
    thematic.focus()
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    expect(thematic.locator("xpath=..")).to_have_attribute("data-v", "10")
    term.focus()
    expect(page.locator(".cell-tip")).to_contain_text(f"{uk('proposed term mark')}: 10")
