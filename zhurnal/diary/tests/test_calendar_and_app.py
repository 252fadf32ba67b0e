from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.diary.ical import escape_text, fold
from zhurnal.diary.models import CalendarFeed
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment


@pytest.fixture(autouse=True)
def _english(settings, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _lesson(
    community: Community, day: dt.date, number: int = 1, topic: str = "Дроби, частини; дії"
) -> Lesson:
    return Lesson.objects.create(
        assignment=community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        topic=topic,
        homework="§ 2\n№ 10",
    )


def _create_feed(client: Client, community: Community) -> CalendarFeed:
    response = client.post(f"/diary/{community.student.pk}/calendar/", {"action": "create"})
    assert response.status_code == 302
    return CalendarFeed.objects.get(student=community.student, revoked_at__isnull=True)


def test_guardian_creates_a_feed_and_gets_the_childs_lessons(
    client: Client, community: Community
) -> None:
    today = local_today()
    _lesson(community, today, 1)
    _lesson(community, today + dt.timedelta(days=1), 2, topic="Друга тема")
    _lesson(community, today - dt.timedelta(days=6), 3, topic="Минулого тижня")
    _lesson(community, today - dt.timedelta(days=10), 1, topic="Надто давно")
    _lesson(community, today + dt.timedelta(days=40), 1, topic="Надто далеко")
    client.force_login(community.guardian)

    feed = _create_feed(client, community)
    assert len(feed.token) >= 32
    assert feed.user == community.guardian
    assert AuditEvent.objects.filter(action="calendar_feed.create").count() == 1
    page = client.get(f"/diary/{community.student.pk}/calendar/").content.decode()
    assert f"webcal://testserver/calendar/{feed.token}.ics" in page
    assert f"http://testserver/calendar/{feed.token}.ics" in page

    client.logout()  # the feed needs no login
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 3
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Математика" in unfolded
    assert "Дроби\\, частини\\; дії" in unfolded
    assert "§ 2\\n№ 10" in unfolded
    assert "Минулого тижня" in unfolded
    assert "Надто давно" not in unfolded and "Надто далеко" not in unfolded
    # 08:30 in Kyiv is 06:30 UTC in winter.
    start = today.strftime("%Y%m%d")
    assert f"DTSTART:{start}T0" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_feed_has_no_lessons_of_other_classes(client: Client, community: Community) -> None:
    other = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.ukrainian,
        class_group=community.class_5b,
        hours_per_week=4,
    )
    Lesson.objects.create(
        assignment=other,
        date=local_today(),
        period=Period.objects.get(year=community.year, number=2),
        topic="Чужий клас",
    )
    _lesson(community, local_today())
    client.force_login(community.student_user)
    feed = _create_feed(client, community)
    body = client.get(f"/calendar/{feed.token}.ics").content.decode()
    assert body.count("BEGIN:VEVENT") == 1
    assert "Чужий клас" not in body


def test_revoked_and_unknown_feeds_are_404(client: Client, community: Community) -> None:
    client.force_login(community.guardian)
    feed = _create_feed(client, community)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    client.post(f"/diary/{community.student.pk}/calendar/", {"action": "revoke"})
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert client.get("/calendar/no-such-token-at-all-000000000000000.ics").status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoke").count() == 1


def test_a_new_address_revokes_the_old_one(client: Client, community: Community) -> None:
    client.force_login(community.guardian)
    first = _create_feed(client, community)
    second = _create_feed(client, community)
    assert first.token != second.token
    assert client.get(f"/calendar/{first.token}.ics").status_code == 404
    assert client.get(f"/calendar/{second.token}.ics").status_code == 200


def test_other_guardian_cannot_revoke_or_create_anothers_feed(
    client: Client, community: Community
) -> None:
    client.force_login(community.guardian)
    feed = _create_feed(client, community)
    client.force_login(community.other_guardian)
    url = f"/diary/{community.student.pk}/calendar/"
    assert client.post(url, {"action": "revoke"}).status_code == 404
    assert client.post(url, {"action": "create"}).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert CalendarFeed.objects.count() == 1


def test_ical_folds_at_75_octets_without_splitting_characters() -> None:
    line = "DESCRIPTION:" + "Ї" * 100
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part.removeprefix(" ") if i else part for i, part in enumerate(parts)) == line
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


# --- the installable web app ---------------------------------------------------------------


def test_manifest_is_served_for_installing(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["icons"]


def test_manifest_name_is_zhurnal_in_ukrainian(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    assert client.get("/manifest.webmanifest").json()["name"] == "Журнал"


def test_service_worker_is_served_from_the_root(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "/static/css/diary.css" in body
    assert "/diary/offline/" in body
    assert 'LOGOUT_URL = "/logout/"' in body
    assert "&quot;" not in body and "&#x27;" not in body


def test_offline_page_and_registration_script(client: Client, community: Community) -> None:
    assert client.get("/diary/offline/").status_code == 200
    client.force_login(community.student_user)
    body = client.get("/diary/").content.decode()
    assert "diary/register-sw.js" in body
    assert 'rel="manifest"' in body
