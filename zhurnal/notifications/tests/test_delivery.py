"""Journal events reach families by e-mail through the worker, over a real SMTP server."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.cast import Community
from zhurnal.core.timeutil import school_tz
from zhurnal.journal.services import attendance_set, lesson_record, mark_set, remark_add
from zhurnal.notifications import tasks
from zhurnal.notifications.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    QuietHours,
    SchoolNotificationPolicy,
)
from zhurnal.notifications.selectors import quiet_window_end
from zhurnal.notifications.tests.builders import Inbox, run_worker
from zhurnal.timetable.models import Lesson, Period

pytestmark = pytest.mark.django_db(transaction=True)

GUARDIAN = "guardian@family.test"


def make_lesson(community: Community, day: dt.date = dt.date(2026, 10, 5)) -> Lesson:
    period = Period.objects.get(year=community.year, number=1)
    return Lesson.objects.create(assignment=community.math_5a, date=day, period=period)


def give_mark(community: Community, lesson: Lesson, value: str = "10") -> None:
    mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value=value,
        lesson=lesson,
    )


def waiting_sends() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=tasks.notification_send.module_path
        )
    )


def text_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("html",)).get_content()


def unsubscribe_path(message) -> str:  # type: ignore[no-untyped-def]
    header = str(message["List-Unsubscribe"]).strip().lstrip("<").rstrip(">")
    return urlsplit(header).path


def test_teacher_request_sends_nothing_until_the_worker_runs(
    community: Community, smtp: Inbox, client
) -> None:
    lesson = make_lesson(community)
    client.force_login(community.teacher)
    response = client.post(
        reverse("journal:grid_cell", args=[community.math_5a.pk]),
        {"student": community.student.pk, "lesson": lesson.pk, "value": "10"},
    )
    assert response.status_code == 200 and response.json()["ok"]
    assert smtp.messages == [] and mail.outbox == []
    assert DBTaskResult.objects.filter(task_path=tasks.notifications_fan_out.module_path).exists()

    run_worker()

    [message] = smtp.to(GUARDIAN)
    assert len(smtp.messages) == 1
    body = text_of(message)
    assert "Гнатюк Андрій" in body and "10" in body and "Математика" in body
    assert "05.10.2026" in body


def test_guardian_gets_one_email_in_ukrainian_with_unsubscribe_link(
    community: Community, smtp: Inbox
) -> None:
    give_mark(community, make_lesson(community))
    run_worker()

    [message] = smtp.to(GUARDIAN)
    assert message["Content-Language"] == "uk"
    assert 'lang="uk"' in html_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert path.startswith("/notifications/unsubscribe/")
    assert path in text_of(message) and path in html_of(message)
    notification = Notification.objects.get(recipient=community.guardian)
    assert notification.status == NotificationStatus.SENT


def test_email_is_in_the_recipients_language(community: Community, smtp: Inbox) -> None:
    community.guardian.language = "en"
    community.guardian.save()
    give_mark(community, make_lesson(community))
    run_worker()

    [message] = smtp.to(GUARDIAN)
    assert message["Content-Language"] == "en"
    assert "mark 10 in Математика" in message["Subject"]


def test_after_unsubscribing_a_new_mark_sends_nothing(
    community: Community, smtp: Inbox, client
) -> None:
    give_mark(community, make_lesson(community))
    run_worker()
    [message] = smtp.to(GUARDIAN)
    path = unsubscribe_path(message)

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert not NotificationPreference.objects.filter(user=community.guardian).exists()
    assert client.post(path).status_code == 200
    assert (
        NotificationPreference.objects.get(
            user=community.guardian, kind=NotificationKind.MARK
        ).delivery
        == Delivery.NONE
    )

    give_mark(community, make_lesson(community, dt.date(2026, 10, 6)))
    run_worker()
    assert len(smtp.to(GUARDIAN)) == 1


def test_bad_unsubscribe_link_is_not_found(community: Community, client) -> None:
    url = reverse("notifications:unsubscribe", args=["forged"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_quiet_hours_postpone_an_immediate_email(community: Community, smtp: Inbox) -> None:
    tz = school_tz(community.municipality.time_zone)
    local = timezone.now().astimezone(tz)
    QuietHours.objects.create(
        user=community.guardian,
        starts_at=(local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        ends_at=(local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    give_mark(community, make_lesson(community))
    run_worker()

    assert smtp.messages == []
    [waiting] = waiting_sends()
    assert waiting.run_after > timezone.now() + dt.timedelta(minutes=100)
    notification = Notification.objects.get(recipient=community.guardian)
    assert notification.status == NotificationStatus.PENDING
    assert notification.send_after == waiting.run_after


def test_school_delay_postpones_guardians_only(community: Community, smtp: Inbox) -> None:
    SchoolNotificationPolicy.objects.create(school=community.school, mark_delay_minutes=30)
    community.student_user.email = "andrii@pupil.test"
    community.student_user.save()
    NotificationPreference.objects.create(
        user=community.student_user, kind=NotificationKind.MARK, delivery=Delivery.IMMEDIATE
    )
    give_mark(community, make_lesson(community))
    run_worker()

    assert len(smtp.to("andrii@pupil.test")) == 1
    assert smtp.to(GUARDIAN) == []
    [waiting] = waiting_sends()
    delay = waiting.run_after - timezone.now()
    assert dt.timedelta(minutes=25) < delay <= dt.timedelta(minutes=30)


def test_digest_collects_several_events_into_one_email(community: Community, smtp: Inbox) -> None:
    NotificationPreference.objects.create(
        user=community.guardian, kind=NotificationKind.MARK, delivery=Delivery.DIGEST
    )
    first, second = make_lesson(community), make_lesson(community, dt.date(2026, 10, 6))
    give_mark(community, first, "10")
    give_mark(community, second, "7")
    lesson_record(actor=community.teacher, lesson=second, topic="Дроби", homework="№ 12")
    run_worker()
    assert smtp.messages == []
    assert Notification.objects.filter(recipient=community.guardian).count() == 3

    tasks.send_daily_digests.enqueue()
    run_worker()

    [message] = smtp.to(GUARDIAN)
    assert len(smtp.messages) == 1
    body = text_of(message)
    assert body.count("Гнатюк Андрій") == 3
    assert "05.10.2026" in body and "06.10.2026" in body
    assert message["List-Unsubscribe"]
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()
    # The next morning's run is waiting.
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=tasks.send_daily_digests.module_path
    ).exists()


def test_absence_reaches_only_that_childs_guardian(community: Community, smtp: Inbox) -> None:
    community.other_guardian.email = "ihor@family.test"
    community.other_guardian.save()
    lesson = make_lesson(community)
    attendance_set(
        actor=community.teacher, lesson=lesson, student=community.student, status="absent"
    )
    give_mark(community, make_lesson(community, dt.date(2026, 10, 6)))
    run_worker()

    assert smtp.to("ihor@family.test") == []
    mine = smtp.to(GUARDIAN)
    assert len(mine) == 2
    for message in mine:
        assert "Савчук" not in text_of(message) and "Олена" not in text_of(message)
    assert not Notification.objects.filter(recipient=community.other_guardian).exists()


def test_recipient_without_email_is_skipped(community: Community, smtp: Inbox) -> None:
    community.guardian.email = ""
    community.guardian.save()
    give_mark(community, make_lesson(community))
    run_worker()

    assert smtp.messages == []
    notification = Notification.objects.get(recipient=community.guardian)
    assert notification.status == NotificationStatus.SKIPPED


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("22:30", "07:00+1"),
        ("06:00", "07:00"),
        ("12:00", None),
        ("07:00", None),
    ],
)
def test_quiet_hours_across_midnight(moment: str, expected: str | None) -> None:
    tz = school_tz("Europe/Kyiv")
    day = dt.date(2026, 11, 20)
    at = dt.datetime.combine(day, dt.time.fromisoformat(moment), tzinfo=tz)
    end = quiet_window_end(at, dt.time(21), dt.time(7), "Europe/Kyiv")
    if expected is None:
        assert end is None
    else:
        next_day = expected.endswith("+1")
        want = dt.datetime.combine(day + dt.timedelta(days=int(next_day)), dt.time(7), tzinfo=tz)
        assert end == want


def test_digest_command_queues_one_morning_run(community: Community) -> None:
    from django.core.management import call_command

    call_command("notifications_digest")
    call_command("notifications_digest")
    [queued] = DBTaskResult.objects.filter(task_path=tasks.send_daily_digests.module_path)
    local = queued.run_after.astimezone(school_tz())
    assert (local.hour, local.minute) == (7, 30)
    assert queued.run_after > timezone.now()


def test_digest_waits_for_the_end_of_quiet_hours(community: Community, smtp: Inbox) -> None:
    tz = school_tz(community.municipality.time_zone)
    local = timezone.now().astimezone(tz)
    QuietHours.objects.create(
        user=community.guardian,
        starts_at=(local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        ends_at=(local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    lesson_record(
        actor=community.teacher, lesson=make_lesson(community), topic="Дроби", homework="№ 12"
    )
    tasks.send_daily_digests.enqueue()
    run_worker()

    assert smtp.messages == []
    [later] = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=tasks.send_digest_for.module_path
    )
    assert later.run_after > timezone.now() + dt.timedelta(minutes=100)
    assert later.args_kwargs["kwargs"] == {"user_id": community.guardian.pk}


def test_guardian_with_immediate_remarks_gets_one_email_about_a_remark(
    community: Community, smtp: Inbox
) -> None:
    NotificationPreference.objects.update_or_create(
        user=community.guardian,
        kind=NotificationKind.REMARK,
        defaults={"delivery": Delivery.IMMEDIATE},
    )
    remark_add(
        actor=community.teacher,
        lesson=make_lesson(community),
        student=community.student,
        text="Не виконав домашнє завдання",
        kind="remark",
    )
    run_worker()

    [message] = smtp.to(GUARDIAN)
    assert "Математика" in text_of(message) and "05.10.2026" in text_of(message)
    assert Notification.objects.get(recipient=community.guardian).kind == NotificationKind.REMARK
    assert not Notification.objects.filter(recipient=community.other_guardian).exists()
