"""Logins that resist guessing and strong staff logins (issue 11): lockout per account and
per address (django-axes) behind a trusted proxy, the failed attempts shown to the owner,
the second factor (TOTP and recovery codes) required by policy, idle timeouts per role and
re-authentication before sensitive actions."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.cast import PASSWORD, Community
from zhurnal.accounts.models import User
from zhurnal.accounts.twofactor import (
    AUTHENTICATED_AT,
    SEEN_AT,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from zhurnal.api.tests.builders import ApiClient, token_for
from zhurnal.audit.models import AuditEvent
from zhurnal.core.clientip import client_address
from zhurnal.schools.models import SecondFactorPolicy

LOGIN = "/login/"


def _code(device: TOTPDevice) -> str:
    """What the app shows now, or the next step's code when this step's was just used
    (django-otp refuses a code twice; it accepts one step of drift)."""
    device.refresh_from_db()
    now = (int(time.time()) - device.t0) // device.step
    drift = max(0, (device.last_t if device.last_t is not None else -1) + 1 - now)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:0{device.digits}d}"


def _enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    device = totp_enrolment_start(user=user)
    codes = totp_enrolment_confirm(user=user, device=device, token=_code(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def _post_login(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- lockout --------------------------------------------------------------------------------


def test_eleventh_wrong_password_is_refused_even_with_the_right_one_until_the_lockout_ends(
    client: Client, community: Community
) -> None:
    # Each spelling of the account counts for the same account: name, case, e-mail.
    spellings = ["teacher", "Teacher", "TEACHER", "teacher@school.test"]
    for attempt in range(9):
        response = _post_login(client, spellings[attempt % 4], "wrong-password")
        assert response.status_code == 200  # type: ignore[attr-defined]
    tenth = _post_login(client, "teacher", "wrong-password")
    assert tenth.status_code == 429  # type: ignore[attr-defined]
    page = tenth.content.decode()  # type: ignore[attr-defined]
    assert "Забагато спроб" in page or "Too many attempts" in page
    assert "15" in page

    eleventh = _post_login(client, "teacher", PASSWORD)
    assert eleventh.status_code == 429  # type: ignore[attr-defined]
    assert _logged_in_as(client) is None
    # Another account from elsewhere is not affected.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert _post_login(other, "guardian", PASSWORD).status_code == 302  # type: ignore[attr-defined]
    # Nor does another address help the locked account.
    assert _post_login(Client(REMOTE_ADDR="198.51.100.21"), "teacher", PASSWORD).status_code == 429  # type: ignore[attr-defined]

    assert AccessFailureLog.objects.filter(username="teacher").count() >= 11
    # The window passes: the right password gets in again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _post_login(client, "teacher", PASSWORD).status_code == 302  # type: ignore[attr-defined]
    assert _logged_in_as(client) == str(community.teacher.pk)


def test_owner_sees_the_failed_attempts_at_the_next_login(
    client: Client, community: Community
) -> None:
    teacher = community.teacher
    teacher.last_login = timezone.now() - dt.timedelta(days=1)
    teacher.save(update_fields=["last_login"])
    AccessFailureLog.objects.create(
        username="teacher",
        ip_address="192.0.2.1",
        user_agent="x",
        http_accept="x",
        path_info="/login/",
        attempt_time=timezone.now() - dt.timedelta(days=2),  # before the last login
    )
    attacker = Client(REMOTE_ADDR="1.2.3.4")
    for _ in range(3):
        _post_login(attacker, "teacher", "guess")

    response = client.post(LOGIN, {"username": "teacher", "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert "1.2.3.4" in body
    assert re.search(r"\b3\b", body)
    # Shown once: the next login has nothing to tell.
    Client().post(LOGIN, {"username": "teacher", "password": PASSWORD})
    again = Client().post(LOGIN, {"username": "teacher", "password": PASSWORD}, follow=True)
    assert "1.2.3.4" not in again.content.decode()


def test_an_address_is_locked_after_many_failures_on_many_accounts(
    community: Community, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _post_login(sprayer, name, "Password1")
    # A right password from that address is refused; from another it is not.
    assert _post_login(sprayer, "guardian", PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert _post_login(Client(REMOTE_ADDR="203.0.113.10"), "guardian", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_behind_a_trusted_proxy_one_person_does_not_lock_out_the_others(
    community: Community, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _post_login(attacker, name, "Password1")
    assert _post_login(attacker, "guardian", PASSWORD).status_code == 429  # type: ignore[attr-defined]
    assert AccessAttempt.objects.filter(ip_address="203.0.113.66").exists()
    assert not AccessAttempt.objects.filter(ip_address="10.0.0.2").exists()
    # A parent behind the same proxy registers and logs in as usual.
    parent = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _post_login(parent, "guardian", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_without_trusted_proxies_a_forged_forwarded_header_changes_nothing(
    community: Community, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_TRUSTED_PROXIES = []
    settings.ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for number, name in enumerate(("a1", "a2", "a3", "a4", "a5")):
        forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
        _post_login(forged, name, "Password1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert _post_login(Client(REMOTE_ADDR="203.0.113.9"), "guardian", PASSWORD).status_code == 429  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "203.0.113.5", "203.0.113.5"),
        # what the client wrote itself, left of the proxy's entry, is not believed
        ("10.0.0.2", "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        # two proxies of ours
        ("10.0.0.2", "203.0.113.5, 10.0.0.9", "203.0.113.5"),
        # not from a proxy: the header is the client's own invention
        ("203.0.113.7", "1.1.1.1", "203.0.113.7"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "garbage", "10.0.0.2"),
        ("10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_client_address_believes_only_trusted_proxies(
    settings, remote: str, forwarded: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_password_reset_requests_are_limited(community: Community) -> None:
    client = Client(REMOTE_ADDR="203.0.113.40")
    for _ in range(9):
        assert client.post("/password/reset/", {"email": "teacher@school.test"}).status_code == 302
    refused = client.post("/password/reset/", {"email": "teacher@school.test"})
    assert refused.status_code == 429
    assert len(mail.outbox) == 9
    assert client.post("/password/reset/", {"email": "teacher@school.test"}).status_code == 429
    assert len(mail.outbox) == 9


def test_operator_admin_login_is_locked_out_too(community: Community) -> None:
    User.objects.create_superuser("operator", "op@example.test", PASSWORD)
    client = Client()
    for _ in range(10):
        response = client.post(
            "/operator/login/", {"username": "operator", "password": "wrong", "next": "/operator/"}
        )
    assert response.status_code == 429
    right = client.post(
        "/operator/login/", {"username": "operator", "password": PASSWORD, "next": "/operator/"}
    )
    assert right.status_code == 429
    assert _logged_in_as(client) is None


def test_wrong_api_tokens_lock_out_the_address_with_the_api_error_shape(
    community: Community, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    statuses = [
        ApiClient(f"zh_wrongtoken{number:020d}").get("/api/v1/me").status_code
        for number in range(6)
    ]
    assert statuses[:4] == [401] * 4
    assert statuses[-1] == 429
    refused = ApiClient("zh_wrongtoken-again-and-again-0000").get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "Retry-After" in refused
    # A real token is not slowed down (it cannot be guessed; its rate has its own limit).
    assert ApiClient(token_for(community.guardian)).get("/api/v1/me").status_code == 200


# --- the second factor ----------------------------------------------------------------------


def test_a_director_without_a_second_factor_is_asked_to_enrol_before_reaching_any_page(
    client: Client, community: Community
) -> None:
    response = _post_login(client, "director", PASSWORD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    enrol = reverse("accounts:second_factor_enrol")
    school = f"/school/{community.school.pk}/"
    for path in ("/", school, "/teacher/", "/password/change/", "/security/"):
        page = client.get(path)
        assert page.status_code == 302, path
        assert page["Location"].startswith(enrol), path
    htmx = client.get(school, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(enrol)

    page = client.get(f"{enrol}?next={school}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and 'id="totp-key"' in body
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=community.director, confirmed=False)
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', body).group(1)  # type: ignore[union-attr]
    assert key.replace(" ", "") in device.config_url

    wrong = client.post(enrol, {"code": "000000", "next": school})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.throttle_reset()  # django-otp pauses a second after a wrong code
    done = client.post(enrol, {"code": _code(device), "next": school})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=community.director).count() == 10
    assert AuditEvent.objects.filter(
        action="user.second_factor_enrol", object_id=str(community.director.pk)
    ).exists()
    assert client.get(school).status_code == 200


def test_an_enrolled_user_enters_the_code_after_the_password(
    client: Client, community: Community
) -> None:
    device, codes = _enrol(community.teacher)  # not required of a teacher: chosen
    _post_login(client, "teacher", PASSWORD)
    verify = reverse("accounts:second_factor_verify")
    assert client.get("/teacher/")["Location"].startswith(verify)
    wrong = client.post(verify, {"code": "123456", "next": "/teacher/"})
    assert wrong.status_code == 200
    assert client.get("/teacher/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp pauses a second after a wrong code
    right = client.post(verify, {"code": _code(device), "next": "/teacher/"})
    assert right["Location"] == "/teacher/"
    assert client.get("/teacher/").status_code == 200

    # A recovery code works once, then it is spent.
    other = Client()
    _post_login(other, "teacher", PASSWORD)
    spent = other.post(verify, {"code": codes[0].upper()})
    assert spent["Location"] == "/"
    third = Client()
    _post_login(third, "teacher", PASSWORD)
    assert third.post(verify, {"code": codes[0]}).status_code == 200
    assert AuditEvent.objects.filter(action="user.recovery_code_use").count() == 1


def test_policy_of_the_community_and_the_school(client: Client, community: Community) -> None:
    municipality = community.school.municipality
    # Off for the community: the director gets in with the password alone.
    municipality.second_factor_policy = SecondFactorPolicy.OFF
    municipality.save()
    _post_login(client, "director", PASSWORD)
    assert client.get(f"/school/{community.school.pk}/").status_code == 200
    # Every member of staff at the school, the teacher included.
    community.school.second_factor_policy = SecondFactorPolicy.STAFF
    community.school.save()
    teacher = Client()
    _post_login(teacher, "teacher", PASSWORD)
    assert teacher.get("/teacher/")["Location"].startswith(reverse("accounts:second_factor_enrol"))
    # Families are never required.
    guardian = Client()
    _post_login(guardian, "guardian", PASSWORD)
    assert guardian.get("/").headers["Location"].startswith("/family/")


def test_recovery_codes_regenerated_and_second_factor_turned_off_are_audited(
    client: Client, community: Community
) -> None:
    _device, codes = _enrol(community.deputy)
    client.force_login(community.deputy)
    page = client.get("/security/")
    assert page.status_code == 200
    fresh = client.post(reverse("accounts:recovery_codes_new"))
    new_codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", fresh.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert AuditEvent.objects.filter(action="user.recovery_codes_regenerate").exists()
    client.post(reverse("accounts:second_factor_off"))
    assert not TOTPDevice.objects.filter(user=community.deputy).exists()
    assert not StaticToken.objects.filter(device__user=community.deputy).exists()
    assert AuditEvent.objects.filter(action="user.second_factor_disable").exists()
    # Required of a deputy: the next login asks to enrol again.
    again = Client()
    _post_login(again, "deputy", PASSWORD)
    assert again.get("/")["Location"].startswith(reverse("accounts:second_factor_enrol"))


# --- idle timeout ---------------------------------------------------------------------------


def _idle(client: Client, minutes: int) -> None:
    session = client.session
    session[SEEN_AT] = int(time.time()) - minutes * 60
    session.save()


def test_staff_are_signed_out_after_thirty_idle_minutes(
    client: Client, community: Community
) -> None:
    client.force_login(community.teacher)
    _idle(client, 29)
    assert client.get("/teacher/").status_code == 200
    _idle(client, 31)
    response = client.get("/teacher/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert _logged_in_as(client) is None


def test_families_stay_signed_in_for_days_but_not_for_ever(
    client: Client, community: Community
) -> None:
    client.force_login(community.guardian)
    _idle(client, 3 * 24 * 60)
    assert client.get("/").status_code == 302  # to the family page, still signed in
    assert _logged_in_as(client) == str(community.guardian.pk)
    _idle(client, 8 * 24 * 60)
    assert client.get("/")["Location"].startswith(LOGIN)
    assert _logged_in_as(client) is None


# --- re-authentication ----------------------------------------------------------------------


def _password_long_ago(client: Client) -> None:
    session = client.session
    session[AUTHENTICATED_AT] = int(time.time()) - 11 * 60
    session.save()


def test_issuing_access_codes_in_bulk_asks_for_the_password_again(
    client: Client, community: Community
) -> None:
    device, _codes = _enrol(community.class_teacher)
    client.force_login(community.class_teacher)
    url = reverse("people:codes_issue", args=[community.class_5a.pk])
    assert client.get(url).status_code == 200  # just logged in: recent enough
    _password_long_ago(client)
    response = client.get(url)
    reauth = reverse("accounts:reauthenticate")
    assert response["Location"].startswith(reauth)
    wrong = client.post(reauth, {"password": "nope", "code": _code(device), "next": url})
    assert wrong.status_code == 200
    no_code = client.post(reauth, {"password": PASSWORD, "code": "", "next": url})
    assert no_code.status_code == 200
    done = client.post(reauth, {"password": PASSWORD, "code": _code(device), "next": url})
    assert done["Location"] == url
    assert client.get(url).status_code == 200


def test_closing_the_year_asks_for_the_password_again(client: Client, community: Community) -> None:
    client.force_login(community.director)
    _password_long_ago(client)
    url = reverse("archive:school_close", args=[community.school.pk])
    response = client.post(url, {"accepted": []}, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert "next=" in response["Location"]
    community.year.refresh_from_db()
    assert community.year.closed_at is None
    done = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": url})
    assert done["Location"] == url


@pytest.mark.parametrize("route", ["archive:reopen", "archive:destroy"])
def test_reopening_a_year_and_destroying_a_document_ask_for_the_password_again(
    client: Client, community: Community, route: str
) -> None:
    from zhurnal.archive.tests.test_register import _add

    document = _add(community)
    client.force_login(community.director)
    _password_long_ago(client)
    args = [community.school.pk] + ([document.pk] if route == "archive:destroy" else [])
    url = reverse(route, args=args)
    before = AuditEvent.objects.count()
    response = client.post(url, {"reason": "Помилка в річних оцінках"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert AuditEvent.objects.count() == before
    document.refresh_from_db()
    assert document.destroyed_at is None


def test_an_operator_unlocks_a_login_and_resets_its_second_factor_audited(
    community: Community,
) -> None:
    from django.core.management import call_command

    _enrol(community.director)
    client = Client()
    for _ in range(10):
        _post_login(client, "director", "wrong")
    assert _post_login(client, "director", PASSWORD).status_code == 429  # type: ignore[attr-defined]
    call_command(
        "sign_in", "director", "--unlock", "--reset-second-factor", reason="phone lost, ID seen"
    )
    assert _post_login(client, "director", PASSWORD).status_code == 302  # type: ignore[attr-defined]
    assert client.get("/")["Location"].startswith(reverse("accounts:second_factor_enrol"))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"user.login_lockout_reset", "user.second_factor_disable"} <= actions
    assert AuditEvent.objects.get(action="user.login_lockout_reset").reason == "phone lost, ID seen"
