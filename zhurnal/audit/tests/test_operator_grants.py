"""The operators' admin reaches a school's personal data only through the director's grant,
for a limited time, audited (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.cast import Community, make_user
from zhurnal.accounts.models import User
from zhurnal.audit.admin import AuditedModelAdmin, AuditEventAdmin, OperatorGrantAdmin
from zhurnal.audit.models import AuditEvent, OperatorGrant
from zhurnal.audit.operators import (
    granted_school_ids,
    operator_grant_create,
    operator_grant_revoke,
)
from zhurnal.audit.services import audit_record
from zhurnal.people.models import Enrollment, Guardian, Student, StudentGuardian

pytestmark = pytest.mark.django_db

# The school's personal data in the admin: list URL → the row of the community's school.
PERSONAL = {
    "people/student": lambda c: c.student.pk,
    "people/guardian": lambda c: c.guardian_record.pk,
    "people/enrollment": lambda c: Enrollment.objects.filter(student=c.student).first().pk,
    "people/studentguardian": lambda c: (
        StudentGuardian.objects.filter(student=c.student).first().pk
    ),
    "people/staffmember": lambda c: c.director.staff_posts.first().pk,
    "people/roleassignment": lambda c: c.director.roles.first().pk,
    "accounts/user": lambda c: c.guardian.pk,
    "timetable/teachingassignment": lambda c: c.math_5a.pk,
}

# Registered models that are a school's structure, not anyone's personal data, or the
# service's own security records: reachable without a grant, each with its reason.
NOT_SCHOOL_PERSONAL = {
    "schools.municipality": "the community: names and settings",
    "schools.school": "the school's own description",
    "schools.academicyear": "the calendar of a year",
    "schools.term": "the calendar of a year",
    "schools.holiday": "the calendar of a year",
    "schools.classgroup": "class names (the class teacher is chosen from scoped accounts)",
    "schools.subgroup": "subgroup names",
    "schools.subject": "the school's subjects",
    "schools.curriculumentry": "hours of the curriculum",
    "journal.gradingscale": "mark scales",
    "journal.scalerule": "mark scales",
    "timetable.period": "the bell schedule",
    "timetable.timetable": "the timetable's versions",
    "timetable.timetableentry": "the timetable's cells (teachers reached through scoped "
    "teaching assignments)",
    "audit.operatorgrant": "the operator's own grants only (OperatorGrantAdmin)",
    "audit.auditevent": "scoped by its school_id (AuditEventAdmin)",
    "auth.group": "permission groups",
    "django_tasks_database.dbtaskresult": "the background queue: tasks with ids as arguments",
    "axes.accessattempt": "the security log of sign-in attempts, across the service",
    "axes.accesslog": "the security log of sign-in attempts, across the service",
    "axes.accessfailurelog": "the security log of sign-in attempts, across the service",
}


def operator_user(username: str = "operator") -> User:
    return make_user(username, "Оператор", "Системний", is_staff=True, is_superuser=True)


def grant(community: Community, operator: User, *, days: int = 1) -> OperatorGrant:
    return operator_grant_create(
        actor=community.director,
        school_id=community.school.pk,
        operator=operator,
        days=days,
        reason="Перенесення даних з паперового журналу",
    )


def test_every_admin_of_a_schools_personal_data_is_scoped_by_grants() -> None:
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label in NOT_SCHOOL_PERSONAL:
            continue
        if not (isinstance(model_admin, AuditedModelAdmin) and model_admin.school_paths):
            unscoped.append(label)
    assert unscoped == [], (
        "These admins show personal data without the school director's grant: give them "
        "school_paths (zhurnal.audit.admin.AuditedModelAdmin) or list them above with why."
    )
    assert isinstance(admin.site._registry[AuditEvent], AuditEventAdmin)
    assert isinstance(admin.site._registry[OperatorGrant], OperatorGrantAdmin)


@pytest.mark.parametrize("path", sorted(PERSONAL))
def test_without_a_grant_nothing_of_the_school_is_listed_or_reachable_by_id(
    client: Client, community: Community, path: str
) -> None:
    operator = operator_user()
    client.force_login(operator)
    pk = PERSONAL[path](community)
    listing = client.get(f"/operator/{path}/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 0 or pk not in {
        row.pk for row in listing.context["cl"].result_list
    }
    change = client.get(f"/operator/{path}/{pk}/change/")
    # Django's admin answers a row outside the queryset as missing: back to the index.
    assert change.status_code == 302
    assert client.get(f"/operator/{path}/{pk}/delete/").status_code == 302
    assert client.get(f"/operator/{path}/{pk}/history/").status_code == 302


@pytest.mark.parametrize("path", sorted(PERSONAL))
def test_with_a_grant_the_schools_rows_are_reachable(
    client: Client, community: Community, path: str
) -> None:
    operator = operator_user()
    grant(community, operator)
    client.force_login(operator)
    pk = PERSONAL[path](community)
    listing = client.get(f"/operator/{path}/")
    assert pk in {row.pk for row in listing.context["cl"].result_list}
    assert client.get(f"/operator/{path}/{pk}/change/").status_code == 200


def test_a_grant_reaches_only_its_own_school(client: Client, community: Community) -> None:
    c = community
    elsewhere = Student.objects.create(
        municipality=c.municipality,
        surname="Іншашкола",
        given_name="Марко",
        birth_date=dt.date(2015, 3, 1),
    )
    Enrollment.objects.create(
        student=elsewhere, class_group=c.other_school_class, starts_on=c.year.starts_on
    )
    operator = operator_user()
    grant(c, operator)
    client.force_login(operator)
    shown = {row.pk for row in client.get("/operator/people/student/").context["cl"].result_list}
    assert c.student.pk in shown
    assert elsewhere.pk not in shown
    assert client.get(f"/operator/people/student/{elsewhere.pk}/change/").status_code == 302
    assert "Іншашкола" not in client.get("/operator/people/enrollment/add/").content.decode()


def test_the_audit_of_a_school_is_shown_only_with_its_grant(
    client: Client, community: Community
) -> None:
    c = community
    event = audit_record(
        actor=c.director, action="test.touch", obj=c.student, school_id=c.school.pk
    )
    operator = operator_user()
    client.force_login(operator)
    assert client.get(f"/operator/audit/auditevent/{event.pk}/change/").status_code == 302
    grant(c, operator)
    assert client.get(f"/operator/audit/auditevent/{event.pk}/change/").status_code == 200


def test_an_ended_or_revoked_grant_reaches_nothing(client: Client, community: Community) -> None:
    c = community
    operator = operator_user()
    given = grant(c, operator)
    assert granted_school_ids(operator) == [c.school.pk]
    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert granted_school_ids(operator, now=later) == []
    OperatorGrant.objects.filter(pk=given.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(operator)
    assert client.get(f"/operator/people/student/{c.student.pk}/change/").status_code == 302
    again = grant(c, operator)
    assert client.get(f"/operator/people/student/{c.student.pk}/change/").status_code == 200
    operator_grant_revoke(actor=c.director, grant=again)
    assert client.get(f"/operator/people/student/{c.student.pk}/change/").status_code == 302


def test_grant_and_revoke_are_audited_with_the_school(community: Community) -> None:
    c = community
    operator = operator_user()
    given = grant(c, operator, days=3)
    created = AuditEvent.objects.get(action="operator_grant.create", object_id=str(given.pk))
    assert created.school_id == c.school.pk
    assert created.actor_id == c.director.pk
    assert created.after["operator_id"] == operator.pk
    assert given.ends_at - given.starts_at == dt.timedelta(days=3)
    operator_grant_revoke(actor=c.director, grant=given)
    revoked = AuditEvent.objects.get(action="operator_grant.revoke", object_id=str(given.pk))
    assert revoked.school_id == c.school.pk
    assert revoked.before["revoked_at"] is None and revoked.after["revoked_at"]
    with pytest.raises(ValidationError):
        operator_grant_revoke(actor=c.director, grant=given)


@pytest.mark.parametrize(
    ("days", "who", "reason"),
    [(0, "operator", "x"), (8, "operator", "x"), (1, "teacher", "x"), (1, "operator", "  ")],
)
def test_a_grant_is_refused_outside_its_rules(
    community: Community, days: int, who: str, reason: str
) -> None:
    operator = operator_user() if who == "operator" else community.teacher
    with pytest.raises(ValidationError):
        operator_grant_create(
            actor=community.director,
            school_id=community.school.pk,
            operator=operator,
            days=days,
            reason=reason,
        )
    assert not OperatorGrant.objects.exists()


def test_operator_edits_of_a_schools_rows_are_audited_with_the_school(
    client: Client, community: Community
) -> None:
    c = community
    operator = operator_user()
    grant(c, operator)
    client.force_login(operator)
    guardian = Guardian.objects.get(pk=c.guardian_record.pk)
    page = client.get(f"/operator/people/guardian/{guardian.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data["phone"] = "+380501112233"
    response = client.post(f"/operator/people/guardian/{guardian.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="operator.update", object_id=str(guardian.pk))
    assert event.school_id == c.school.pk
    assert event.role == "operator"


def test_the_operator_sees_only_their_own_grants(client: Client, community: Community) -> None:
    operator, other = operator_user(), operator_user("operator2")
    mine = grant(community, operator)
    theirs = grant(community, other)
    client.force_login(operator)
    shown = {
        row.pk for row in client.get("/operator/audit/operatorgrant/").context["cl"].result_list
    }
    assert shown == {mine.pk}
    assert client.get(f"/operator/audit/operatorgrant/{theirs.pk}/change/").status_code == 302


def test_the_sign_in_security_log_is_read_only_in_the_admin(client: Client) -> None:
    """Deleting an attempt would end a lockout unaudited: only `zhurnal sign_in --unlock`
    does that, with a reason in the audit log."""
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="director", ip_address="203.0.113.9", user_agent="x", failures_since_start=10
    )
    client.force_login(operator_user())
    assert client.get("/operator/axes/accessattempt/").status_code == 200
    assert client.get(f"/operator/axes/accessattempt/{attempt.pk}/delete/").status_code == 403
    client.post(
        "/operator/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
