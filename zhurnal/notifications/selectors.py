"""Reads for notifications: who hears about an event, what each user chose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from zhurnal.accounts.models import User
from zhurnal.core.timeutil import school_tz
from zhurnal.notifications.models import (
    Delivery,
    NotificationKind,
    NotificationPreference,
    QuietHours,
)
from zhurnal.people.models import Student, StudentGuardian
from zhurnal.timetable.models import Lesson

GUARDIAN_DEFAULTS = {
    NotificationKind.MARK: Delivery.IMMEDIATE,
    NotificationKind.ABSENCE: Delivery.IMMEDIATE,
    NotificationKind.REMARK: Delivery.IMMEDIATE,
    NotificationKind.HOMEWORK: Delivery.DIGEST,
}
# Students see everything in their diary; e-mail to them is opt-in.
STUDENT_DEFAULTS = dict.fromkeys(NotificationKind, Delivery.NONE)


def default_delivery(kind: str, *, is_guardian: bool) -> str:
    return (GUARDIAN_DEFAULTS if is_guardian else STUDENT_DEFAULTS)[NotificationKind(kind)]


def delivery_for(user: User, kind: str, *, is_guardian: bool) -> str:
    """The user's choice for this kind of news, or the default for their role."""
    chosen = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    return chosen or default_delivery(kind, is_guardian=is_guardian)


def is_family_user(user: User) -> tuple[bool, bool]:
    """(may have notification preferences, is a guardian)."""
    if not user.is_authenticated:
        return False, False
    is_guardian = hasattr(user, "guardian")
    return is_guardian or hasattr(user, "student"), is_guardian


def preferences_of(user: User) -> dict[str, Any]:
    """Every kind with its delivery (defaults filled in) and the quiet hours."""
    _family, is_guardian = is_family_user(user)
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    quiet = QuietHours.objects.filter(user=user).first()
    return {
        "deliveries": {
            kind.value: chosen.get(kind.value) or default_delivery(kind, is_guardian=is_guardian)
            for kind in NotificationKind
        },
        "quiet_from": quiet.starts_at.strftime("%H:%M") if quiet else None,
        "quiet_to": quiet.ends_at.strftime("%H:%M") if quiet else None,
    }


def quiet_end(user: User, moment: dt.datetime, tz_name: str) -> dt.datetime | None:
    """When the user's quiet hours end, if `moment` falls inside them; else None."""
    quiet = QuietHours.objects.filter(user=user).first()
    if quiet is None:
        return None
    return quiet_window_end(moment, quiet.starts_at, quiet.ends_at, tz_name)


def quiet_window_end(
    moment: dt.datetime, starts_at: dt.time, ends_at: dt.time, tz_name: str
) -> dt.datetime | None:
    tz = school_tz(tz_name)
    local = moment.astimezone(tz)
    now_t = local.time()
    today = local.date()
    if starts_at == ends_at:
        return None
    if starts_at < ends_at:
        inside = starts_at <= now_t < ends_at
        end_day = today
    elif now_t >= starts_at:
        inside, end_day = True, today + dt.timedelta(days=1)
    else:
        inside, end_day = now_t < ends_at, today
    if not inside:
        return None
    return dt.datetime.combine(end_day, ends_at, tzinfo=tz)


def event_recipients(
    *, student_id: int | None, lesson_id: int | None
) -> Iterator[tuple[User, Student, bool]]:
    """(login, child, is guardian) for every login that may hear about the child: the
    student's own and each linked guardian's — never anyone else's."""
    if student_id is not None:
        students = list(Student.objects.filter(pk=student_id).select_related("user"))
    elif lesson_id is not None:
        lesson = Lesson.objects.select_related("assignment").get(pk=lesson_id)
        on_day = Q(enrollments__starts_on__lte=lesson.date) & (
            Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=lesson.date)
        )
        query = Student.objects.filter(
            on_day, enrollments__class_group_id=lesson.assignment.class_group_id
        )
        if lesson.assignment.subgroup_id:
            query = query.filter(subgroups__subgroup_id=lesson.assignment.subgroup_id)
        students = list(query.distinct().select_related("user"))
    else:
        return
    links = StudentGuardian.objects.filter(
        student__in=students, guardian__user__isnull=False
    ).select_related("guardian__user")
    guardians_of: dict[int, list[User]] = {}
    for link in links:
        user = link.guardian.user
        if user is not None and user.is_active:
            guardians_of.setdefault(link.student_id, []).append(user)
    for student in students:
        if student.user is not None and student.user.is_active:
            yield student.user, student, False
        for user in guardians_of.get(student.pk, []):
            yield user, student, True
