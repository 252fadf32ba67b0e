"""Writes of the diary: visits (for "new since your last visit") and calendar feeds."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record
from zhurnal.diary.models import CalendarFeed, DiaryVisit
from zhurnal.people.models import Student

# Opening the week, then the marks, within this span is one visit: what was new stays
# highlighted while the family looks around.
VISIT_SPAN = dt.timedelta(minutes=30)


def diary_visit_record(*, user: User, student: Student) -> dt.datetime | None:
    """Record that the user opened the student's diary now; returns the time of their
    previous visit (None on the first), after which entries count as new."""
    now = timezone.now()
    with transaction.atomic():
        visit, created = DiaryVisit.objects.select_for_update().get_or_create(
            user=user, student=student, defaults={"last_seen_at": now}
        )
        if created:
            return None
        if now - visit.last_seen_at > VISIT_SPAN:
            visit.previous_seen_at = visit.last_seen_at
        visit.last_seen_at = now
        visit.save(update_fields=["previous_seen_at", "last_seen_at"])
        return visit.previous_seen_at


def calendar_feed_create(*, actor: User, student: Student) -> CalendarFeed:
    """A new private calendar address for the user and child; an older one is revoked."""
    with transaction.atomic():
        for old in CalendarFeed.objects.select_for_update().filter(
            user=actor, student=student, revoked_at__isnull=True
        ):
            calendar_feed_revoke(actor=actor, feed=old)
        feed = CalendarFeed.objects.create(
            user=actor, student=student, token=secrets.token_urlsafe(32)
        )
        audit_record(
            actor=actor,
            action="calendar_feed.create",
            obj=feed,
            after={"student": student.pk},
        )
    return feed


def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> None:
    """The feed's address stops working at once."""
    with transaction.atomic():
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="calendar_feed.revoke",
            obj=feed,
            before={"student": feed.student_id, "revoked_at": None},
            after={"student": feed.student_id, "revoked_at": feed.revoked_at.isoformat()},
        )
