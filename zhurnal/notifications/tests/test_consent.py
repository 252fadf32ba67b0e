"""A guardian's withdrawn consent to e-mail notifications stops them at once (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tests.cast import Community
from zhurnal.notifications.models import (
    Delivery,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
)
from zhurnal.notifications.services import notification_send, notifications_create
from zhurnal.people.privacy.services import consent_give, consent_withdraw

pytestmark = pytest.mark.django_db


def create(community: Community) -> list[int]:
    created = notifications_create(
        kind=NotificationKind.MARK,
        assignment_id=community.math_5a.pk,
        event_date=dt.date(2026, 10, 5),
        student_id=community.student.pk,
        lesson_id=None,
        detail="10",
        now=timezone.now(),
    )
    return [n.recipient_id for n in created]


def test_withdrawing_notifications_consent_stops_the_next_notification(
    community: Community,
) -> None:
    NotificationPreference.objects.create(
        user=community.guardian, kind=NotificationKind.MARK, delivery=Delivery.IMMEDIATE
    )
    consent = consent_give(
        actor=community.guardian, student=community.student, purpose="notifications"
    )
    assert community.guardian.pk in create(community)
    pending = community.guardian.notifications.get()  # created before the withdrawal

    consent_withdraw(actor=community.guardian, consent=consent)

    assert community.guardian.pk not in create(community)
    # The one already waiting is not sent either.
    assert notification_send(notification_id=pending.pk) is False
    pending.refresh_from_db()
    assert pending.status == NotificationStatus.SKIPPED
    assert mail.outbox == []

    # Given again, the notifications come back.
    consent_give(actor=community.guardian, student=community.student, purpose="notifications")
    assert community.guardian.pk in create(community)
