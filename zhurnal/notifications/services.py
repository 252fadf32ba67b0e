"""Writes on notifications: preferences, the school's delay, turning journal events into
notifications, and sending them (always from a task, never inside a request)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record
from zhurnal.core.timeutil import school_tz
from zhurnal.notifications.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    QuietHours,
    SchoolNotificationPolicy,
)
from zhurnal.notifications.selectors import (
    delivery_for,
    event_recipients,
    preferences_of,
    quiet_end,
)
from zhurnal.people.models import Student
from zhurnal.people.privacy.selectors import notifications_withdrawn
from zhurnal.schools.models import School
from zhurnal.timetable.models import Lesson, TeachingAssignment

UNSUBSCRIBE_SALT = "zhurnal.notifications.unsubscribe"
DIGEST_TIME = dt.time(7, 30)


# --- journal events -----------------------------------------------------------------------


def journal_event_recorded(
    *,
    kind: str,
    assignment: TeachingAssignment,
    event_date: dt.date,
    student: Student | None = None,
    lesson: Lesson | None = None,
    detail: str = "",
) -> None:
    """Called by journal services after a write: once the transaction commits, a task
    turns the event into notifications. Nothing is sent inside the request."""
    from zhurnal.notifications import tasks  # tasks import this module

    payload: dict[str, Any] = {
        "kind": kind,
        "assignment_id": assignment.pk,
        "event_date": event_date.isoformat(),
        "student_id": student.pk if student is not None else None,
        "lesson_id": lesson.pk if lesson is not None else None,
        "detail": detail[:40],
    }
    transaction.on_commit(lambda: tasks.notifications_fan_out.enqueue(**payload))


def notifications_create(
    *,
    kind: str,
    assignment_id: int,
    event_date: dt.date,
    student_id: int | None,
    lesson_id: int | None,
    detail: str,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """One notification per recipient who wants this kind of news: the student's own login
    and each guardian of that student. Immediate ones get the moment they may be sent:
    after the school's delay (guardians, marks) and outside the recipient's quiet hours."""
    now = now or timezone.now()
    assignment = TeachingAssignment.objects.select_related(
        "subject", "year__school__municipality"
    ).get(pk=assignment_id)
    school = assignment.year.school
    delay = dt.timedelta(0)
    if kind == NotificationKind.MARK:
        policy = SchoolNotificationPolicy.objects.filter(school=school).first()
        if policy is not None:
            delay = dt.timedelta(minutes=policy.mark_delay_minutes)
    created = []
    recipients = list(event_recipients(student_id=student_id, lesson_id=lesson_id))
    withdrawn = notifications_withdrawn(
        student_ids=sorted({student.pk for _recipient, student, _is_guardian in recipients})
    )
    for recipient, student, is_guardian in recipients:
        # A guardian who withdrew the consent to notifications about this child gets none.
        if is_guardian and (recipient.pk, student.pk) in withdrawn:
            continue
        delivery = delivery_for(recipient, kind, is_guardian=is_guardian)
        if delivery == Delivery.NONE:
            continue
        send_after = now + (delay if is_guardian else dt.timedelta(0))
        if delivery == Delivery.IMMEDIATE:
            send_after = (
                quiet_end(recipient, send_after, school.municipality.time_zone) or send_after
            )
        created.append(
            Notification(
                recipient=recipient,
                student=student,
                school=school,
                kind=kind,
                delivery=delivery,
                subject_name=assignment.subject.name,
                detail=detail,
                event_date=event_date,
                send_after=send_after,
            )
        )
    return Notification.objects.bulk_create(created)


# --- sending ------------------------------------------------------------------------------


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User, kind: str) -> str:
    # Links in e-mails need an absolute address; the request that caused them is long gone.
    return settings.ZHURNAL_BASE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user, kind)]
    )


def _still_wanted(notification: Notification) -> bool:
    recipient = notification.recipient
    is_guardian = hasattr(recipient, "guardian")
    if is_guardian and (recipient.pk, notification.student_id) in notifications_withdrawn(
        student_ids=[notification.student_id]
    ):
        # The consent was withdrawn after the notification was created: it stops at once.
        return False
    return bool(recipient.email) and (
        delivery_for(recipient, notification.kind, is_guardian=is_guardian) == notification.delivery
    )


def _line(notification: Notification) -> str:
    """What happened, in the active language: the child, subject, mark/absence and date."""
    day = notification.event_date.strftime("%d.%m.%Y")
    values = {
        "child": notification.student.full_name,
        "subject": notification.subject_name,
        "date": day,
        "mark": notification.detail,
    }
    if notification.kind == NotificationKind.MARK:
        return _("%(child)s: mark %(mark)s in %(subject)s, %(date)s") % values
    if notification.kind == NotificationKind.ABSENCE:
        return _("%(child)s: absent from %(subject)s, %(date)s") % values
    if notification.kind == NotificationKind.HOMEWORK:
        return _("%(child)s: new homework in %(subject)s, %(date)s") % values
    return _("%(child)s: a remark in %(subject)s, %(date)s") % values


def _send(recipient: User, subject: str, template: str, context: dict[str, Any], kind: str) -> None:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        link = unsubscribe_url(recipient, kind)
        language = translation.get_language()
        context = {
            **context,
            "recipient": recipient,
            "language": language,
            "unsubscribe_url": link,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"notifications/email/{template}.txt", context),
            to=[recipient.email],
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Content-Language": language,
            },
        )
        message.attach_alternative(
            render_to_string(f"notifications/email/{template}.html", context), "text/html"
        )
        message.send()


def notification_send(*, notification_id: int) -> bool:
    """Send one immediate notification if it is still wanted; True when an e-mail left."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient__guardian", "student")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        if not _still_wanted(notification):
            notification.status = NotificationStatus.SKIPPED
            notification.save(update_fields=["status", "updated_at"])
            return False
        recipient = notification.recipient
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            line = _line(notification)
            subject = _("Zhurnal: %(line)s") % {"line": line}
            _send(recipient, subject, "immediate", {"line": line}, notification.kind)
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["status", "sent_at", "updated_at"])
    return True


def digests_send(*, now: dt.datetime | None = None) -> list[int]:
    """Collect each recipient's waiting digest notifications into one e-mail. Recipients
    inside their quiet hours are returned (as user ids) to be sent when the hours end."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(
            delivery=Delivery.DIGEST, status=NotificationStatus.PENDING, send_after__lte=now
        )
        .select_related("recipient__guardian", "student", "school__municipality")
        .order_by("recipient_id", "event_date", "pk")
    )
    by_recipient: dict[int, list[Notification]] = {}
    for notification in waiting:
        by_recipient.setdefault(notification.recipient_id, []).append(notification)
    postponed = []
    for recipient_id, notifications in by_recipient.items():
        recipient = notifications[0].recipient
        if quiet_end(recipient, now, notifications[0].school.municipality.time_zone) is not None:
            postponed.append(recipient_id)
            continue
        digest_send_for(recipient=recipient, notifications=notifications, now=now)
    return postponed


def digest_send_for(
    *, recipient: User, notifications: Iterable[Notification], now: dt.datetime
) -> None:
    """One digest e-mail to one recipient; kinds they no longer want are left out."""
    wanted: list[Notification] = []
    unwanted: list[Notification] = []
    for notification in notifications:
        (wanted if _still_wanted(notification) else unwanted).append(notification)
    if wanted:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            lines = [_line(notification) for notification in wanted]
            subject = ngettext(
                "Zhurnal: %(count)d piece of news for the day",
                "Zhurnal: %(count)d pieces of news for the day",
                len(lines),
            ) % {"count": len(lines)}
            _send(
                recipient,
                subject,
                "digest",
                {"lines": lines},
                # The link turns off the digest kind that fills most of the e-mail.
                Counter(n.kind for n in wanted).most_common(1)[0][0],
            )
    Notification.objects.filter(pk__in=[n.pk for n in wanted]).update(
        status=NotificationStatus.SENT, sent_at=now, updated_at=now
    )
    Notification.objects.filter(pk__in=[n.pk for n in unwanted]).update(
        status=NotificationStatus.SKIPPED, updated_at=now
    )


def next_digest_time(now: dt.datetime | None = None) -> dt.datetime:
    """The next morning's digest moment in the default time zone."""
    now = now or timezone.now()
    tomorrow = now.astimezone(school_tz()).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, DIGEST_TIME, tzinfo=school_tz())


# --- preferences --------------------------------------------------------------------------


def preferences_set(
    *,
    actor: User,
    deliveries: dict[str, str],
    quiet_from: dt.time | None,
    quiet_to: dt.time | None,
) -> None:
    """Store the user's choice per kind and their quiet hours (both or neither)."""
    before = preferences_of(actor)
    with transaction.atomic():
        for kind, delivery in deliveries.items():
            NotificationPreference.objects.update_or_create(
                user=actor, kind=NotificationKind(kind), defaults={"delivery": Delivery(delivery)}
            )
        if quiet_from is not None and quiet_to is not None and quiet_from != quiet_to:
            QuietHours.objects.update_or_create(
                user=actor, defaults={"starts_at": quiet_from, "ends_at": quiet_to}
            )
        else:
            QuietHours.objects.filter(user=actor).delete()
        audit_record(
            actor=actor,
            action="notifications.preferences",
            object_type="accounts.user",
            object_id=actor.pk,
            before=before,
            after=preferences_of(actor),
        )


def _read_token(token: str) -> tuple[User, NotificationKind]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"], is_active=True)
        kind = NotificationKind(data["k"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, ValueError, TypeError) as error:
        raise ValueError("bad unsubscribe link") from error
    return user, kind


def unsubscribe_kind(*, token: str) -> str:
    """The kind a signed unsubscribe link names; ValueError when the link is bad."""
    return _read_token(token)[1]


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off one kind of e-mail for the user named in a signed link (no login)."""
    user, kind = _read_token(token)
    with transaction.atomic():
        before = preferences_of(user)
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": Delivery.NONE}
        )
        audit_record(
            actor=user,
            action="notifications.unsubscribe",
            object_type="accounts.user",
            object_id=user.pk,
            before=before,
            after=preferences_of(user),
        )
    return user, kind


def school_policy_set(*, actor: User, school: School, mark_delay_minutes: int) -> None:
    """Set the school's delay before a new mark reaches guardians."""
    with transaction.atomic():
        policy, _created = SchoolNotificationPolicy.objects.get_or_create(school=school)
        before = {"mark_delay_minutes": policy.mark_delay_minutes}
        policy.mark_delay_minutes = mark_delay_minutes
        policy.save()
        audit_record(
            actor=actor,
            action="notifications.school_policy",
            obj=policy,
            before=before,
            after={"mark_delay_minutes": mark_delay_minutes},
            school_id=school.pk,
        )
