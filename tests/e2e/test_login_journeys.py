"""A browser logs in as each role and lands on that role's own home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, build_community
from tests.e2e.twofactor import pass_second_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Ім’я користувача або e-mail").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    pass_second_factor(page, username)


@pytest.mark.parametrize(
    ("username", "path_start", "heading"),
    [
        ("teacher", "/teacher/", "Мій день"),
        ("student", "/diary/", "Щоденник"),
        ("guardian", "/family/", "Мої діти"),
        ("department", "/department/", None),
        ("school_admin", "/school/", None),
        ("director", "/school/", None),
    ],
)
def test_each_role_logs_in_with_a_real_browser(
    live_server, page: Page, username: str, path_start: str, heading: str | None
) -> None:  # type: ignore[no-untyped-def]
    build_community()
    _log_in(page, live_server.url, username)
    page.wait_for_url(f"{live_server.url}{path_start}**")
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.get_by_role("button", name="Вийти")).to_be_visible()


def test_class_teacher_with_two_roles_picks_the_class(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    community = build_community()
    _log_in(page, live_server.url, "class_teacher")
    page.get_by_role("link", name="Класний керівник").click()
    page.wait_for_url(f"{live_server.url}/class/{community.class_5a.pk}/")
