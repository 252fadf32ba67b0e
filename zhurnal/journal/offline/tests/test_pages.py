"""The service worker's address and headers, the list of pages it keeps, and the logout
that leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from tests.cast import Community
from zhurnal.core.timeutil import local_today
from zhurnal.journal.lesson.tests.builders import lesson_on


def test_service_worker_is_served_from_the_root_uncached(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "KEPT_PAGES" in body and "teacher" in body and "lesson" in body
    assert 'LOGOUT_URL = "/logout/"' in body


def test_pages_list_this_weeks_lessons_and_the_teachers_grids(
    client: Client, community: Community
) -> None:
    today = local_today()
    monday = today - dt.timedelta(days=today.weekday())
    mine = lesson_on(community, monday)
    friday = lesson_on(community, monday + dt.timedelta(days=4), number=2)
    last_week = lesson_on(community, monday - dt.timedelta(days=1))
    theirs = lesson_on(community, monday, number=2, assignment=community.ukrainian_5a)
    covered = lesson_on(
        community,
        monday,
        number=3,
        assignment=community.ukrainian_5a,
        substitute=community.teacher,
    )
    client.force_login(community.teacher)
    response = client.get("/journal/offline/pages.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["user"] == community.teacher.pk
    pages = data["pages"]
    assert pages[0] == "/teacher/"
    assert f"/lesson/{mine.pk}/" in pages and f"/lesson/{friday.pk}/" in pages
    assert f"/lesson/{covered.pk}/" in pages  # a substitution of this week
    assert f"/lesson/{last_week.pk}/" not in pages
    assert f"/lesson/{theirs.pk}/" not in pages
    assert f"/journal/{community.math_5a.pk}/" in pages
    assert f"/journal/{community.ukrainian_5a.pk}/" not in pages  # not the substitute's grid


def test_pages_list_issues_a_fixed_number_of_queries(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.teacher)
    today = local_today()
    monday = today - dt.timedelta(days=today.weekday())
    lesson_on(community, monday)
    with django_assert_max_num_queries(12) as few:
        client.get("/journal/offline/pages.json")
    for day in range(1, 5):
        for number in (1, 2, 3):
            lesson_on(community, monday + dt.timedelta(days=day), number=number)
    with django_assert_max_num_queries(12) as many:
        assert len(client.get("/journal/offline/pages.json").json()["pages"]) == 1 + 13 + 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_list_needs_a_signed_in_user(client: Client, community: Community) -> None:
    assert client.get("/journal/offline/pages.json").status_code == 302


def test_families_and_the_department_get_no_offline_journal(
    client: Client, community: Community
) -> None:
    for user in (community.guardian, community.department, community.school_admin):
        client.force_login(user)
        body = client.get("/", follow=True).content.decode()
        assert "js/offline.js" not in body and "offline-status" not in body


def test_a_teachers_pages_carry_the_offline_script_and_status(
    client: Client, community: Community
) -> None:
    client.force_login(community.teacher)
    client.get("/")  # the home page picks the active role
    body = client.get("/teacher/").content.decode()
    assert "js/offline.js" in body
    assert 'id="offline-status"' in body and f'data-user="{community.teacher.pk}"' in body
    assert "data-home" in body


def test_logout_clears_what_the_browser_keeps(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    response = client.post("/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_service_worker_names_the_files_as_the_pages_do(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once static files are collected with hashed names (production), the worker keeps
    those, and its cache version changes with them."""
    from zhurnal.journal.offline import views

    plain = client.get("/sw.js").content.decode()
    views._service_worker_source.cache_clear()
    monkeypatch.setattr(views, "static", lambda path: f"/static/{path}?h=abc")
    hashed = client.get("/sw.js").content.decode()
    views._service_worker_source.cache_clear()

    assert '"/static/css/zhurnal.css?h=abc"' in hashed and '"/static/css/zhurnal.css"' in plain
    version = re.compile(r'const VERSION = "([^"]+)";')
    old, new = version.search(plain), version.search(hashed)
    assert old and new and old.group(1) != new.group(1)
