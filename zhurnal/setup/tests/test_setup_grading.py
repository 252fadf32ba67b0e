from __future__ import annotations

from django.test import Client

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.models import GradingScale, ScaleRule
from zhurnal.journal.scales import scale_for
from zhurnal.schools.models import School


def _url(community: Community) -> str:
    return f"/school/{community.school.pk}/setup/grading/"


def test_administrator_chooses_a_scale_for_grades_and_subject(
    client: Client, community: Community
) -> None:
    client.force_login(community.school_admin)
    assert client.get(_url(community)).status_code == 200
    pass_fail = GradingScale.objects.get(code="pass-fail")
    response = client.post(
        _url(community),
        {"grade_from": 5, "grade_to": 9, "subject": community.math.pk, "scale": pass_fail.pk},
    )
    assert response.status_code == 302
    rule = ScaleRule.objects.get(school=community.school)
    assert (rule.grade_from, rule.grade_to, rule.subject_id) == (5, 9, community.math.pk)
    assert AuditEvent.objects.filter(action="scale_rule.create").exists()
    assert scale_for(school=community.school, grade=5, subject_id=community.math.pk).code == (
        "pass-fail"
    )
    assert scale_for(school=community.school, grade=5, subject_id=community.ukrainian.pk).code == (
        "ua-12"
    )


def test_overlapping_rule_is_refused_with_a_message_and_nothing_saved(
    client: Client, community: Community
) -> None:
    client.force_login(community.school_admin)
    scale = GradingScale.objects.get(code="pass-fail")
    ScaleRule.objects.create(school=community.school, grade_from=5, grade_to=9, scale=scale)
    response = client.post(_url(community), {"grade_from": 7, "grade_to": 11, "scale": scale.pk})
    assert response.status_code == 200
    assert ScaleRule.objects.count() == 1
    response = client.post(_url(community), {"grade_from": 9, "grade_to": 5, "scale": scale.pk})
    assert ScaleRule.objects.count() == 1


def test_term_mark_method_is_set_by_the_administrator(client: Client, community: Community) -> None:
    client.force_login(community.school_admin)
    client.post(f"/school/{community.school.pk}/setup/grading/method/", {"method": "weighted_mean"})
    assert School.objects.get(pk=community.school.pk).term_mark_method == "weighted_mean"
    assert AuditEvent.objects.filter(action="school.term_mark_method").exists()


def test_other_roles_and_schools_cannot_reach_grading(client: Client, community: Community) -> None:
    scale = GradingScale.objects.get(code="pass-fail")
    for user in (
        community.other_school_admin,
        community.teacher,
        community.deputy,
        community.outsider,
    ):
        client.force_login(user)
        assert client.get(_url(community)).status_code == 404
        response = client.post(_url(community), {"grade_from": 5, "grade_to": 9, "scale": scale.pk})
        assert response.status_code == 404
        method = client.post(
            f"/school/{community.school.pk}/setup/grading/method/", {"method": "weighted_mean"}
        )
        assert method.status_code == 404
    assert not ScaleRule.objects.exists()
    assert School.objects.get(pk=community.school.pk).term_mark_method == "thematic_mean"
