from __future__ import annotations

import datetime as dt
import io
import re
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.cast import PASSWORD, Community
from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.people.access_codes import (
    CODE_ALPHABET,
    AccessCodeError,
    access_code_redeem,
    access_codes_issue,
    code_generate,
    code_hash,
    code_normalize,
)
from zhurnal.people.models import (
    AccessCode,
    AccessCodeKind,
    Guardian,
    Relation,
    Student,
    StudentGuardian,
)

NEW_PASSWORD = "Veselka-na-shkoli-17"
SLIP_CODE = re.compile(r'class="slip-code">([A-Z0-9-]+)<')


def issue_url(community: Community, class_group=None) -> str:  # type: ignore[no-untyped-def]
    return reverse("people:codes_issue", args=[(class_group or community.class_5a).pk])


def issue(community: Community, student: Student, *kinds: str) -> list[str]:
    issued = access_codes_issue(
        actor=community.class_teacher,
        class_group=community.class_5a,
        students=[student],
        kinds=kinds or [AccessCodeKind.STUDENT],
    )
    return [item.code for item in issued]


def register(client, code: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "step": "account",
        "code": code,
        "username": "maria.ya",
        "email": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "accept_privacy": "on",
        **fields,
    }
    return client.post(reverse("people:register"), data)


# --- issuing -----------------------------------------------------------------------------


def test_code_is_human_friendly_and_normalized() -> None:
    code = code_generate()

    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", code)
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    # Lower case, spaces and a Cyrillic look-alike (Ukrainian keyboard layout) still match.
    assert code_normalize(" k7qm 4txp-9r ") == "K7QM4TXP9R"
    assert code_hash("К7QM-4ТХР-9R") == code_hash("K7QM4TXP9R")


def test_class_teacher_issues_codes_and_gets_printable_slips(
    community: Community, login, pupil: Student
) -> None:
    events = AuditEvent.objects.count()

    response = login(community.class_teacher).post(
        issue_url(community), {"students": [pupil.pk], "for_whom": "both"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    codes = SLIP_CODE.findall(page)
    assert len(codes) == 2  # the student, and one unbound guardian code: no guardian recorded
    assert page.count("<svg") == 2
    assert "Ярошенко Марія Олегівна" in page
    assert "Ліцей № 1" in page
    assert "5-А" in page
    valid_until = local_today() + dt.timedelta(days=14)
    assert valid_until.strftime("%d.%m.%Y") in page
    assert "http://testserver/register/" in page
    assert "css/slips.css" in page
    stored = AccessCode.objects.filter(student=pupil).order_by("kind")
    assert [(c.kind, c.guardian_id) for c in stored] == [
        (AccessCodeKind.GUARDIAN, None),
        (AccessCodeKind.STUDENT, None),
    ]
    assert {c.code_hash for c in stored} == {code_hash(code) for code in codes}
    assert all(c.issued_by == community.class_teacher for c in stored)
    assert all(c.class_group == community.class_5a for c in stored)
    assert AuditEvent.objects.count() == events + 2
    audit = AuditEvent.objects.filter(action="access_code.issue")
    assert {e.object_id for e in audit} == {str(c.pk) for c in stored}


def test_only_hashes_of_codes_are_stored(community: Community, pupil: Student) -> None:
    codes = issue(community, pupil, AccessCodeKind.STUDENT, AccessCodeKind.GUARDIAN)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    everything = dump.getvalue()

    for code in codes:
        assert code not in everything
        assert code_normalize(code) not in everything
    # The audit log keeps neither the code nor its hash.
    audit = "".join(str(e.after) for e in AuditEvent.objects.filter(action="access_code.issue"))
    for access_code in AccessCode.objects.all():
        assert access_code.code_hash not in audit
        assert len(access_code.code_hash) == 64


def test_guardian_codes_go_to_each_guardian_without_a_login(
    community: Community, pupil: Student
) -> None:
    mother = Guardian.objects.create(
        municipality=community.municipality, surname="Ярошенко", given_name="Ольга"
    )
    father = Guardian.objects.create(
        municipality=community.municipality, surname="Ярошенко", given_name="Олег"
    )
    StudentGuardian.objects.create(student=pupil, guardian=mother, relation=Relation.MOTHER)
    StudentGuardian.objects.create(student=pupil, guardian=father, relation=Relation.FATHER)

    issue(community, pupil, AccessCodeKind.GUARDIAN)

    assert set(AccessCode.objects.values_list("guardian_id", flat=True)) == {mother.pk, father.pk}


def test_nobody_with_a_login_gets_a_code(community: Community) -> None:
    # Андрій and his father both have logins.
    with pytest.raises(ValidationError):
        issue(community, community.student, AccessCodeKind.STUDENT, AccessCodeKind.GUARDIAN)

    assert AccessCode.objects.count() == 0


def test_all_without_a_login_chooses_the_students_that_need_codes(
    community: Community, login, pupil: Student
) -> None:
    response = login(community.class_teacher).post(
        issue_url(community), {"all_without_login": "on", "for_whom": "student"}
    )

    assert response.status_code == 200
    assert set(AccessCode.objects.values_list("student_id", flat=True)) == {
        pupil.pk,
        community.other_student.pk,
    }


def test_a_new_code_revokes_the_earlier_unused_one(community: Community, pupil: Student) -> None:
    [first] = issue(community, pupil)
    [second] = issue(community, pupil)

    old = AccessCode.objects.get(code_hash=code_hash(first))
    new = AccessCode.objects.get(code_hash=code_hash(second))
    assert old.revoked_at is not None
    assert new.revoked_at is None
    issue_events = AuditEvent.objects.filter(action="access_code.issue").order_by("id")
    assert issue_events.last().after["revoked"] == [old.pk]


def test_class_teacher_issues_codes_only_for_own_class(
    community: Community, login, pupil: Student
) -> None:
    events = AuditEvent.objects.count()
    client = login(community.class_teacher)

    # Another class, even with the ids of its students.
    response = client.post(
        issue_url(community, community.class_5b),
        {"students": [community.student_5b.pk], "for_whom": "both"},
    )
    assert response.status_code == 404
    assert client.get(issue_url(community, community.class_5b)).status_code == 404

    # Own class, with a student of another class slipped into the POST.
    response = client.post(
        issue_url(community), {"students": [community.student_5b.pk], "for_whom": "both"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "slip-code" not in response.content.decode()

    # The service refuses it too, whatever page or API calls it.
    with pytest.raises(ValidationError):
        access_codes_issue(
            actor=community.class_teacher,
            class_group=community.class_5a,
            students=[pupil, community.student_5b],
            kinds=[AccessCodeKind.STUDENT],
        )
    with pytest.raises(ValidationError):
        access_codes_issue(
            actor=community.school_admin,
            class_group=community.class_5a,
            students=[pupil],
            kinds=[AccessCodeKind.STUDENT],
        )

    assert AccessCode.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "someone",
    ["school_admin", "director", "deputy", "teacher", "other_teacher", "guardian", "outsider"],
)
def test_only_the_class_teacher_may_issue_codes(
    community: Community, login, pupil: Student, someone: str
) -> None:
    events = AuditEvent.objects.count()
    client = login(getattr(community, someone))

    assert client.get(issue_url(community)).status_code == 404
    response = client.post(issue_url(community), {"students": [pupil.pk], "for_whom": "both"})

    assert response.status_code == 404
    assert AccessCode.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_issue_form_lists_the_class(community: Community, login, pupil: Student) -> None:
    response = login(community.class_teacher).get(issue_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{pupil.pk}"' in page
    assert f'value="{community.student_5b.pk}"' not in page
    assert AccessCode.objects.count() == 0


def test_no_codes_in_a_closed_year(community: Community, login, pupil: Student) -> None:
    community.year.closed_at = timezone.now()
    community.year.save()

    response = login(community.class_teacher).post(
        issue_url(community), {"students": [pupil.pk], "for_whom": "student"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AccessCode.objects.count() == 0


# --- registering -------------------------------------------------------------------------


def test_student_registers_with_code_and_is_logged_in(
    community: Community, client, pupil: Student
) -> None:
    [code] = issue(community, pupil)

    page = client.get(reverse("people:register"), {"code": code}).content.decode()
    assert f'value="{code}"' in page
    response = client.post(reverse("people:register"), {"step": "code", "code": code.lower()})
    assert response.status_code == 200
    assert "Ярошенко Марія Олегівна" in response.content.decode()
    suggested = response.context["form"].initial["username"]
    assert suggested.startswith("iaroshenko")

    response = register(client, code.lower(), username=suggested)

    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")
    pupil.refresh_from_db()
    user = pupil.user
    assert user is not None
    assert user.username == suggested
    assert (user.last_name, user.first_name, user.patronymic) == ("Ярошенко", "Марія", "Олегівна")
    assert user.check_password(NEW_PASSWORD)
    assert int(client.session["_auth_user_id"]) == user.pk
    access_code = AccessCode.objects.get()
    assert access_code.used_at is not None
    assert access_code.used_by == user
    redeemed = AuditEvent.objects.get(action="access_code.redeem")
    assert redeemed.actor_id == user.pk
    assert redeemed.after["student_id"] == pupil.pk
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_used_code_is_refused(community: Community, client, pupil: Student) -> None:
    [code] = issue(community, pupil)
    assert register(client, code).status_code == 302
    client.logout()
    users = User.objects.count()

    response = register(client, code, username="somebody.else")

    assert response.status_code == 200
    assert "уже використано" in response.content.decode()
    assert User.objects.count() == users
    with pytest.raises(AccessCodeError) as refused:
        access_code_redeem(code=code, username="third", password=NEW_PASSWORD)
    assert refused.value.code == "used"
    assert User.objects.count() == users


def test_expired_code_is_refused(community: Community, client, pupil: Student) -> None:
    [code] = issue(community, pupil)
    AccessCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    users = User.objects.count()

    response = client.post(reverse("people:register"), {"step": "code", "code": code})
    assert "Строк дії цього коду минув" in response.content.decode()
    assert response.context.get("summary") is None  # still on the code step
    response = register(client, code)

    assert response.status_code == 200
    assert "Строк дії цього коду минув" in response.content.decode()
    assert User.objects.count() == users
    pupil.refresh_from_db()
    assert pupil.user is None
    assert AccessCode.objects.get().used_at is None


def test_revoked_code_is_refused(community: Community, client, pupil: Student) -> None:
    [first] = issue(community, pupil)
    issue(community, pupil)
    users = User.objects.count()

    response = register(client, first)

    assert response.status_code == 200
    assert "Цей код недійсний" in response.content.decode()
    assert User.objects.count() == users
    pupil.refresh_from_db()
    assert pupil.user is None


def test_unknown_code_is_refused(community: Community, client) -> None:
    users = User.objects.count()

    response = client.post(reverse("people:register"), {"step": "code", "code": "AAAA-BBBB-CC"})

    assert response.status_code == 200
    assert "Цей код недійсний" in response.content.decode()
    assert User.objects.count() == users


def test_weak_password_or_taken_username_creates_nothing(
    community: Community, client, pupil: Student
) -> None:
    [code] = issue(community, pupil)
    users = User.objects.count()

    weak = register(client, code, password1="12345678", password2="12345678")
    taken = register(client, code, username="Teacher")
    differ = register(client, code, password2="something-else-42")

    assert weak.context["form"].errors["password1"]
    assert taken.context["form"].errors["username"]
    assert differ.context["form"].errors["password2"]
    assert User.objects.count() == users
    assert AccessCode.objects.get().used_at is None


def test_unbound_guardian_code_creates_the_guardian_and_the_link(
    community: Community, client, pupil: Student
) -> None:
    [code] = issue(community, pupil, AccessCodeKind.GUARDIAN)

    step = client.post(reverse("people:register"), {"step": "code", "code": code})
    assert set(step.context["form"].fields) >= {"surname", "given_name", "relation"}
    response = register(
        client,
        code,
        username="olha.ya",
        email="olha@family.test",
        surname="Ярошенко",
        given_name="Ольга",
        patronymic="Іванівна",
        relation=Relation.MOTHER,
        phone="+380671112233",
    )

    assert response.status_code == 302
    guardian = Guardian.objects.get(user__username="olha.ya")
    assert guardian.full_name == "Ярошенко Ольга Іванівна"
    assert guardian.email == "olha@family.test"
    assert guardian.phone == "+380671112233"
    assert guardian.municipality == community.municipality
    link = StudentGuardian.objects.get(guardian=guardian)
    assert (link.student, link.relation) == (pupil, Relation.MOTHER)
    assert guardian.user.email == "olha@family.test"
    assert AccessCode.objects.get().used_by == guardian.user
    assert {"guardian.create", "guardian.link", "access_code.redeem"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_unbound_guardian_code_needs_name_and_relation(
    community: Community, client, pupil: Student
) -> None:
    [code] = issue(community, pupil, AccessCodeKind.GUARDIAN)
    guardians = Guardian.objects.count()

    response = register(client, code, username="olha.ya")

    assert response.status_code == 200
    assert {"surname", "given_name", "relation"} <= set(response.context["form"].errors)
    assert Guardian.objects.count() == guardians
    assert not User.objects.filter(username="olha.ya").exists()


def test_bound_guardian_code_gives_the_recorded_guardian_a_login(
    community: Community, client, pupil: Student
) -> None:
    mother = Guardian.objects.create(
        municipality=community.municipality, surname="Ярошенко", given_name="Ольга"
    )
    StudentGuardian.objects.create(student=pupil, guardian=mother, relation=Relation.MOTHER)
    [code] = issue(community, pupil, AccessCodeKind.GUARDIAN)

    step = client.post(reverse("people:register"), {"step": "code", "code": code})
    assert "relation" not in step.context["form"].fields
    response = register(client, code, username="olha.ya", email="olha@family.test")

    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.user is not None
    assert mother.user.username == "olha.ya"
    assert mother.email == "olha@family.test"
    assert Guardian.objects.filter(surname="Ярошенко").count() == 1


def test_failed_code_attempts_are_limited(community: Community, client, pupil: Student) -> None:
    [code] = issue(community, pupil)
    for _attempt in range(10):
        client.post(reverse("people:register"), {"step": "code", "code": "AAAA-BBBB-CC"})

    response = register(client, code)

    assert response.status_code == 200
    assert "Забагато неправильних кодів" in response.content.decode()
    pupil.refresh_from_db()
    assert pupil.user is None
    assert AccessCode.objects.get().used_at is None


def test_behind_a_trusted_proxy_one_guesser_does_not_block_registration_for_others(
    community: Community, pupil: Student, settings: Any
) -> None:
    """Every family reaches the server through the community's proxy: the per-address
    limit must count the real client's address, not the proxy's."""
    from django.test import Client

    from zhurnal.people.access_codes import FAILURES_PER_ADDRESS

    settings.ZHURNAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _attempt in range(FAILURES_PER_ADDRESS + 1):
        Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **via_proxy).post(
            reverse("people:register"), {"step": "code", "code": "AAAA-BBBB-CC"}
        )
    [code] = issue(community, pupil)
    guesser = register(Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **via_proxy), code)
    assert "Забагато неправильних кодів" in guesser.content.decode()
    family = register(Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy), code)
    assert family.status_code == 302
    pupil.refresh_from_db()
    assert pupil.user is not None


# --- a second child ----------------------------------------------------------------------


def test_add_child_links_the_second_child(community: Community, login, pupil: Student) -> None:
    # The school recorded the same father again for his second child, without a login.
    again = Guardian.objects.create(
        municipality=community.municipality, surname="Гнатюк", given_name="Петро"
    )
    StudentGuardian.objects.create(student=pupil, guardian=again, relation=Relation.FATHER)
    [code] = issue(community, pupil, AccessCodeKind.GUARDIAN)
    client = login(community.guardian)
    users = User.objects.count()

    response = client.post(reverse("people:add_child"), {"code": code})

    assert response.status_code == 302
    link = StudentGuardian.objects.get(student=pupil, guardian=community.guardian_record)
    assert link.relation == Relation.FATHER
    access_code = AccessCode.objects.get()
    assert access_code.used_by == community.guardian
    assert User.objects.count() == users
    assert set(community.guardian_record.children.all()) == {community.student, pupil}
    assert AuditEvent.objects.filter(action="access_code.redeem").count() == 1


def test_add_child_with_an_unbound_code_asks_for_the_relation(
    community: Community, login, pupil: Student
) -> None:
    [code] = issue(community, pupil, AccessCodeKind.GUARDIAN)
    client = login(community.guardian)

    missing = client.post(reverse("people:add_child"), {"code": code})
    assert missing.status_code == 200
    assert not StudentGuardian.objects.filter(student=pupil).exists()

    response = client.post(reverse("people:add_child"), {"code": code, "relation": "father"})

    assert response.status_code == 302
    assert StudentGuardian.objects.get(student=pupil).guardian == community.guardian_record


def test_student_codes_cannot_add_a_child(community: Community, login, pupil: Student) -> None:
    [code] = issue(community, pupil)

    response = login(community.guardian).post(reverse("people:add_child"), {"code": code})

    assert response.status_code == 200
    assert not StudentGuardian.objects.filter(student=pupil).exists()
    assert AccessCode.objects.get().used_at is None


def test_a_code_of_another_guardians_login_cannot_add_a_child(community: Community, login) -> None:
    # Олена's father Ігор has a login; Петро must not take his code for Олена.
    community.other_guardian_record.user = None
    community.other_guardian_record.save()
    [code] = issue(community, community.other_student, AccessCodeKind.GUARDIAN)
    community.other_guardian_record.user = community.other_guardian
    community.other_guardian_record.save()

    response = login(community.guardian).post(reverse("people:add_child"), {"code": code})

    assert response.status_code == 200
    assert not StudentGuardian.objects.filter(
        student=community.other_student, guardian=community.guardian_record
    ).exists()
    assert AccessCode.objects.get().used_at is None


@pytest.mark.parametrize("someone", ["class_teacher", "student_user", "outsider"])
def test_add_child_is_only_for_guardians(
    community: Community, login, pupil: Student, someone: str
) -> None:
    [code] = issue(community, pupil, AccessCodeKind.GUARDIAN)
    client = login(getattr(community, someone))

    assert client.get(reverse("people:add_child")).status_code == 404
    assert client.post(reverse("people:add_child"), {"code": code}).status_code == 404
    assert not StudentGuardian.objects.filter(student=pupil).exists()
    assert AccessCode.objects.get().used_at is None


def test_add_child_page_lists_own_children(community: Community, login, client) -> None:
    response = login(community.guardian).get(reverse("people:add_child"))

    assert response.status_code == 200
    assert "Гнатюк Андрій Петрович" in response.content.decode()
    assert "Савчук Олена" not in response.content.decode()
    assert client.login(username="guardian", password=PASSWORD)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_code_cannot_be_redeemed_twice_at_once(community: Community, pupil: Student) -> None:
    [code] = issue(community, pupil)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(username: str) -> None:
        try:
            barrier.wait()
            access_code_redeem(code=code, username=username, password=NEW_PASSWORD)
            outcomes.append("ok")
        except AccessCodeError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("first.m", "second.m")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "used"]
    assert User.objects.filter(username__in=["first.m", "second.m"]).count() == 1
    pupil.refresh_from_db()
    assert pupil.user is not None
