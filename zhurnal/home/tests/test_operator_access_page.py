"""The school's page of operator access: the director grants and revokes, the school's
administration reads it, nobody else reaches it (issue 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cast import Community, make_user
from zhurnal.audit.models import AuditEvent, OperatorGrant
from zhurnal.audit.operators import granted_school_ids, operator_grant_create
from zhurnal.setup.tests.builders import table_counts

pytestmark = pytest.mark.django_db


def page_url(community: Community) -> str:
    return reverse("home:school_operators", args=[community.school.pk])


def test_director_gives_an_operator_access_for_days(login, community: Community) -> None:
    c = community
    operator = make_user("operator", "Оператор", "Системний", is_staff=True)
    client = login(c.director)
    assert "operator" in client.get(page_url(c)).content.decode()
    response = client.post(
        page_url(c), {"operator": operator.pk, "days": 2, "reason": "Перенесення оцінок"}
    )
    assert response.status_code == 302
    grant = OperatorGrant.objects.get()
    assert (grant.school_id, grant.operator, grant.granted_by) == (
        c.school.pk,
        operator,
        c.director,
    )
    assert granted_school_ids(operator) == [c.school.pk]
    assert AuditEvent.objects.filter(action="operator_grant.create", school_id=c.school.pk).exists()
    page = client.get(page_url(c)).content.decode()
    assert "Перенесення оцінок" in page


def test_director_revokes_and_access_ends_at_once(login, community: Community) -> None:
    c = community
    operator = make_user("operator", "Оператор", "Системний", is_staff=True)
    grant = operator_grant_create(
        actor=c.director, school_id=c.school.pk, operator=operator, days=1, reason="Підтримка"
    )
    response = login(c.director).post(
        reverse("home:school_operator_revoke", args=[c.school.pk, grant.pk])
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == c.director
    assert granted_school_ids(operator) == []


@pytest.mark.parametrize("who", ["deputy", "school_admin"])
def test_the_administration_reads_the_grants_but_cannot_give_or_revoke(
    login, community: Community, who: str
) -> None:
    c = community
    operator = make_user("operator", "Оператор", "Системний", is_staff=True)
    grant = operator_grant_create(
        actor=c.director, school_id=c.school.pk, operator=operator, days=1, reason="Підтримка"
    )
    client = login(getattr(c, who))
    page = client.get(page_url(c))
    assert page.status_code == 200 and "Підтримка" in page.content.decode()
    assert page.context["form"] is None
    before = table_counts()
    client.post(page_url(c), {"operator": operator.pk, "days": 2, "reason": "Ще"})
    revoke = reverse("home:school_operator_revoke", args=[c.school.pk, grant.pk])
    assert client.post(revoke).status_code == 404
    assert table_counts() == before
    assert OperatorGrant.objects.get().revoked_at is None


@pytest.mark.parametrize(
    "who", ["teacher", "class_teacher", "guardian", "student_user", "department", "outsider"]
)
def test_nobody_else_reaches_the_page(login, community: Community, who: str) -> None:
    c = community
    operator = make_user("operator", "Оператор", "Системний", is_staff=True)
    client = login(getattr(c, who))
    assert client.get(page_url(c)).status_code == 404
    before = table_counts()
    response = client.post(page_url(c), {"operator": operator.pk, "days": 1, "reason": "x"})
    assert response.status_code == 404
    assert table_counts() == before


def test_another_schools_director_cannot_revoke(login, community: Community) -> None:
    c = community
    operator = make_user("operator", "Оператор", "Системний", is_staff=True)
    grant = operator_grant_create(
        actor=c.director, school_id=c.school.pk, operator=operator, days=1, reason="Підтримка"
    )
    from zhurnal.people.models import Role, RoleAssignment

    RoleAssignment.objects.create(
        user=c.other_school_admin, role=Role.DIRECTOR, school=c.other_school
    )
    client = login(c.other_school_admin)
    url = reverse("home:school_operator_revoke", args=[c.other_school.pk, grant.pk])
    assert client.post(url).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_a_grant_longer_than_allowed_is_refused_in_words(login, community: Community) -> None:
    c = community
    operator = make_user("operator", "Оператор", "Системний", is_staff=True)
    response = login(c.director).post(
        page_url(c), {"operator": operator.pk, "days": 30, "reason": "Довго"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["days"]
    assert not OperatorGrant.objects.exists()


def test_only_operators_are_offered(login, community: Community) -> None:
    response = login(community.director).get(page_url(community))
    choices = response.context["form"].fields["operator"].queryset
    assert community.teacher not in choices


def test_the_school_page_links_to_operator_access(login, community: Community) -> None:
    page = login(community.director).get(reverse("home:school_home", args=[community.school.pk]))
    assert page_url(community) in page.content.decode()
