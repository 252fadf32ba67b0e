"""Remarks on journal keeping: written by the director or a deputy, put right by the
teacher they were written to, opened again by a controller; the register and its export."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.control.models import JournalRemark, JournalRemarkStatus
from zhurnal.control.remarks.services import (
    journal_remark_create,
    journal_remark_reopen,
    journal_remark_resolve,
)
from zhurnal.timetable.models import Lesson, Period

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
LAST_MONDAY = dt.date(2026, 11, 9)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))


def make_lesson(community: Community, day: dt.date = LAST_MONDAY, number: int = 1, **extra):  # type: ignore[no-untyped-def]
    return Lesson.objects.create(
        assignment=extra.pop("assignment", community.math_5a),
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        **extra,
    )


def write(community: Community, **extra) -> JournalRemark:  # type: ignore[no-untyped-def]
    params = {
        "actor": community.deputy,
        "assignment": community.math_5a,
        "text": "Запишіть теми уроків",
    } | extra
    return journal_remark_create(**params)


def uk(message: str) -> str:
    with translation.override("uk"):
        return gettext(message)


# --- services -----------------------------------------------------------------------------


def test_deputy_writes_a_remark_about_a_lesson_to_its_teacher(community: Community) -> None:
    lesson = make_lesson(community)
    remark = write(community, lesson=lesson, due_on=dt.date(2026, 11, 20))

    stored = JournalRemark.objects.get()
    assert stored.pk == remark.pk
    assert stored.teacher == community.teacher
    assert stored.author == community.deputy
    assert stored.school == community.school
    assert stored.lesson == lesson
    assert stored.status == JournalRemarkStatus.OPEN and stored.resolved_at is None
    event = AuditEvent.objects.get(action="journal_remark.create")
    assert event.object_id == str(remark.pk) and event.school_id == community.school.pk
    assert event.actor == community.deputy


def test_director_writes_a_remark_too(community: Community) -> None:
    write(community, actor=community.director)
    assert JournalRemark.objects.get().author == community.director


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "school_admin", "department"])
def test_only_controllers_write_remarks(community: Community, who: str) -> None:
    with pytest.raises(PermissionDenied):
        write(community, actor=getattr(community, who))
    assert not JournalRemark.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="journal_remark").exists()


def test_other_schools_admin_cannot_write(community: Community) -> None:
    with pytest.raises(PermissionDenied):
        write(community, actor=community.other_school_admin)
    assert not JournalRemark.objects.exists()


@pytest.mark.parametrize(
    "case",
    ["empty text", "past due date", "lesson of another assignment", "closed year"],
)
def test_refused_remark_writes_nothing(community: Community, case: str) -> None:
    extra: dict[str, object] = {}
    if case == "empty text":
        extra["text"] = "   "
    elif case == "past due date":
        extra["due_on"] = dt.date(2026, 11, 17)
    elif case == "lesson of another assignment":
        extra["lesson"] = make_lesson(community, assignment=community.ukrainian_5a)
    else:
        community.year.closed_at = timezone.now()
        community.year.save()
    with pytest.raises(ValidationError):
        write(community, **extra)
    assert not JournalRemark.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="journal_remark").exists()


def test_due_date_today_is_accepted(community: Community) -> None:
    remark = write(community, due_on=NOW.date())
    assert remark.due_on == NOW.date()


def test_teacher_puts_their_remark_right(community: Community) -> None:
    remark = write(community)
    journal_remark_resolve(actor=community.teacher, remark=remark, note="Виправлено")

    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.RESOLVED
    assert remark.resolved_at == NOW
    assert remark.resolution_note == "Виправлено"
    event = AuditEvent.objects.get(action="journal_remark.resolve")
    assert event.before["status"] == "open" and event.after["status"] == "resolved"


@pytest.mark.parametrize("who", ["other_teacher", "deputy", "director"])
def test_only_the_remarks_teacher_can_put_it_right(community: Community, who: str) -> None:
    remark = write(community)
    with pytest.raises(PermissionDenied):
        journal_remark_resolve(actor=getattr(community, who), remark=remark)
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.OPEN
    assert not AuditEvent.objects.filter(action="journal_remark.resolve").exists()


def test_a_remark_is_put_right_once(community: Community) -> None:
    remark = write(community)
    journal_remark_resolve(actor=community.teacher, remark=remark)
    with pytest.raises(ValidationError):
        journal_remark_resolve(actor=community.teacher, remark=remark)
    assert AuditEvent.objects.filter(action="journal_remark.resolve").count() == 1


def test_controller_reopens_a_remark_not_really_put_right(community: Community) -> None:
    remark = write(community)
    journal_remark_resolve(actor=community.teacher, remark=remark)
    journal_remark_reopen(actor=community.director, remark=remark, reason="Теми досі немає")

    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.OPEN and remark.resolved_at is None
    event = AuditEvent.objects.get(action="journal_remark.reopen")
    assert event.reason == "Теми досі немає"


def test_teacher_cannot_reopen_and_reason_is_required(community: Community) -> None:
    remark = write(community)
    journal_remark_resolve(actor=community.teacher, remark=remark)
    with pytest.raises(PermissionDenied):
        journal_remark_reopen(actor=community.teacher, remark=remark, reason="ні")
    with pytest.raises(ValidationError):
        journal_remark_reopen(actor=community.deputy, remark=remark, reason="  ")
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.RESOLVED
    assert not AuditEvent.objects.filter(action="journal_remark.reopen").exists()


# --- writing a remark through the page ----------------------------------------------------


def new_url(community: Community, lesson: Lesson | None = None) -> str:
    url = reverse("control:remark_new", args=[community.school.pk, community.math_5a.pk])
    return f"{url}?lesson={lesson.pk}" if lesson else url


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_controller_writes_a_remark_on_the_page(
    client: Client, community: Community, who: str
) -> None:
    lesson = make_lesson(community)
    client.force_login(getattr(community, who))
    assert client.get(new_url(community, lesson)).status_code == 200
    response = client.post(
        new_url(community),
        {"text": "Немає теми", "due_on": "2026-11-20", "lesson": lesson.pk, "back": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    remark = JournalRemark.objects.get()
    assert remark.lesson == lesson and remark.due_on == dt.date(2026, 11, 20)
    assert AuditEvent.objects.filter(action="journal_remark.create").count() == 1


@pytest.mark.parametrize(
    "who",
    [
        "teacher",
        "other_teacher",
        "school_admin",
        "department",
        "guardian",
        "outsider",
        "other_school_admin",
        "student_user",
    ],
)
def test_others_get_404_on_the_remark_form(client: Client, community: Community, who: str) -> None:
    client.force_login(getattr(community, who))
    assert client.get(new_url(community)).status_code == 404
    assert client.post(new_url(community), {"text": "x"}).status_code == 404
    assert not JournalRemark.objects.exists()


def test_invalid_remark_on_the_page_shows_the_error_and_writes_nothing(
    client: Client, community: Community
) -> None:
    client.force_login(community.deputy)
    response = client.post(new_url(community), {"text": "Тема", "due_on": "2026-11-01"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not JournalRemark.objects.exists()
    response = client.post(new_url(community), {"text": ""})
    assert response.status_code == 400
    assert "text" in response.context["form"].errors
    assert not JournalRemark.objects.exists()


def test_unsafe_back_address_is_not_followed(client: Client, community: Community) -> None:
    client.force_login(community.deputy)
    response = client.post(new_url(community), {"text": "Тема", "back": "https://evil.test/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/school/")


# --- the teacher's side -------------------------------------------------------------------


def test_teacher_sees_open_remarks_on_the_home_page_and_puts_one_right(
    client: Client, community: Community
) -> None:
    lesson = make_lesson(community)
    remark = write(community, lesson=lesson, text="Запишіть тему уроку 09.11")
    client.force_login(community.teacher)
    body = client.get("/teacher/").content.decode()
    assert "Запишіть тему уроку 09.11" in body
    assert reverse("journal:lesson", args=[lesson.pk]) in body
    assert community.deputy.short_name in body

    response = client.post(
        reverse("control:remark_resolve", args=[remark.pk]),
        {"note": "Готово", "back": "/teacher/"},
    )
    assert response.status_code == 302 and response["Location"] == "/teacher/"
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.RESOLVED and remark.resolution_note == "Готово"
    assert "Запишіть тему уроку 09.11" not in client.get("/teacher/").content.decode()


def test_other_teacher_sees_no_remark_and_cannot_put_it_right(
    client: Client, community: Community
) -> None:
    remark = write(community, text="Особисте зауваження")
    client.force_login(community.other_teacher)
    assert "Особисте зауваження" not in client.get("/teacher/").content.decode()
    assert "Особисте зауваження" not in client.get("/control/my-remarks/").content.decode()
    response = client.post(reverse("control:remark_resolve", args=[remark.pk]), {"note": ""})
    assert response.status_code == 404
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.OPEN
    assert not AuditEvent.objects.filter(action="journal_remark.resolve").exists()


@pytest.mark.parametrize("who", ["deputy", "guardian", "outsider"])
def test_nobody_else_puts_a_remark_right(client: Client, community: Community, who: str) -> None:
    remark = write(community)
    client.force_login(getattr(community, who))
    assert client.post(reverse("control:remark_resolve", args=[remark.pk])).status_code == 404
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.OPEN


def test_my_remarks_lists_open_first(client: Client, community: Community) -> None:
    first = write(community, text="Перше")
    journal_remark_resolve(actor=community.teacher, remark=first)
    write(community, text="Друге")
    client.force_login(community.teacher)
    remarks = client.get("/control/my-remarks/").context["remarks"]
    assert [remark.text for remark in remarks] == ["Друге", "Перше"]


def test_anonymous_is_sent_to_log_in(client: Client, community: Community) -> None:
    assert client.get("/control/my-remarks/").status_code == 302


def test_teacher_home_query_count_with_remarks(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        write(community, lesson=make_lesson(community, LAST_MONDAY + dt.timedelta(days=_)))
    client.force_login(community.teacher)
    with django_assert_max_num_queries(9):
        assert client.get("/teacher/").status_code == 200


def test_my_remarks_query_count(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for day in range(5):
        write(community, lesson=make_lesson(community, LAST_MONDAY + dt.timedelta(days=day)))
    client.force_login(community.teacher)
    with django_assert_max_num_queries(5):
        assert client.get("/control/my-remarks/").status_code == 200


# --- the register -------------------------------------------------------------------------


def register_url(community: Community, **query: str) -> str:
    url = reverse("control:remarks", args=[community.school.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_controllers_read_the_register(client: Client, community: Community, who: str) -> None:
    write(community, text="Перше")
    client.force_login(getattr(community, who))
    response = client.get(register_url(community))
    assert response.status_code == 200
    assert [remark.text for remark in response.context["page_obj"]] == ["Перше"]


@pytest.mark.parametrize(
    "who",
    ["teacher", "school_admin", "department", "guardian", "outsider", "other_school_admin"],
)
def test_others_get_404_on_the_register(client: Client, community: Community, who: str) -> None:
    client.force_login(getattr(community, who))
    assert client.get(register_url(community)).status_code == 404
    url = reverse("control:remarks_xlsx", args=[community.school.pk])
    assert client.get(url).status_code == 404


def test_register_filters_by_status_teacher_and_dates(client: Client, community: Community) -> None:
    mine = write(community, text="Математика")
    write(community, assignment=community.ukrainian_5a, text="Українська")
    journal_remark_resolve(actor=community.teacher, remark=mine)
    client.force_login(community.deputy)

    def texts(**query: str) -> list[str]:
        return [r.text for r in client.get(register_url(community, **query)).context["page_obj"]]

    assert sorted(texts()) == ["Математика", "Українська"]
    assert texts(status="open") == ["Українська"]
    assert texts(teacher=str(community.teacher.pk)) == ["Математика"]
    assert sorted(texts(start="2026-11-18", end="2026-11-18")) == ["Математика", "Українська"]
    assert texts(start="2026-11-19") == []
    response = client.get(register_url(community, start="2026-11-19", end="2026-11-01"))
    assert response.context["page_obj"] is None
    assert response.context["form"].errors["end"] == [uk("The end cannot come before the start.")]


def test_register_exports_xlsx(client: Client, community: Community) -> None:
    lesson = make_lesson(community)
    write(community, lesson=lesson, text="Немає теми")
    client.force_login(community.deputy)
    response = client.get(
        reverse("control:remarks_xlsx", args=[community.school.pk]) + "?status=open"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    row = [cell.value for cell in sheet[5]]
    assert row[2] == community.teacher.short_name
    assert row[4] == "09.11.2026, 1"
    assert row[5] == "Немає теми"


def test_register_reopens_a_remark(client: Client, community: Community) -> None:
    remark = write(community)
    journal_remark_resolve(actor=community.teacher, remark=remark)
    client.force_login(community.deputy)
    url = reverse("control:remark_reopen", args=[community.school.pk, remark.pk])
    client.post(url, {"reason": ""})
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.RESOLVED
    client.post(url, {"reason": "Тема досі порожня"})
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.OPEN


def test_teacher_cannot_reopen_through_the_register(client: Client, community: Community) -> None:
    remark = write(community)
    journal_remark_resolve(actor=community.teacher, remark=remark)
    client.force_login(community.teacher)
    url = reverse("control:remark_reopen", args=[community.school.pk, remark.pk])
    assert client.post(url, {"reason": "ні"}).status_code == 404
    remark.refresh_from_db()
    assert remark.status == JournalRemarkStatus.RESOLVED


def test_register_query_count_is_fixed(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for day in range(6):
        write(community, lesson=make_lesson(community, LAST_MONDAY + dt.timedelta(days=day)))
        write(community, assignment=community.ukrainian_5a, text=f"Українська {day}")
    client.force_login(community.deputy)
    with django_assert_max_num_queries(8):
        assert client.get(register_url(community)).status_code == 200
