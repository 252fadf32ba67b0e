"""Staff set-up: creating logins, roles, and temporary passwords shown once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEvent
from zhurnal.people.models import Role, RoleAssignment, StaffMember
from zhurnal.setup.tests.builders import table_counts

pytestmark = pytest.mark.django_db


def staff_of(community: Community, user: User) -> StaffMember:
    return StaffMember.objects.get(user=user, school=community.school)


def test_admin_adds_a_staff_member_with_roles(login, community: Community):
    c = community
    client = login(c.school_admin)
    response = client.post(
        reverse("setup:setup_staff", args=[c.school.pk]),
        {
            "surname": "Шевченко",
            "given_name": "Тарас",
            "patronymic": "Григорович",
            "email": "t.shevchenko@school.test",
            "position": "вчитель української мови",
            "qualification": "спеціаліст вищої категорії",
            "roles": ["teacher", "deputy"],
        },
    )
    member = StaffMember.objects.get(user__email="t.shevchenko@school.test")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "setup:setup_staff_detail", args=[c.school.pk, member.pk]
    )
    assert member.school == c.school
    assert set(RoleAssignment.objects.filter(user=member.user).values_list("role", flat=True)) == {
        "teacher",
        "deputy",
    }
    assert not member.user.has_usable_password()
    assert AuditEvent.objects.filter(action="staff.create", object_id=str(member.pk)).exists()
    page = client.get(reverse("setup:setup_staff", args=[c.school.pk]))
    assert "Шевченко Тарас Григорович" in page.content.decode()


def test_staff_form_offers_no_department_role(login, community: Community):
    c = community
    client = login(c.school_admin)
    before = table_counts()
    response = client.post(
        reverse("setup:setup_staff", args=[c.school.pk]),
        {"surname": "Хитрий", "given_name": "Іван", "position": "x", "roles": ["department"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["roles"]
    assert table_counts() == before


def test_admin_changes_roles_and_each_change_is_audited(login, community: Community):
    c = community
    client = login(c.school_admin)
    member = staff_of(c, c.teacher)
    url = reverse("setup:setup_staff_detail", args=[c.school.pk, member.pk])
    assert client.post(url, {"roles": ["deputy"]}).status_code == 302
    roles = set(RoleAssignment.objects.filter(user=c.teacher).values_list("role", flat=True))
    assert roles == {"deputy"}
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1
    assert AuditEvent.objects.filter(action="role.assign").count() == 1


def test_admin_cannot_take_their_own_admin_role(login, community: Community):
    c = community
    client = login(c.school_admin)
    member = staff_of(c, c.school_admin)
    before = table_counts()
    response = client.post(
        reverse("setup:setup_staff_detail", args=[c.school.pk, member.pk]), {"roles": ["teacher"]}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert table_counts() == before


def test_temporary_password_is_shown_once_and_must_be_changed(login, community: Community):
    c = community
    client = login(c.school_admin)
    member = staff_of(c, c.teacher)
    url = reverse("setup:setup_staff_password", args=[c.school.pk, member.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    c.teacher.refresh_from_db()
    assert c.teacher.must_change_password
    assert c.teacher.check_password(password)
    event = AuditEvent.objects.get(action="user.temporary_password")
    assert password not in str(event.after)
    detail = client.get(reverse("setup:setup_staff_detail", args=[c.school.pk, member.pk]))
    assert password not in detail.content.decode()


def test_no_temporary_password_for_a_login_with_duties_elsewhere(login, community: Community):
    c = community
    RoleAssignment.objects.create(user=c.teacher, role=Role.SCHOOL_ADMIN, school=c.other_school)
    client = login(c.school_admin)
    member = staff_of(c, c.teacher)
    password_hash = User.objects.get(pk=c.teacher.pk).password
    response = client.post(reverse("setup:setup_staff_password", args=[c.school.pk, member.pk]))
    assert response.status_code == 302
    assert User.objects.get(pk=c.teacher.pk).password == password_hash
    assert not AuditEvent.objects.filter(action="user.temporary_password").exists()


@pytest.mark.parametrize("who", ["director", "teacher", "other_school_admin", "outsider"])
def test_only_the_school_admin_issues_passwords(login, community: Community, who: str):
    c = community
    member = staff_of(c, c.teacher)
    password_hash = User.objects.get(pk=c.teacher.pk).password
    response = login(getattr(c, who)).post(
        reverse("setup:setup_staff_password", args=[c.school.pk, member.pk])
    )
    assert response.status_code == 404
    assert User.objects.get(pk=c.teacher.pk).password == password_hash


def test_staff_of_another_school_cannot_be_reached_through_this_school(login, community: Community):
    c = community
    client = login(c.school_admin)
    foreign = StaffMember.objects.get(user=c.other_school_admin)
    before = table_counts()
    for name in ("setup:setup_staff_detail", "setup:setup_staff_password"):
        assert client.post(reverse(name, args=[c.school.pk, foreign.pk])).status_code == 404
    assert table_counts() == before
