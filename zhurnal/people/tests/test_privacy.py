"""The privacy notice, the consent register and the family's requests (issue 11, S8)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.people.access_codes import access_codes_issue
from zhurnal.people.models import (
    AccessCodeKind,
    Consent,
    ConsentChannel,
    ConsentPurpose,
    CorrectionRequest,
    FamilyRequestStatus,
    PrivacyAcceptance,
    PrivacyNotice,
)
from zhurnal.people.privacy.selectors import NOTICE_FIELDS
from zhurnal.people.privacy.services import (
    consent_give,
    correction_request_create,
    privacy_notice_publish,
)
from zhurnal.schools.models import Profile

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sonyashnyk-2026!"
PDF = b"%PDF-1.4 signed consent"


def texts(marker: str = "") -> dict[str, str]:
    return {name: f"{name} text {marker}".strip() for name in NOTICE_FIELDS}


def publish(community: Community, marker: str = "") -> PrivacyNotice:
    return privacy_notice_publish(
        actor=community.department, municipality=community.municipality, texts=texts(marker)
    )


def guardian_code(community: Community) -> str:
    issued = access_codes_issue(
        actor=community.class_teacher,
        class_group=community.class_5a,
        students=[community.other_student],
        kinds=[AccessCodeKind.GUARDIAN],
    )
    return issued[0].code


def register(client, code: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "step": "account",
        "code": code,
        "username": "ihor.s",
        "email": "",
        "phone": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **fields,
    }
    return client.post(reverse("people:register"), data)


# --- registration and the notice ----------------------------------------------------------


def test_guardian_registering_sees_the_notice_and_cannot_finish_without_accepting(
    community: Community, client
) -> None:
    # The other guardian's record has a login already: a fresh guardian of the other child.
    community.other_guardian_record.user = None
    community.other_guardian_record.save()
    notice = publish(community, "ZQNOTICE")
    code = guardian_code(community)

    step = client.post(reverse("people:register"), {"step": "code", "code": code})
    page = step.content.decode()
    assert "ZQNOTICE" in page
    assert "accept_privacy" in page

    refused = register(client, code)
    assert refused.status_code == 200
    assert refused.context["form"].errors["accept_privacy"]
    assert not PrivacyAcceptance.objects.exists()
    assert (
        community.other_guardian_record.__class__.objects.get(
            pk=community.other_guardian_record.pk
        ).user_id
        is None
    )

    done = register(client, code, accept_privacy="on")
    assert done.status_code == 302
    acceptance = PrivacyAcceptance.objects.get()
    assert acceptance.version == notice.version == 1
    assert acceptance.notice == notice
    assert acceptance.user.username == "ihor.s"
    assert AuditEvent.objects.filter(action="privacy_notice.accept").count() == 1


def test_registration_before_any_published_notice_records_the_built_in_version(
    community: Community, client
) -> None:
    community.other_guardian_record.user = None
    community.other_guardian_record.save()
    code = guardian_code(community)
    page = client.post(reverse("people:register"), {"step": "code", "code": code})
    assert "Закону України" in page.content.decode() or "Law of Ukraine" in page.content.decode()
    assert register(client, code, accept_privacy="on").status_code == 302
    acceptance = PrivacyAcceptance.objects.get()
    assert (acceptance.version, acceptance.notice) == (0, None)


def test_russian_profile_notice_mentions_152_fz(community: Community, login) -> None:
    community.municipality.profile = Profile.RUSSIAN
    community.municipality.save()
    response = login(community.guardian).get(reverse("people:privacy_notice"))
    assert "152" in response.content.decode()


def test_family_login_is_sent_to_a_new_notice_until_it_accepts(community: Community, login) -> None:
    client = login(community.guardian)
    diary = reverse("diary:child_week", args=[community.student.pk])
    # No notice published: the family is not stopped.
    assert client.get(diary).status_code == 200

    publish(community, "v1")
    response = client.get(diary)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:privacy_notice"))

    accepted = client.post(reverse("people:privacy_notice"), {"accept": "on", "next": diary})
    assert accepted.status_code == 302
    assert accepted["Location"] == diary
    assert client.get(diary).status_code == 200
    assert PrivacyAcceptance.objects.filter(user=community.guardian, version=1).exists()

    # A new version is asked again.
    publish(community, "v2")
    assert client.get(diary).status_code == 302


def test_staff_is_not_sent_to_the_notice(community: Community, login) -> None:
    publish(community)
    client = login(community.class_teacher)
    response = client.get(reverse("people:class_home", args=[community.class_5a.pk]))
    assert response.status_code == 200
    assert client.get(reverse("people:privacy_notice")).status_code == 404


def test_notice_page_refuses_acceptance_without_the_tick(community: Community, login) -> None:
    publish(community)
    response = login(community.guardian).post(reverse("people:privacy_notice"), {})
    assert response.status_code == 200
    assert not PrivacyAcceptance.objects.exists()


# --- the department publishes versions ------------------------------------------------------


def test_department_publishes_versions_and_keeps_the_old_ones(community: Community, login) -> None:
    client = login(community.department)
    url = reverse("people:privacy_notice_edit")
    page = client.get(url)
    assert page.status_code == 200
    for marker in ("first", "second"):
        response = client.post(url, texts(marker))
        assert response.status_code == 302
    versions = list(PrivacyNotice.objects.order_by("version").values_list("version", "rights"))
    assert versions == [(1, "rights text first"), (2, "rights text second")]
    assert AuditEvent.objects.filter(action="privacy_notice.publish").count() == 2
    old = PrivacyNotice.objects.get(version=1)
    assert (
        "rights text first"
        in client.get(reverse("people:privacy_notice_version", args=[old.pk])).content.decode()
    )


@pytest.mark.parametrize("who", ["director", "class_teacher", "guardian", "outsider"])
def test_only_the_department_edits_the_notice(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    response = client.post(reverse("people:privacy_notice_edit"), texts())
    assert response.status_code in {302, 404}
    assert not PrivacyNotice.objects.exists()


def test_notice_publish_refuses_an_empty_part(community: Community, login) -> None:
    client = login(community.department)
    response = client.post(reverse("people:privacy_notice_edit"), {**texts(), "rights": " "})
    assert response.status_code == 200
    assert not PrivacyNotice.objects.exists()


# --- consents --------------------------------------------------------------------------------


def family_url(community: Community) -> str:
    return reverse("people:family_privacy", args=[community.student.pk])


def test_guardian_gives_and_withdraws_an_optional_consent(community: Community, login) -> None:
    client = login(community.guardian)
    given = client.post(family_url(community), {"action": "give", "purpose": "photos"})
    assert given.status_code == 302
    consent = Consent.objects.get()
    assert (consent.guardian, consent.channel) == (community.guardian_record, ConsentChannel.APP)

    withdrawn = client.post(family_url(community), {"action": "withdraw", "consent": consent.pk})
    assert withdrawn.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == community.guardian
    actions = list(AuditEvent.objects.filter(object_type="people.consent").values_list("action"))
    assert actions == [("consent.give",), ("consent.withdraw",)]


def test_withdrawing_processing_is_explained_not_done(community: Community, login) -> None:
    client = login(community.guardian)
    client.post(family_url(community), {"action": "give", "purpose": "processing"})
    consent = Consent.objects.get()
    response = client.post(family_url(community), {"action": "withdraw", "consent": consent.pk})
    assert response.status_code == 200
    assert response.context["explanation"]
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert AuditEvent.objects.filter(action="consent.withdraw_refused").count() == 1


def test_guardian_cannot_touch_another_familys_consents(community: Community, login) -> None:
    theirs = consent_give(
        actor=community.other_guardian, student=community.other_student, purpose="photos"
    )
    client = login(community.guardian)
    other_page = reverse("people:family_privacy", args=[community.other_student.pk])
    assert client.get(other_page).status_code == 404
    assert client.post(other_page, {"action": "give", "purpose": "photos"}).status_code == 404
    # Their consent id through one's own child's page: 404 as well.
    response = client.post(family_url(community), {"action": "withdraw", "consent": theirs.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
    assert Consent.objects.count() == 1


def test_minor_student_has_no_consent_page(community: Community, login) -> None:
    assert login(community.student_user).get(family_url(community)).status_code == 404


# --- the class teacher's and the director's register -----------------------------------------


def test_consent_register_shows_acceptance_version_time_and_who_has_not_consented(
    community: Community, login
) -> None:
    notice = publish(community)
    PrivacyAcceptance.objects.create(
        user=community.guardian,
        municipality=community.municipality,
        version=1,
        notice=notice,
        accepted_at=notice.published_at,
    )
    consent_give(actor=community.guardian, student=community.student, purpose="processing")
    client = login(community.class_teacher)
    response = client.get(reverse("people:class_consents", args=[community.class_5a.pk]))
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.student == community.student)
    holder = row.holders[0]
    assert holder.accepted_version == 1
    assert holder.accepted_at == notice.published_at
    assert ConsentPurpose.PROCESSING in holder.consents
    missing = [r.student for r in response.context["missing"]]
    assert missing == [community.other_student]
    body = response.content.decode()
    assert community.other_student.full_name in body


def test_class_teacher_records_a_paper_consent_with_its_scan(
    community: Community, login, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login(community.class_teacher)
    url = reverse("people:class_consents", args=[community.class_5a.pk])
    holder = f"{community.student.pk}:{community.guardian_record.pk}"
    renamed = client.post(
        url,
        {
            "paper-holder": holder,
            "paper-purpose": "processing",
            "paper-document": SimpleUploadedFile("consent.pdf", b"MZ\x90\x00evil"),
        },
    )
    assert renamed.status_code == 200
    assert not Consent.objects.exists()

    done = client.post(
        url,
        {
            "paper-holder": holder,
            "paper-purpose": "processing",
            "paper-given_on": "2026-09-02",
            "paper-document": SimpleUploadedFile("consent.pdf", PDF),
        },
    )
    assert done.status_code == 302
    consent = Consent.objects.get()
    assert consent.channel == ConsentChannel.PAPER
    assert consent.recorded_by == community.class_teacher
    assert consent.document.read() == PDF
    assert AuditEvent.objects.filter(action="consent.give", object_id=str(consent.pk)).exists()

    # the scan is opened from the register, by those who read it, and by no one else
    scan = reverse("people:consent_document", args=[community.class_5a.pk, consent.pk])
    assert scan in client.get(url).content.decode()
    assert b"".join(client.get(scan).streaming_content) == PDF
    assert b"".join(login(community.director).get(scan).streaming_content) == PDF
    for who in ("teacher", "guardian", "other_school_admin"):
        assert login(getattr(community, who)).get(scan).status_code == 404
    # not through another class the reader may open
    elsewhere = reverse("people:consent_document", args=[community.class_5b.pk, consent.pk])
    assert login(community.director).get(elsewhere).status_code == 404


@pytest.mark.parametrize("who", ["director", "teacher", "guardian", "outsider"])
def test_only_the_class_teacher_records_paper_consents(
    community: Community, login, who: str
) -> None:
    client = login(getattr(community, who))
    response = client.post(
        reverse("people:class_consents", args=[community.class_5a.pk]),
        {
            "paper-holder": f"{community.student.pk}:{community.guardian_record.pk}",
            "paper-purpose": "processing",
            "paper-document": SimpleUploadedFile("consent.pdf", PDF),
        },
    )
    assert response.status_code == 404
    assert not Consent.objects.exists()


def test_director_sees_per_class_who_has_not_consented(community: Community, login) -> None:
    consent_give(actor=community.guardian, student=community.student, purpose="processing")
    response = login(community.director).get(
        reverse("people:school_consents", args=[community.school.pk])
    )
    assert response.status_code == 200
    summary = {item.class_group: item for item in response.context["summary"]}
    assert (summary[community.class_5a].enrolled, summary[community.class_5a].without_consent) == (
        2,
        1,
    )
    assert summary[community.class_5b].without_consent == 1
    for who in ("teacher", "guardian", "other_school_admin"):
        page = login(getattr(community, who)).get(
            reverse("people:school_consents", args=[community.school.pk])
        )
        assert page.status_code == 404


def test_consent_register_query_count_does_not_grow_with_the_class(
    community: Community, login, django_assert_max_num_queries
) -> None:
    client = login(community.class_teacher)
    url = reverse("people:class_consents", args=[community.class_5a.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        client.get(url)


# --- correction requests ----------------------------------------------------------------------


def test_correction_request_becomes_the_class_teachers_task(community: Community, login) -> None:
    client = login(community.guardian)
    response = client.post(
        family_url(community), {"action": "request", "text": "The birth date is 15.03"}
    )
    assert response.status_code == 302
    task = CorrectionRequest.objects.get()
    assert (task.class_group, task.status) == (community.class_5a, FamilyRequestStatus.OPEN)

    teacher = login(community.class_teacher)
    page = teacher.get(reverse("people:class_consents", args=[community.class_5a.pk]))
    assert list(page.context["requests"]) == [task]
    home = teacher.get(reverse("people:class_home", args=[community.class_5a.pk]))
    assert home.context["open_requests"] == 1

    answered = teacher.post(
        reverse("people:correction_request_answer", args=[task.pk]), {"answer": "Corrected"}
    )
    assert answered.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.answer, task.resolved_by) == (
        FamilyRequestStatus.DONE,
        "Corrected",
        community.class_teacher,
    )
    assert list(
        AuditEvent.objects.filter(object_type="people.correctionrequest").values_list("action")
    ) == [("correction_request.create",), ("correction_request.resolve",)]


@pytest.mark.parametrize("who", ["director", "teacher", "guardian", "other_guardian"])
def test_only_the_class_teacher_answers_a_request(community: Community, login, who: str) -> None:
    task = correction_request_create(
        actor=community.guardian, student=community.student, text="Wrong address"
    )
    response = login(getattr(community, who)).post(
        reverse("people:correction_request_answer", args=[task.pk]), {"answer": "x"}
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == FamilyRequestStatus.OPEN
