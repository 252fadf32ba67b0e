"""The year-end and archive pages through real HTTP (Django's test client): who reaches
them, closing a class from the pre-closing check, the packaging's progress, downloading the
package, uploading a signature made outside, the register, the class teacher's summary
sheet, and the department's overview — aggregates only."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from tests.cast import Community
from zhurnal.archive.closing.checks import closing_check
from zhurnal.archive.containers import container_read
from zhurnal.archive.models import (
    ArchiveDocument,
    ArchiveSignature,
    DocumentKind,
    DocumentState,
    JobState,
    PackagingJob,
    ReopeningAct,
)
from zhurnal.archive.packaging.services import packaging_run
from zhurnal.archive.services import trusted_certificate_import
from zhurnal.archive.tests.pki import Pki, make_pki, sign_detached
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.schools.models import ClassGroup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with override_settings(ZHURNAL_AUDIT_KEY="a year-end page test key"):
        yield


@pytest.fixture
def c(community: Community) -> Community:
    for school in (community.school, community.other_school):
        audit_rows_seal(actor=None, school_id=school.pk, reason="test set-up")
    return community


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


def _close_5a(c: Community, login: Any) -> PackagingJob:
    client: Client = login(c.director)
    items = closing_check(c.year, [c.class_5a])[c.class_5a.pk]
    response = client.post(
        reverse("archive:class_close", args=[c.school.pk, c.class_5a.pk]),
        {"accepted": [item.code for item in items if item.acceptable], "confirm": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = PackagingJob.objects.get()
    assert response["Location"] == reverse("archive:job", args=[c.school.pk, job.pk])
    return job


def _packaged(c: Community, login: Any) -> dict[str, ArchiveDocument]:
    job = _close_5a(c, login)
    packaging_run(job.pk)
    return {document.kind: document for document in ArchiveDocument.objects.all()}


def test_the_year_end_page_is_the_directors_and_deputies_only(c: Community, login: Any) -> None:
    url = reverse("archive:year_end", args=[c.school.pk])
    for user in (c.director, c.deputy):
        page = login(user).get(url)
        assert page.status_code == 200
        assert "5-А" in page.content.decode()
    for user in (c.teacher, c.class_teacher, c.guardian, c.school_admin, c.department):
        assert login(user).get(url).status_code == 404
    other = reverse("archive:year_end", args=[c.other_school.pk])
    assert login(c.director).get(other).status_code == 404


def test_the_check_lists_what_is_missing_and_a_refused_close_changes_nothing(
    c: Community, login: Any
) -> None:
    url = reverse("archive:class_close", args=[c.school.pk, c.class_5a.pk])
    client = login(c.director)
    page = client.get(url)
    assert page.status_code == 200
    items = closing_check(c.year, [c.class_5a])[c.class_5a.pk]
    assert items, "mid-year, the check finds missing annual marks"
    text = page.content.decode()
    for item in items:
        assert item.code in text
    # Nothing accepted: refused, in Ukrainian, and the class stays open.
    refused = client.post(url, {"confirm": "on"})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()
    assert 'class="refused"' in refused.content.decode()
    # No confirmation: refused too.
    codes = [item.code for item in items if item.acceptable]
    assert client.post(url, {"accepted": codes}).status_code == 400
    c.class_5a.refresh_from_db()
    assert c.class_5a.closed_at is None
    assert not PackagingJob.objects.exists()


def test_only_the_director_closes(c: Community, login: Any) -> None:
    url = reverse("archive:class_close", args=[c.school.pk, c.class_5a.pk])
    codes = [item.code for item in closing_check(c.year, [c.class_5a])[c.class_5a.pk]]
    deputy = login(c.deputy)
    assert deputy.get(url).status_code == 200
    assert deputy.post(url, {"accepted": codes, "confirm": "on"}).status_code == 404
    assert login(c.teacher).post(url, {"accepted": codes, "confirm": "on"}).status_code == 404
    c.class_5a.refresh_from_db()
    assert c.class_5a.closed_at is None


def test_closing_a_class_shows_progress_and_the_documents(c: Community, login: Any) -> None:
    job = _close_5a(c, login)
    client = login(c.director)
    status = client.get(reverse("archive:job_status", args=[c.school.pk, job.pk])).json()
    assert status["state"] == JobState.QUEUED
    assert status["steps_total"] == 2 and status["finished"] is False
    page = client.get(reverse("archive:job", args=[c.school.pk, job.pk]))
    assert page.status_code == 200 and 'role="status"' in page.content.decode()
    packaging_run(job.pk)
    status = client.get(reverse("archive:job_status", args=[c.school.pk, job.pk])).json()
    assert status == status | {"state": JobState.DONE, "percent": 100, "finished": True}
    page = client.get(reverse("archive:job", args=[c.school.pk, job.pk])).content.decode()
    for document in ArchiveDocument.objects.all():
        assert reverse("archive:document", args=[c.school.pk, document.pk]) in page
    # Another school's director reaches neither the job nor its status.
    other = login(c.other_school_admin)
    assert other.get(reverse("archive:job", args=[c.school.pk, job.pk])).status_code == 404


def test_the_package_downloads_and_a_detached_signature_signs_it(
    c: Community, login: Any, pki: Pki
) -> None:
    documents = _packaged(c, login)
    journal = documents[DocumentKind.CLASS_JOURNAL]
    client = login(c.director)
    base = (c.school.pk, journal.pk)
    package = client.get(reverse("archive:document_download", args=[*base, "package"]))
    assert package["Content-Type"] == "application/vnd.etsi.asic-e+zip"
    container = container_read(package.content)
    assert {"journal.pdf", "journal.json", "marks.csv", "attendance.csv"} <= set(container.files)
    manifest = client.get(reverse("archive:document_download", args=[*base, "manifest"]))
    manifest_bytes = manifest.content
    assert manifest_bytes == container.manifests[0].content
    # The signed package exists only once signed.
    assert (
        client.get(reverse("archive:document_download", args=[*base, "signed"])).status_code == 404
    )

    trusted_certificate_import(actor=None, data=pki.root.certificate.public_bytes(Encoding.PEM))
    signature = sign_detached(manifest_bytes, pki.director, chain=[pki.intermediate])
    response = client.post(
        reverse("archive:signature_upload", args=base),
        {"file": SimpleUploadedFile("journal.p7s", signature), "role": "director"},
    )
    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.state == DocumentState.SIGNED
    page = client.get(reverse("archive:document", args=base)).content.decode()
    assert "Олена Петренко" in page
    signed = client.get(reverse("archive:document_download", args=[*base, "signed"]))
    assert signed.status_code == 200
    assert container_read(signed.content).signatures


def test_a_file_that_is_not_a_signature_is_refused_and_nothing_kept(
    c: Community, login: Any
) -> None:
    journal = _packaged(c, login)[DocumentKind.CLASS_JOURNAL]
    response = login(c.director).post(
        reverse("archive:signature_upload", args=[c.school.pk, journal.pk]),
        {
            "file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff not a signature"),
            "role": "director",
        },
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ArchiveSignature.objects.exists()
    journal.refresh_from_db()
    assert journal.state == DocumentState.DRAFT


def test_the_class_teacher_signs_the_summary_sheet_of_their_own_class_only(
    c: Community, login: Any, pki: Pki
) -> None:
    documents = _packaged(c, login)
    summary = documents[DocumentKind.SUMMARY_SHEET]
    journal = documents[DocumentKind.CLASS_JOURNAL]
    client = login(c.class_teacher)
    assert c.class_5a.class_teacher_id == c.class_teacher.pk
    listing = client.get(reverse("archive:class_documents", args=[c.class_5a.pk]))
    assert listing.status_code == 200
    page = client.get(reverse("archive:document", args=[c.school.pk, summary.pk]))
    upload = reverse("archive:signature_upload", args=[c.school.pk, summary.pk])
    assert page.status_code == 200 and upload in page.content.decode()
    manifest = container_read(summary.container.read()).manifests[0].content
    response = client.post(
        reverse("archive:signature_upload", args=[c.school.pk, summary.pk]),
        {
            "file": SimpleUploadedFile("s.p7s", sign_detached(manifest, pki.director)),
            "role": "class_teacher",
        },
    )
    assert response.status_code == 302
    assert ArchiveSignature.objects.get().role == "class_teacher"
    # The class journal is the director's to sign: the class teacher may not upload there.
    refused = client.post(
        reverse("archive:signature_upload", args=[c.school.pk, journal.pk]),
        {"file": SimpleUploadedFile("s.p7s", b"x"), "role": "class_teacher"},
    )
    assert refused.status_code == 404
    # Another class's teacher, a guardian and another school reach nothing.
    for user in (c.teacher, c.guardian, c.other_school_admin):
        assert (
            login(user).get(reverse("archive:document", args=[c.school.pk, summary.pk])).status_code
            == 404
        )


def test_transfer_and_no_destruction_before_the_date(c: Community, login: Any, pki: Pki) -> None:
    journal = _packaged(c, login)[DocumentKind.CLASS_JOURNAL]
    client = login(c.director)
    base = (c.school.pk, journal.pk)
    assert client.post(reverse("archive:transfer", args=base)).status_code == 302
    journal.refresh_from_db()
    assert journal.state == DocumentState.DRAFT  # a draft cannot be transferred
    response = client.post(reverse("archive:destroy", args=base), {"reason": "Строк минув"})
    assert response.status_code == 400
    journal.refresh_from_db()
    assert journal.state == DocumentState.DRAFT and journal.container


def test_reopening_needs_a_reason_and_the_department_sees_the_act(c: Community, login: Any) -> None:
    _close_5a(c, login)
    client = login(c.director)
    url = reverse("archive:reopen", args=[c.school.pk])
    client.post(url, {"year": c.year.pk, "class_group": c.class_5a.pk, "reason": ""})
    assert not ReopeningAct.objects.exists()
    client.post(
        url, {"year": c.year.pk, "class_group": c.class_5a.pk, "reason": "Помилка в річній оцінці"}
    )
    act = ReopeningAct.objects.get()
    assert act.reason == "Помилка в річній оцінці"
    c.class_5a.refresh_from_db()
    assert c.class_5a.closed_at is None
    page = login(c.department).get(reverse("archive:department")).content.decode()
    assert "Помилка в річній оцінці" in page


def test_the_department_sees_counts_not_marks(c: Community, login: Any, pki: Pki) -> None:
    journal = _packaged(c, login)[DocumentKind.CLASS_JOURNAL]
    manifest = container_read(journal.container.read()).manifests[0].content
    trusted_certificate_import(actor=None, data=pki.root.certificate.public_bytes(Encoding.PEM))
    login(c.director).post(
        reverse("archive:signature_upload", args=[c.school.pk, journal.pk]),
        {
            "file": SimpleUploadedFile(
                "j.p7s", sign_detached(manifest, pki.director, chain=[pki.intermediate])
            ),
            "role": "director",
        },
    )
    page = login(c.department).get(reverse("archive:department"))
    assert page.status_code == 200
    text = page.content.decode()
    assert c.school.short_name in text or c.school.name in text
    assert c.student.surname not in text
    row = text.split('id="department-archive"')[1]
    assert "5-Б" in row  # not signed yet
    for user in (c.director, c.teacher, c.guardian):
        assert login(user).get(reverse("archive:department")).status_code == 404


def test_the_year_end_page_issues_a_fixed_number_of_queries(
    c: Community, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(c.director)
    url = reverse("archive:year_end", args=[c.school.pk])
    client.get(url)
    for letter in "ВГДЕ":
        ClassGroup.objects.create(year=c.year, grade=6, letter=letter)
    with django_assert_max_num_queries(60):
        assert client.get(url).status_code == 200


def test_a_closed_class_page_says_so(c: Community, login: Any) -> None:
    _close_5a(c, login)
    page = login(c.director).get(reverse("archive:class_close", args=[c.school.pk, c.class_5a.pk]))
    assert page.status_code == 200
    c.class_5a.refresh_from_db()
    assert c.class_5a.closed_at is not None
    assert c.class_5a.closed_at.astimezone(dt.UTC).strftime("%Y") in page.content.decode()


def test_a_signature_of_the_whole_package_file_also_signs_it(
    c: Community, login: Any, pki: Pki
) -> None:
    """A director's tool asked to sign «a file» signs the downloaded .asice itself: that
    detached signature covers every byte of the package and counts too; the signed
    download is then an ASiC-S holding the package and the signature."""
    journal = _packaged(c, login)[DocumentKind.CLASS_JOURNAL]
    client = login(c.director)
    base = (c.school.pk, journal.pk)
    package = client.get(reverse("archive:document_download", args=[*base, "package"])).content
    trusted_certificate_import(actor=None, data=pki.root.certificate.public_bytes(Encoding.PEM))
    signature = sign_detached(package, pki.director, chain=[pki.intermediate])
    response = client.post(
        reverse("archive:signature_upload", args=base),
        {"file": SimpleUploadedFile("package.asice.p7s", signature), "role": "director"},
    )
    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.state == DocumentState.SIGNED
    page = client.get(reverse("archive:document", args=base)).content.decode()
    assert "package.asice" in page
    signed = client.get(reverse("archive:document_download", args=[*base, "signed"])).content
    kept = container_read(signed)
    assert kept.kind == "asic-s" and kept.files == {"package.asice": package}
    # A signature of something else entirely is kept, but does not sign the package.
    other = sign_detached(b"another document", pki.director, chain=[pki.intermediate])
    client.post(
        reverse("archive:signature_upload", args=base),
        {"file": SimpleUploadedFile("other.p7s", other), "role": "director"},
    )
    assert not ArchiveSignature.objects.get(sha256=hashlib.sha256(other).hexdigest()).accepted


def test_the_director_packages_a_finished_job_again_as_new_versions(
    c: Community, login: Any
) -> None:
    job = _close_5a(c, login)
    packaging_run(job.pk)
    url = reverse("archive:job_repeat", args=[c.school.pk, job.pk])
    assert login(c.deputy).post(url).status_code == 404
    response = login(c.director).post(url)
    repeated = PackagingJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("archive:job", args=[c.school.pk, repeated.pk])
    packaging_run(repeated.pk)
    versions = sorted(ArchiveDocument.objects.values_list("kind", "version"))
    assert versions == [
        (DocumentKind.CLASS_JOURNAL, 1),
        (DocumentKind.CLASS_JOURNAL, 2),
        (DocumentKind.SUMMARY_SHEET, 1),
        (DocumentKind.SUMMARY_SHEET, 2),
    ]
    first, second = ArchiveDocument.objects.filter(kind=DocumentKind.CLASS_JOURNAL).order_by(
        "version"
    )
    assert first.sha256 == second.sha256  # the same closed year gives the same package


def test_after_every_class_the_school_closes_its_year_and_packages_the_register(
    c: Community, login: Any
) -> None:
    client = login(c.director)
    for group in (c.class_5a, c.class_5b):
        items = closing_check(c.year, [group])[group.pk]
        response = client.post(
            reverse("archive:class_close", args=[c.school.pk, group.pk]),
            {"accepted": [item.code for item in items if item.acceptable], "confirm": "on"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    url = reverse("archive:school_close", args=[c.school.pk]) + f"?year={c.year.pk}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    response = client.post(url, {"confirm": "on", "year": c.year.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    c.year.refresh_from_db()
    assert c.year.closed_at is not None
    job = PackagingJob.objects.order_by("-pk").first()
    assert job is not None and job.school_documents and not job.class_groups.exists()
    packaging_run(job.pk)
    assert ArchiveDocument.objects.filter(kind=DocumentKind.SUBSTITUTION_REGISTER).count() == 1
    closed_page = client.get(url).content.decode()
    assert 'name="confirm"' not in closed_page
