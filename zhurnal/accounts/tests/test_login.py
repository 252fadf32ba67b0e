from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.cast import PASSWORD, Community
from zhurnal.accounts.models import User
from zhurnal.accounts.twofactor import session_second_factor_passed
from zhurnal.audit.models import AuditEvent


def test_login_with_username(client: Client, community: Community) -> None:
    response = client.post("/login/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(community.teacher.pk)


def test_login_with_email_any_case(client: Client, community: Community) -> None:
    response = client.post("/login/", {"username": "Guardian@Family.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(community.guardian.pk)


def test_wrong_password_is_refused_with_a_message_in_ukrainian(
    client: Client, community: Community
) -> None:
    response = client.post("/login/", {"username": "teacher", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Неправильне" in response.content.decode()


def test_passwords_are_hashed_with_argon2_by_default(settings) -> None:  # type: ignore[no-untyped-def]
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[-2].endswith("Argon2PasswordHasher") or (
        project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    )


@pytest.mark.parametrize(
    ("username", "expected_prefix"),
    [
        ("teacher", "/teacher/"),
        ("department", "/department/"),
        ("school_admin", "/school/"),
        ("director", "/school/"),
        ("class_teacher", None),  # teacher and class teacher: picks a role
        ("student", "/diary/"),
        ("guardian", "/family/"),
    ],
)
def test_each_role_lands_on_its_own_home(
    client: Client, community: Community, username: str, expected_prefix: str | None
) -> None:
    client.post("/login/", {"username": username, "password": PASSWORD})
    session = client.session
    session_second_factor_passed(session)  # the second factor: test_sign_in_security.py
    session.save()
    response = client.get("/")
    if expected_prefix is None:
        assert response.status_code == 200
        assert "home/choose_role.html" in [t.name for t in response.templates]
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(expected_prefix)


def test_user_with_several_roles_chooses_and_the_choice_sticks(
    client: Client, community: Community
) -> None:
    client.force_login(community.class_teacher)
    picker = client.get("/")
    body = picker.content.decode()
    keys = re.findall(r"/roles/([a-z_]+:\d+)/", body)
    assert any(key.startswith("class_teacher:") for key in keys)
    class_key = next(key for key in keys if key.startswith("class_teacher:"))
    chosen = client.get(f"/roles/{class_key}/")
    assert chosen["Location"] == f"/class/{community.class_5a.pk}/"
    assert client.get("/")["Location"] == f"/class/{community.class_5a.pk}/"


def test_choosing_a_role_one_does_not_hold_is_404(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    assert client.get(f"/roles/school_admin:{community.school.pk}/").status_code == 404


def test_outsider_without_roles_sees_an_explanation(client: Client, community: Community) -> None:
    client.force_login(community.outsider)
    response = client.get("/")
    assert response.status_code == 200
    assert "жодної ролі" in response.content.decode()


def test_anonymous_is_sent_to_login(client: Client, db: None) -> None:
    response = client.get("/teacher/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_password_reset_by_email_sets_a_new_password(client: Client, community: Community) -> None:
    community.teacher.set_unusable_password()  # created by the administrator, never logged in
    community.teacher.save()
    response = client.post("/password/reset/", {"email": "teacher@school.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Kvitka-2026-nova", "new_password2": "Kvitka-2026-nova"}
    )
    assert done.status_code == 302
    community.teacher.refresh_from_db()
    assert community.teacher.check_password("Kvitka-2026-nova")
    assert AuditEvent.objects.filter(
        action="user.password_reset", object_id=str(community.teacher.pk)
    ).exists()


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(
    client: Client, community: Community
) -> None:
    response = client.post("/password/reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_temporary_password_forces_a_change_first(client: Client, community: Community) -> None:
    community.teacher.must_change_password = True
    community.teacher.save()
    client.force_login(community.teacher)
    response = client.get("/teacher/")
    assert response["Location"] == "/password/change/"
    client.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Sonyashnyk-77-x",
            "new_password2": "Sonyashnyk-77-x",
        },
    )
    community.teacher.refresh_from_db()
    assert community.teacher.must_change_password is False
    assert client.get("/teacher/").status_code == 200


def test_language_choice_is_remembered_on_the_account(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    client.post("/language/", {"language": "en", "next": "/teacher/"})
    assert User.objects.get(pk=community.teacher.pk).language == "en"
    response = client.get("/teacher/")
    assert "My day" in response.content.decode()
    assert AuditEvent.objects.filter(action="user.language").exists()


def test_language_switch_refuses_an_outside_redirect(client: Client, db: None) -> None:
    response = client.post("/language/", {"language": "ru", "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_ukrainian_is_the_default_whatever_the_browser_asks(client: Client, db: None) -> None:
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,ru;q=0.8")
    assert "Увійти" in response.content.decode()
    assert response["Content-Language"] == "uk"


def test_anonymous_language_choice_is_kept_in_a_cookie(client: Client, db: None) -> None:
    client.post("/language/", {"language": "ru", "next": "/login/"})
    assert "Войти" in client.get("/login/").content.decode()
