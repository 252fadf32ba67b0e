"""Background work for notifications: run by `zhurnal db_worker` (the demo runs one)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from zhurnal.accounts.models import User
from zhurnal.core.tasks import enqueue_once
from zhurnal.notifications import services
from zhurnal.notifications.models import Delivery, Notification, NotificationStatus
from zhurnal.notifications.selectors import quiet_end


@task()
def notifications_fan_out(
    *,
    kind: str,
    assignment_id: int,
    event_date: str,
    student_id: int | None,
    lesson_id: int | None,
    detail: str,
) -> int:
    """Turn one journal event into notifications and schedule the immediate ones."""
    created = services.notifications_create(
        kind=kind,
        assignment_id=assignment_id,
        event_date=dt.date.fromisoformat(event_date),
        student_id=student_id,
        lesson_id=lesson_id,
        detail=detail,
    )
    now = timezone.now()
    for notification in created:
        if notification.delivery != Delivery.IMMEDIATE:
            continue
        if notification.send_after > now:
            notification_send.using(run_after=notification.send_after).enqueue(
                notification_id=notification.pk
            )
        else:
            notification_send.enqueue(notification_id=notification.pk)
    return len(created)


@task()
def notification_send(*, notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@task()
def send_daily_digests(*, reschedule: bool = True) -> int:
    """Send every waiting digest; recipients in their quiet hours get theirs when the
    hours end. Then schedule tomorrow's run, unless one is already waiting."""
    now = timezone.now()
    postponed = services.digests_send(now=now)
    for user in User.objects.filter(pk__in=postponed).select_related("quiet_hours"):
        first = (
            Notification.objects.filter(
                recipient=user, delivery=Delivery.DIGEST, status=NotificationStatus.PENDING
            )
            .select_related("school__municipality")
            .first()
        )
        if first is not None:
            end = quiet_end(user, now, first.school.municipality.time_zone) or now
            send_digest_for.using(run_after=end).enqueue(user_id=user.pk)
    if reschedule:
        enqueue_once(send_daily_digests, run_after=services.next_digest_time(now))
    return len(postponed)


@task()
def send_digest_for(*, user_id: int) -> None:
    now = timezone.now()
    notifications = Notification.objects.filter(
        recipient_id=user_id,
        delivery=Delivery.DIGEST,
        status=NotificationStatus.PENDING,
        send_after__lte=now,
    ).select_related("recipient__guardian", "student")
    user = User.objects.get(pk=user_id)
    services.digest_send_for(recipient=user, notifications=list(notifications), now=now)
