"""Every role's home page answers only a user who holds that role (issue 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cast import Community

pytestmark = pytest.mark.django_db

# home page → (who reaches it, who must not)
HOMES = {
    "department": (["department"], ["director", "school_admin", "teacher", "guardian", "outsider"]),
    "school": (
        ["director", "deputy", "school_admin"],
        [
            "teacher",
            "class_teacher",
            "guardian",
            "student_user",
            "department",
            "outsider",
            "other_school_admin",
        ],
    ),
    "setup": (
        ["school_admin"],
        ["teacher", "director", "guardian", "outsider", "other_school_admin"],
    ),
    "teacher": (["teacher", "class_teacher", "deputy"], ["guardian", "student_user", "outsider"]),
    "class": (
        ["class_teacher", "director"],
        ["teacher", "guardian", "student_user", "outsider", "other_school_admin"],
    ),
    "student": (["student_user"], ["guardian", "teacher", "outsider"]),
    "family": (["guardian"], ["student_user", "teacher", "director", "outsider"]),
}


def home_url(community: Community, page: str) -> str:
    c = community
    return {
        "department": reverse("home:department_home"),
        "school": reverse("home:school_home", args=[c.school.pk]),
        "setup": reverse("setup:setup_home", args=[c.school.pk]),
        "teacher": reverse("timetable:teacher_home"),
        "class": reverse("people:class_home", args=[c.class_5a.pk]),
        "student": reverse("diary:student_home"),
        "family": reverse("diary:family_home"),
    }[page]


CASES = [(page, who, True) for page, (yes, _no) in HOMES.items() for who in yes] + [
    (page, who, False) for page, (_yes, no) in HOMES.items() for who in no
]


@pytest.mark.parametrize(("page", "who", "allowed"), CASES)
def test_a_home_page_answers_only_its_role(
    login, community: Community, page: str, who: str, allowed: bool
) -> None:
    response = login(getattr(community, who)).get(home_url(community, page))
    if allowed:
        assert response.status_code in {200, 302}
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("page", sorted(HOMES))
def test_an_anonymous_visitor_is_sent_to_sign_in(client, community: Community, page: str) -> None:
    response = client.get(home_url(community, page))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
