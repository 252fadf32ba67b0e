"""Issue 12, item 7, in a real browser at 360 × 780: a teacher opens a lesson online (the
service worker keeps it), loses the connection, enters three marks and one absence and
saves (they wait on the device, marked "not sent yet"), reloads the page still offline
(the stored page, the waiting entries shown again), and when the connection returns the
entries reach the database with the time they were made, not the time they arrived."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.helpers import enrol_students, uk
from zhurnal.core.timeutil import local_today
from zhurnal.journal.models import Attendance, Correction, Mark, OfflineEntry
from zhurnal.people.models import Student
from zhurnal.timetable.models import Lesson, Period

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.service_workers,
    pytest.mark.django_db(transaction=True),
]


def _wait_for(check, seconds: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the service worker did not take the page")
        time.sleep(0.2)


def test_teacher_works_offline_and_the_entries_arrive_with_their_times(
    live_server, phone: Page
) -> None:  # type: ignore[no-untyped-def]
    page = phone
    community = build_community()
    enrol_students(community, 2)
    # today's first lesson (the suite's school_day_over counts it as begun)
    lesson = Lesson.objects.create(
        assignment=community.math_5a,
        date=local_today(),
        period=Period.objects.get(year=community.year, number=1),
    )
    students = list(
        Student.objects.filter(enrollments__class_group=community.class_5a).order_by("pk")
    )
    assert len(students) == 4
    lesson_url = f"{live_server.url}/lesson/{lesson.pk}/"

    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("teacher")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{live_server.url}/teacher/")
    # the service worker is installed and has kept this week's pages for this teacher
    page.locator("html[data-offline-ready]").wait_for(state="attached")
    page.goto(lesson_url)
    _wait_for(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"))

    page.context.set_offline(True)
    marked = {students[0].pk: "10", students[1].pk: "11", students[2].pk: "9"}
    absent = students[3]
    for pk, value in marked.items():
        page.locator(f"#value_{pk}").fill(value)
    page.locator(f"#status_{absent.pk}_1").check()
    made_from = timezone.now()
    page.get_by_role("button", name=uk("Save the lesson")).click()
    badges = page.locator(".offline-badge.queued")
    expect(badges).to_have_count(4)
    made_until = timezone.now()
    expect(badges.first).to_contain_text(uk("not sent yet"))
    expect(page.locator("#offline-status")).to_contain_text(uk("Entries not sent yet: {n}.")[:10])
    for pk in marked:  # the typed marks went into the queue
        expect(page.locator(f"#value_{pk}")).to_have_value("")
    assert not Mark.objects.exists() and not Attendance.objects.exists()

    # still offline: the reload is served by the service worker, the entries shown again
    page.reload()
    expect(page.locator(".offline-badge.queued")).to_have_count(4)
    expect(page.locator(f"#status_{absent.pk}_1")).to_be_checked()
    for pk, value in marked.items():
        expect(page.locator(f"#student-{pk} .offline-badge")).to_contain_text(value)
    time.sleep(2.5)
    assert not Mark.objects.exists()

    back_online = timezone.now()
    page.context.set_offline(False)
    # sent: nothing waits on the device, and the sheet, fetched again, shows them recorded
    # (the database is read once the page is idle: SQLite's shared test database)
    expect(page.locator(".offline-badge")).to_have_count(0, timeout=25_000)
    expect(page.locator(f"#student-{students[0].pk} .sheet-recorded")).to_contain_text(
        "10", timeout=10_000
    )
    expect(page.locator("#offline-status")).to_contain_text(uk("Entries sent: {n}.")[:8])
    page.wait_for_load_state("networkidle")
    stored = {mark.student_id: mark for mark in Mark.objects.filter(lesson=lesson)}
    assert {pk: mark.value for pk, mark in stored.items()} == marked
    absence = Attendance.objects.get(lesson=lesson)
    assert (absence.student_id, absence.status) == (absent.pk, "absent")
    slack = dt.timedelta(seconds=1)
    for made_at in [mark.created_at for mark in stored.values()] + [absence.created_at]:
        assert made_from - slack <= made_at <= made_until + slack
        assert back_online - made_at > dt.timedelta(seconds=2)
    arrivals = OfflineEntry.objects.values_list("created_at", flat=True)
    assert len(arrivals) == 4 and min(arrivals) >= back_online


def test_a_conflict_shows_both_values_and_the_teachers_choice_is_registered(
    live_server, phone: Page
) -> None:  # type: ignore[no-untyped-def]
    page = phone
    community = build_community()
    lesson = Lesson.objects.create(
        assignment=community.math_5a,
        date=local_today(),
        period=Period.objects.get(year=community.year, number=1),
        substitute=community.other_teacher,
    )
    andriy = community.student
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("teacher")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{live_server.url}/teacher/")
    page.locator("html[data-offline-ready]").wait_for(state="attached")
    page.goto(f"{live_server.url}/lesson/{lesson.pk}/")
    _wait_for(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"))

    page.context.set_offline(True)
    page.locator(f"#value_{andriy.pk}").fill("10")
    page.get_by_role("button", name=uk("Save the lesson")).click()
    expect(page.locator(".offline-badge.queued")).to_have_count(1)
    # meanwhile the substitute gives the same student a mark
    Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=andriy,
        kind="current",
        value="6",
        created_by=community.other_teacher,
    )
    page.context.set_offline(False)
    problem = page.locator(".offline-problem.conflict")
    expect(problem).to_be_visible(timeout=25_000)
    expect(problem).to_contain_text("10")
    expect(problem).to_contain_text("6")
    expect(problem).to_contain_text("Бондар Петро")
    expect(page.locator(f"#student-{andriy.pk} .offline-badge.conflict")).to_have_count(1)
    assert list(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == ["6"]

    problem.get_by_role("button", name=uk("Keep mine")).click()
    expect(page.locator(".offline-problem")).to_have_count(0)
    expect(page.locator(f"#student-{andriy.pk} .sheet-recorded")).to_contain_text(
        "10", timeout=10_000
    )
    assert sorted(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == [
        "10",
        "6",
    ]
    correction = Correction.objects.get(lesson=lesson)
    assert "Бондар Петро" in correction.reason and correction.decided_by == community.teacher


def test_an_empty_grid_cell_filled_offline_arrives_with_its_time(live_server, phone: Page) -> None:  # type: ignore[no-untyped-def]
    page = phone
    community = build_community()
    lesson = Lesson.objects.create(
        assignment=community.math_5a,
        date=local_today(),
        period=Period.objects.get(year=community.year, number=1),
    )
    andriy = community.student
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("teacher")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{live_server.url}/teacher/")
    page.locator("html[data-offline-ready]").wait_for(state="attached")
    page.goto(f"{live_server.url}/journal/{community.math_5a.pk}/")
    _wait_for(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"))
    column = page.evaluate(
        "(id) => [...document.querySelector('table.jgrid thead tr').cells]"
        ".findIndex((cell) => cell.dataset.lesson === String(id))",
        lesson.pk,
    )
    assert column > 0
    cell = page.locator(f"tr[data-student='{andriy.pk}'] > *").nth(column)

    page.context.set_offline(True)
    made_from = timezone.now()
    cell.locator("input.cell-input").fill("8")
    cell.locator("input.cell-input").press("Enter")
    expect(cell).to_have_class(re.compile(r"offline-queued"))
    made_until = timezone.now()
    page.reload()  # from the service worker, the cell filled again
    expect(cell).to_have_class(re.compile(r"offline-queued"))
    expect(cell.locator("input.cell-input")).to_have_value("8")
    time.sleep(2.5)
    assert not Mark.objects.exists()

    back_online = timezone.now()
    page.context.set_offline(False)
    expect(cell).not_to_have_class(re.compile(r"offline-queued"), timeout=25_000)
    expect(page.locator("#offline-status")).to_contain_text(uk("Entries sent: {n}.")[:8])
    mark = Mark.objects.get(lesson=lesson)
    assert (mark.student_id, mark.value) == (andriy.pk, "8")
    assert made_from - dt.timedelta(seconds=1) <= mark.created_at <= made_until
    assert back_online - mark.created_at > dt.timedelta(seconds=2)
