"""Who must sign in with a second factor: the department for its community, the director
for the school; read by the school's administration; audited; applied from the next login."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.people.security import second_factor_required
from zhurnal.schools.models import Municipality, School, SecondFactorPolicy

pytestmark = pytest.mark.django_db


def test_the_director_requires_a_second_factor_of_every_member_of_staff(
    community: Community, login: Any
) -> None:
    assert not second_factor_required(community.teacher)
    url = reverse("home:school_signin_policy", args=[community.school.pk])
    page = login(community.director).get(url)
    assert page.status_code == 200
    assert 'name="policy"' in page.content.decode()
    response = login(community.director).post(url, {"policy": SecondFactorPolicy.STAFF})
    assert response.status_code == 302
    community.school.refresh_from_db()
    assert community.school.second_factor_policy == SecondFactorPolicy.STAFF
    assert second_factor_required(community.teacher)
    event = AuditEvent.objects.get(action="school.second_factor_policy")
    assert event.after == {"second_factor_policy": "staff"}
    assert event.school_id == community.school.pk


def test_the_deputy_reads_the_policy_and_cannot_change_it(community: Community, login: Any) -> None:
    url = reverse("home:school_signin_policy", args=[community.school.pk])
    client = login(community.deputy)
    assert 'name="policy"' not in client.get(url).content.decode()
    client.post(url, {"policy": SecondFactorPolicy.OFF})
    community.school.refresh_from_db()
    assert community.school.second_factor_policy == SecondFactorPolicy.INHERIT
    assert not AuditEvent.objects.filter(action="school.second_factor_policy").exists()


@pytest.mark.parametrize("who", ["teacher", "guardian", "other_school_admin"])
def test_others_do_not_reach_the_school_policy(community: Community, login: Any, who: str) -> None:
    url = reverse("home:school_signin_policy", args=[community.school.pk])
    response = login(getattr(community, who)).post(url, {"policy": SecondFactorPolicy.OFF})
    assert response.status_code == 404
    community.school.refresh_from_db()
    assert community.school.second_factor_policy == SecondFactorPolicy.INHERIT


def test_the_department_lifts_the_requirement_for_its_community(
    community: Community, login: Any
) -> None:
    assert second_factor_required(community.director)
    url = reverse("home:department_signin_policy")
    response = login(community.department).post(url, {"policy": SecondFactorPolicy.OFF})
    assert response.status_code == 302
    municipality = Municipality.objects.get(pk=community.school.municipality_id)
    assert municipality.second_factor_policy == SecondFactorPolicy.OFF
    assert not second_factor_required(community.director)
    # the school's own choice wins over the community's
    School.objects.filter(pk=community.school.pk).update(
        second_factor_policy=SecondFactorPolicy.STAFF
    )
    assert second_factor_required(community.director)


def test_an_unknown_policy_is_refused_and_changes_nothing(community: Community, login: Any) -> None:
    url = reverse("home:department_signin_policy")
    response = login(community.department).post(url, {"policy": "nobody-ever"})
    assert response.status_code == 200
    assert "policy" in response.context["form"].errors
    municipality = Municipality.objects.get(pk=community.school.municipality_id)
    assert municipality.second_factor_policy == SecondFactorPolicy.INHERIT


def test_a_teacher_does_not_reach_the_community_policy(community: Community, login: Any) -> None:
    response = login(community.teacher).get(reverse("home:department_signin_policy"))
    assert response.status_code == 404
