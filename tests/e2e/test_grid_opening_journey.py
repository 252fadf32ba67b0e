"""Issue 12, item 2, in a real browser at 360 × 780: the grid of a class with a whole term
of lessons behind it opens with today's column in view beside the sticky names, and every
date header is one tab stop."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from tests.cast import PASSWORD, build_community
from zhurnal.timetable.models import Lesson, Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Wednesday 18 November 2026, 10:00 in Kyiv: the first lesson of the day has begun.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
WIDTH, HEIGHT = 360, 780


def test_the_grid_opens_at_todays_column_on_a_phone(
    live_server, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    community = build_community()
    first = Period.objects.get(year=community.year, number=1)
    day, lessons = dt.date(2026, 9, 1), []
    while day <= NOW.date() + dt.timedelta(days=7):
        if day.isoweekday() <= 5:
            lessons.append(Lesson(assignment=community.math_5a, date=day, period=first))
        day += dt.timedelta(days=1)
    Lesson.objects.bulk_create(lessons)
    assert len(lessons) > 55  # a whole term behind: 2 September would be far to the left
    page = phone

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "teacher")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/teacher/")
    page.goto(f"{live_server.url}/journal/{community.math_5a.pk}/")

    focus = page.locator("#grid-focus")
    assert NOW.strftime("%d.%m") in focus.inner_text()
    box = focus.bounding_box()
    names = page.locator("table.jgrid thead th").first.bounding_box()
    assert box is not None and names is not None
    # today's column is on the screen, right of the sticky names, not 49 arrow presses away
    assert names["x"] + names["width"] - 1 <= box["x"] and box["x"] + box["width"] <= WIDTH
    assert 0 <= box["y"] <= HEIGHT
    # the page itself does not scroll sideways: only the grid does
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # one tab stop per date header
    stops = page.evaluate(
        """() => [...document.querySelectorAll("table.jgrid thead th")].map((th) =>
             th.querySelectorAll("a[href], button, input, select, [tabindex='0']").length)"""
    )
    assert max(stops) <= 1
