"""The preferences page, the school's delay page and their audit events."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.notifications.models import (
    Delivery,
    NotificationKind,
    NotificationPreference,
    QuietHours,
    SchoolNotificationPolicy,
)

PREFS = reverse("notifications:preferences")

FORM = {
    "mark": "digest",
    "absence": "immediate",
    "remark": "none",
    "homework": "none",
    "quiet_from": "21:00",
    "quiet_to": "07:00",
}


def policy_url(community: Community, school=None) -> str:  # type: ignore[no-untyped-def]
    return reverse("notifications:school_policy", args=[(school or community.school).pk])


def test_guardian_sees_defaults_on_the_preferences_page(community: Community, login) -> None:
    client = login(community.guardian)
    response = client.get(PREFS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<legend>" in html and 'for="id_quiet_from"' in html
    form = response.context["form"]
    assert form.initial["mark"] == Delivery.IMMEDIATE
    assert form.initial["absence"] == Delivery.IMMEDIATE
    assert form.initial["homework"] == Delivery.DIGEST


def test_guardian_saves_preferences_and_quiet_hours_audited(community: Community, login) -> None:
    client = login(community.guardian)
    response = client.post(PREFS, FORM)
    assert response.status_code == 302
    saved = dict(
        NotificationPreference.objects.filter(user=community.guardian).values_list(
            "kind", "delivery"
        )
    )
    assert saved == {"mark": "digest", "absence": "immediate", "remark": "none", "homework": "none"}
    quiet = QuietHours.objects.get(user=community.guardian)
    assert quiet.starts_at.hour == 21 and quiet.ends_at.hour == 7
    event = AuditEvent.objects.get(action="notifications.preferences")
    assert event.actor == community.guardian
    # Nobody else's preferences changed.
    assert not NotificationPreference.objects.exclude(user=community.guardian).exists()


def test_half_quiet_hours_are_refused(community: Community, login) -> None:
    client = login(community.guardian)
    response = client.post(PREFS, {**FORM, "quiet_to": ""})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not NotificationPreference.objects.exists()
    assert not QuietHours.objects.exists()


def test_student_may_choose_emails_for_themselves(community: Community, login) -> None:
    client = login(community.student_user)
    assert client.get(PREFS).status_code == 200
    assert client.post(PREFS, {**FORM, "quiet_from": "", "quiet_to": ""}).status_code == 302
    assert NotificationPreference.objects.filter(user=community.student_user).count() == 4


@pytest.mark.parametrize("who", ["outsider", "teacher"])
def test_users_without_children_get_not_found(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    assert client.get(PREFS).status_code == 404
    assert client.post(PREFS, FORM).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_anonymous_is_sent_to_log_in(community: Community, client) -> None:
    response = client.post(PREFS, FORM)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not NotificationPreference.objects.exists()


def test_school_admin_sets_the_mark_delay_audited(community: Community, login) -> None:
    client = login(community.school_admin)
    assert client.get(policy_url(community)).status_code == 200
    response = client.post(policy_url(community), {"mark_delay_minutes": "45"})
    assert response.status_code == 302
    assert SchoolNotificationPolicy.objects.get(school=community.school).mark_delay_minutes == 45
    event = AuditEvent.objects.get(action="notifications.school_policy")
    assert event.actor == community.school_admin


def test_mark_delay_longer_than_a_day_is_refused(community: Community, login) -> None:
    client = login(community.school_admin)
    response = client.post(policy_url(community), {"mark_delay_minutes": "2000"})
    assert response.status_code == 200
    assert not SchoolNotificationPolicy.objects.exists()


@pytest.mark.parametrize("who", ["other_school_admin", "teacher", "director", "guardian"])
def test_others_cannot_reach_the_schools_delay(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    assert client.get(policy_url(community)).status_code == 404
    assert client.post(policy_url(community), {"mark_delay_minutes": "45"}).status_code == 404
    assert not SchoolNotificationPolicy.objects.exists()


def test_unsubscribe_get_changes_nothing(community: Community, client) -> None:
    from zhurnal.notifications.services import unsubscribe_token

    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(community.guardian, "absence")]
    )
    response = client.get(url)
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()
    assert client.post(url).status_code == 200
    pref = NotificationPreference.objects.get(user=community.guardian)
    assert (pref.kind, pref.delivery) == (NotificationKind.ABSENCE, Delivery.NONE)
    assert AuditEvent.objects.filter(action="notifications.unsubscribe").count() == 1
