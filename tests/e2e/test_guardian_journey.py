"""The guardian's journey on a phone (360×780) in a real browser: a father of two children
logs in through the form, opens the first child's diary week, the teacher enters a mark a
moment later, the reloaded week shows it flagged as new since the last visit, and the
child switcher leads to the second child's week. Every page passes axe-core (no serious
or critical violation) and has no horizontal scrolling at 360 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.helpers import uk
from zhurnal.diary.models import DiaryVisit
from zhurnal.journal.services import mark_set
from zhurnal.people.models import Enrollment, Relation, Sex, Student, StudentGuardian
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Wednesday 18 November 2026, 10:00 in Kyiv: a school day of the I semester.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
MONDAY, TODAY = dt.date(2026, 11, 16), NOW.date()
WIDTH = 360
BLOCKING = ("serious", "critical")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        locale="uk-UA",
        viewport={"width": WIDTH, "height": 780},
        is_mobile=True,
        has_touch=True,
        service_workers="block",  # see the page fixture in conftest.py
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def check_page(page: Page, axe: Axe, name: str) -> None:
    """No serious or critical axe-core violation, no horizontal scrolling at 360 px."""
    page.wait_for_load_state("load")
    found = axe.run(page).response["violations"]
    minor = [f"{v['id']} ({v.get('impact')})" for v in found if v.get("impact") not in BLOCKING]
    if minor:
        print(f"[{name}] not blocking: {', '.join(minor)}")
    violations = [v for v in found if v.get("impact") in BLOCKING]
    for violation in violations:
        print(f"[{name}] {violation['impact']}: {violation['id']} — {violation['help']}")
        for node in violation["nodes"][:5]:
            print(f"    {node['target']}: {node.get('failureSummary', '')}")
    assert not violations, f"{name}: " + ", ".join(v["id"] for v in violations)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, f"{name}: scrollWidth {scroll_width} > {WIDTH}"


def test_guardian_of_two_sees_a_new_mark_and_switches_child_on_a_phone(
    live_server, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    clock = [NOW.astimezone(dt.UTC)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    community = build_community()
    andriy = community.student
    # The second child of the same father, in 5-Б.
    maria = Student.objects.create(
        municipality=community.municipality,
        surname="Гнатюк",
        given_name="Марія",
        patronymic="Петрівна",
        birth_date=dt.date(2015, 9, 5),
        sex=Sex.FEMALE,
    )
    Enrollment.objects.create(
        student=maria, class_group=community.class_5b, starts_on=dt.date(2026, 9, 1)
    )
    StudentGuardian.objects.create(
        student=maria, guardian=community.guardian_record, relation=Relation.FATHER
    )
    period = {n: Period.objects.get(year=community.year, number=n) for n in (1, 2)}
    monday_lesson = Lesson.objects.create(
        assignment=community.math_5a, date=MONDAY, period=period[2], topic="Звичайні дроби"
    )
    Lesson.objects.create(assignment=community.math_5a, date=TODAY, period=period[1])
    math_5b = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(5),
    )
    Lesson.objects.create(
        assignment=math_5b, date=MONDAY, period=period[1], topic="Порівняння дробів"
    )
    # The father last looked at Андрій's diary yesterday evening.
    DiaryVisit.objects.create(
        user=community.guardian, student=andriy, last_seen_at=NOW - dt.timedelta(hours=15)
    )
    axe = Axe()
    page = phone
    week_url = f"{live_server.url}/family/child/{{}}/"

    # Log in through the form: with two children the family page lists both.
    page.goto(f"{live_server.url}/login/")
    check_page(page, axe, "login")
    page.get_by_label("Ім’я користувача або e-mail").fill("guardian")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url(f"{live_server.url}/family/")
    check_page(page, axe, "family")

    # Андрій's week: no marks yet.
    page.get_by_role("link", name="Андрій Гнатюк").click()
    page.wait_for_url(week_url.format(andriy.pk))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Гнатюк Андрій")
    expect(page.locator(".diary-marks")).to_have_count(0)
    check_page(page, axe, "week of the first child")

    # A moment later the teacher enters a mark for Monday's lesson.
    clock[0] += dt.timedelta(minutes=1)
    result = mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=andriy,
        value="10",
        lesson=monday_lesson,
    )
    assert result is not None
    clock[0] += dt.timedelta(minutes=1)

    # The father reloads: the mark is there, flagged as new since the last visit.
    page.reload()
    monday = page.locator(f"section[aria-labelledby='day-{MONDAY:%Y%m%d}']")
    mark = monday.locator(".diary-marks li")
    expect(mark).to_have_count(1)
    expect(mark.locator("strong")).to_have_text("10")
    expect(mark).to_have_class("is-new")
    expect(mark.locator(".new-badge")).to_have_text(uk("new"))
    expect(page.locator(".diary-new-summary")).to_be_visible()
    check_page(page, axe, "week of the first child with the new mark")

    # The child switcher: on to Марія's week, where Андрій's mark does not appear.
    switcher = page.get_by_role("navigation", name=uk("Children"))
    expect(switcher.get_by_role("link", name="Андрій Гнатюк")).to_have_attribute(
        "aria-current", "page"
    )
    switcher.get_by_role("link", name="Марія Гнатюк").click()
    page.wait_for_url(week_url.format(maria.pk))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Гнатюк Марія")
    expect(page.get_by_text("Порівняння дробів")).to_be_visible()
    expect(page.locator(".diary-marks")).to_have_count(0)
    expect(
        page.get_by_role("navigation", name=uk("Children")).get_by_role("link", name="Марія Гнатюк")
    ).to_have_attribute("aria-current", "page")
    check_page(page, axe, "week of the second child")
