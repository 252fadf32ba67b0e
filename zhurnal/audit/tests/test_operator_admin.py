from __future__ import annotations

from django.test import Client

from tests.cast import Community, make_user
from zhurnal.audit.models import AuditEvent
from zhurnal.schools.models import School


def test_operator_edits_in_django_admin_are_audited(client: Client, community: Community) -> None:
    operator = make_user("operator", "Оператор", "Системний", is_staff=True, is_superuser=True)
    client.force_login(operator)
    school = community.school
    page = client.get(f"/operator/schools/school/{school.pk}/change/")
    assert page.status_code == 200
    data = {
        "municipality": school.municipality_id,
        "name": "Ліцей № 1 імені Лесі Українки",
        "short_name": school.short_name,
        "code": school.code,
        "kind": school.kind,
        "address": "",
        "grade_min": 1,
        "grade_max": 11,
        "term_mark_method": school.term_mark_method,
    }
    response = client.post(f"/operator/schools/school/{school.pk}/change/", data)
    assert response.status_code == 302
    assert School.objects.get(pk=school.pk).name == "Ліцей № 1 імені Лесі Українки"
    event = AuditEvent.objects.get(action="operator.update", object_id=str(school.pk))
    assert event.before["name"] == "Ліцей № 1"
    assert event.after["name"] == "Ліцей № 1 імені Лесі Українки"


def test_audit_log_cannot_be_edited_in_django_admin(client: Client, community: Community) -> None:
    operator = make_user("operator", "Оператор", "Системний", is_staff=True, is_superuser=True)
    client.force_login(operator)
    client.post(
        f"/operator/schools/school/{community.school.pk}/change/",
        {
            "municipality": community.municipality.pk,
            "name": "X",
            "short_name": "X",
            "code": "9",
            "kind": "general",
            "grade_min": 1,
            "grade_max": 11,
            "term_mark_method": "thematic_mean",
        },
    )
    event = AuditEvent.objects.first()
    assert event is not None
    assert client.get(f"/operator/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/operator/audit/auditevent/{event.pk}/change/", {}).status_code == 403
