from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cast import Community
from zhurnal.archive import register
from zhurnal.archive.containers import (
    ASIC_S_MIMETYPE,
    container_add_signature,
    container_build,
    container_read,
)
from zhurnal.archive.democa import DemoCa, demo_ca_create, demo_sign
from zhurnal.archive.models import (
    ArchiveDocument,
    ArchiveSignature,
    DestructionAct,
    DocumentKind,
    DocumentState,
    SignerRole,
)
from zhurnal.archive.register import (
    archive_document_add,
    archive_document_destroy,
    archive_document_transfer,
    archive_signature_add,
    keep_until,
)
from zhurnal.archive.selectors import archive_department_summary, archive_register
from zhurnal.archive.services import trusted_certificate_import
from zhurnal.archive.tests.pki import (
    DSTU_4145_OID,
    Pki,
    make_pki,
    sign_detached,
    with_signature_algorithm,
    zip_of,
)
from zhurnal.audit.models import AuditEvent

FILES = {"journal.pdf": b"%PDF-1.7 journal", "marks.csv": b"student;mark\n1;12\n"}
MIME = {"journal.pdf": "application/pdf", "marks.csv": "text/csv"}
CLOSED = dt.date(2027, 6, 20)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _container(extra: bytes = b"") -> bytes:
    return container_build(FILES | {"note.txt": b"v" + extra}, MIME | {"note.txt": "text/plain"})


def _add(community: Community, *, kind: str = DocumentKind.CLASS_JOURNAL, **extra: Any) -> Any:
    arguments: dict[str, Any] = {
        "actor": community.director,
        "kind": kind,
        "school": community.school,
        "year": community.year,
        "class_group": community.class_5a,
        "closed_on": CLOSED,
        "container": _container(),
        "nomenclature_index": "01-12",
    }
    return archive_document_add(**(arguments | extra))


def _manifest(document: ArchiveDocument) -> bytes:
    with document.container.open("rb") as handle:
        return container_read(handle.read()).manifests[0].content


def test_versions_are_added_never_replaced(community: Community) -> None:
    first = _add(community)
    second = _add(community, container=_container(b"2"))
    school_wide = _add(community, kind=DocumentKind.SUBSTITUTION_REGISTER, class_group=None)
    again = _add(community, kind=DocumentKind.SUBSTITUTION_REGISTER, class_group=None)
    assert (first.version, second.version, school_wide.version, again.version) == (1, 2, 1, 2)
    first.refresh_from_db()
    assert first.state == DocumentState.DRAFT
    assert Path(first.container.path).read_bytes() == _container()
    assert first.sha256 != second.sha256
    assert first.container.name != second.container.name
    assert first.keep_until == dt.date(2032, 12, 31)
    assert AuditEvent.objects.filter(action="archive.document_add").count() == 4


@pytest.mark.parametrize("class_wide", [True, False])
def test_the_database_refuses_a_second_row_with_the_same_version(
    community: Community, class_wide: bool
) -> None:
    group = community.class_5a if class_wide else None
    document = _add(community, class_group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchiveDocument.objects.create(
            kind=document.kind,
            nomenclature_index="01-12",
            school=community.school,
            year=community.year,
            class_group=group,
            version=1,
            sha256="0" * 64,
            created_by=community.director,
            closed_on=CLOSED,
            keep_until=CLOSED,
        )


def test_the_database_refuses_inconsistent_dates_and_states(community: Community) -> None:
    document = _add(community)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchiveDocument.objects.filter(pk=document.pk).update(keep_until=dt.date(2027, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchiveDocument.objects.filter(pk=document.pk).update(state=DocumentState.DESTROYED)
    with pytest.raises(IntegrityError), transaction.atomic():
        DestructionAct.objects.create(
            document=document,
            destroyed_by=community.director,
            destroyed_at=dt.datetime(2040, 1, 1, tzinfo=dt.UTC),
            reason="",
            container_name="x",
            container_sha256="0" * 64,
        )


@pytest.mark.parametrize(
    ("kind", "closed_on", "expected"),
    [
        (DocumentKind.CLASS_JOURNAL, dt.date(2027, 6, 20), dt.date(2032, 12, 31)),
        (DocumentKind.CLASS_JOURNAL, dt.date(2027, 1, 1), dt.date(2032, 12, 31)),
        (DocumentKind.CLASS_JOURNAL, dt.date(2027, 12, 31), dt.date(2032, 12, 31)),
        (DocumentKind.CLASS_JOURNAL, dt.date(2028, 1, 1), dt.date(2033, 12, 31)),
        (DocumentKind.SUMMARY_SHEET, dt.date(2027, 6, 20), dt.date(2052, 12, 31)),
        (DocumentKind.SUBSTITUTION_REGISTER, dt.date(2027, 6, 20), dt.date(2032, 12, 31)),
    ],
)
def test_keep_until_counts_whole_years_from_the_next_first_of_january(
    kind: str, closed_on: dt.date, expected: dt.date
) -> None:
    assert keep_until(kind, closed_on) == expected


def test_retention_comes_from_the_settings(settings: Any) -> None:
    settings.ZHURNAL_RETENTION_JOURNAL_YEARS = 10
    assert keep_until(DocumentKind.CLASS_JOURNAL, CLOSED) == dt.date(2037, 12, 31)


def test_destruction_is_refused_up_to_keep_until_and_allowed_the_day_after(
    community: Community, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    document = _add(community)
    path = Path(document.container.path)
    for today in (dt.date(2028, 1, 1), dt.date(2032, 12, 31)):
        with pytest.raises(ValidationError, match="must be kept until"):
            archive_document_destroy(
                actor=community.director, document=document, reason="Строк минув", today=today
            )
    assert path.exists()
    assert not DestructionAct.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        act = archive_document_destroy(
            actor=community.director,
            document=document,
            reason="Строк зберігання минув",
            today=dt.date(2033, 1, 1),
        )
    assert not path.exists()
    document.refresh_from_db()
    assert document.state == DocumentState.DESTROYED
    assert document.destroyed_at is not None
    assert not document.container
    assert act.document == document
    assert act.destroyed_by == community.director
    assert act.container_sha256 == document.sha256
    event = AuditEvent.objects.get(action="archive.document_destroy")
    assert event.reason == "Строк зберігання минув"
    assert event.before is not None and event.before["state"] == DocumentState.DRAFT
    with pytest.raises(ValidationError):
        archive_document_destroy(
            actor=community.director, document=document, reason="ще раз", today=dt.date(2040, 1, 1)
        )


def test_destruction_needs_a_reason(community: Community) -> None:
    document = _add(community)
    with pytest.raises(ValidationError):
        archive_document_destroy(
            actor=community.director, document=document, reason=" ", today=dt.date(2040, 1, 1)
        )


@pytest.mark.parametrize("who", ["deputy", "school_admin", "class_teacher", "other_school_admin"])
def test_only_the_director_may_destroy(community: Community, who: str) -> None:
    document = _add(community)
    with pytest.raises(PermissionDenied):
        archive_document_destroy(
            actor=getattr(community, who),
            document=document,
            reason="Строк минув",
            today=dt.date(2040, 1, 1),
        )
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT
    assert Path(document.container.path).exists()


def test_a_failed_write_leaves_nothing_behind(
    community: Community, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(register, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _add(community)
    assert not ArchiveDocument.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_failed_destruction_keeps_the_file_and_the_row(
    community: Community,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    document = _add(community)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(register, "audit_record", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        archive_document_destroy(
            actor=community.director, document=document, reason="Строк", today=dt.date(2040, 1, 1)
        )
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT
    assert Path(document.container.path).exists()
    assert not DestructionAct.objects.exists()


def test_a_valid_director_signature_signs_the_document(community: Community, pki: Pki) -> None:
    trusted_certificate_import(actor=None, data=pki.root.certificate.public_bytes(Encoding.PEM))
    document = _add(community)
    signature = sign_detached(_manifest(document), pki.director, chain=[pki.intermediate])
    stored = archive_signature_add(actor=community.director, document=document, signature=signature)
    document.refresh_from_db()
    assert document.state == DocumentState.SIGNED
    assert stored.accepted
    assert (stored.validity, stored.chain, stored.integrity) == ("valid", "trusted", "ok")
    assert stored.signer_name == "Олена Петренко"
    assert stored.signer_drfo == "1234567890"
    assert stored.report["signers"][0]["signer"]["organisation"] == "Ліцей № 1"
    assert AuditEvent.objects.filter(action="archive.signature_add").count() == 1
    with pytest.raises(ValidationError, match="already"):
        archive_signature_add(actor=community.director, document=document, signature=signature)
    transferred = archive_document_transfer(actor=community.director, document=document)
    assert transferred.state == DocumentState.TRANSFERRED
    register_rows = archive_register(community.school)
    assert [row.pk for row in register_rows] == [document.pk]
    assert [s.signer_name for s in register_rows[0].signatures.all()] == ["Олена Петренко"]


def test_a_dstu_signature_is_stored_as_not_verifiable(community: Community, pki: Pki) -> None:
    document = _add(community)
    signature = with_signature_algorithm(
        sign_detached(_manifest(document), pki.director, chain=[pki.intermediate]), DSTU_4145_OID
    )
    stored = archive_signature_add(actor=community.director, document=document, signature=signature)
    assert stored.validity == "not_verifiable"
    assert stored.integrity == "ok"
    assert stored.accepted
    assert bytes(ArchiveSignature.objects.get().data) == signature
    document.refresh_from_db()
    assert document.state == DocumentState.SIGNED


def test_a_signature_over_another_manifest_is_kept_but_does_not_sign(
    community: Community, pki: Pki
) -> None:
    document = _add(community)
    signature = sign_detached(b"another manifest", pki.director)
    stored = archive_signature_add(actor=community.director, document=document, signature=signature)
    assert stored.integrity == "mismatch"
    assert not stored.accepted
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT
    with pytest.raises(ValidationError):
        archive_document_transfer(actor=community.director, document=document)


def test_not_a_signature_is_refused(community: Community) -> None:
    document = _add(community)
    with pytest.raises(ValidationError, match="not a signature"):
        archive_signature_add(actor=community.director, document=document, signature=b"hello")
    assert not ArchiveSignature.objects.exists()


def test_signing_roles(community: Community, pki: Pki) -> None:
    journal = _add(community)
    signature = sign_detached(_manifest(journal), pki.director)
    for who in ("deputy", "class_teacher", "teacher"):
        with pytest.raises(PermissionDenied):
            archive_signature_add(
                actor=getattr(community, who), document=journal, signature=signature
            )
    with pytest.raises(PermissionDenied):
        archive_signature_add(
            actor=community.class_teacher,
            document=journal,
            signature=signature,
            role=SignerRole.CLASS_TEACHER,
        )
    sheet = _add(community, kind=DocumentKind.SUMMARY_SHEET)
    stored = archive_signature_add(
        actor=community.class_teacher,
        document=sheet,
        signature=sign_detached(_manifest(sheet), pki.director),
        role=SignerRole.CLASS_TEACHER,
    )
    assert stored.role == SignerRole.CLASS_TEACHER
    sheet.refresh_from_db()
    assert sheet.state == DocumentState.DRAFT  # only the director's signature signs


def test_only_the_director_adds_and_the_class_must_be_the_schools(community: Community) -> None:
    with pytest.raises(PermissionDenied):
        _add(community, actor=community.school_admin)
    with pytest.raises(ValidationError):
        _add(community, class_group=community.other_school_class)
    with pytest.raises(ValidationError):
        _add(community, container=b"not a zip")
    assert not ArchiveDocument.objects.exists()


def test_department_summary_has_counts_and_unsigned_classes_only(
    community: Community, pki: Pki
) -> None:
    journal = _add(community)
    _add(community, kind=DocumentKind.SUMMARY_SHEET)
    archive_signature_add(
        actor=community.director,
        document=journal,
        signature=sign_detached(_manifest(journal), pki.director),
    )
    summary = archive_department_summary(community.municipality, year_name="2026/2027")
    by_school = {row.school_id: row for row in summary}
    school = by_school[community.school.pk]
    assert school.counts == {
        (DocumentKind.CLASS_JOURNAL, DocumentState.SIGNED): 1,
        (DocumentKind.SUMMARY_SHEET, DocumentState.DRAFT): 1,
    }
    assert str(community.class_5a) not in school.classes_without_signed_journal
    assert str(community.class_5b) in school.classes_without_signed_journal
    other = by_school[community.other_school.pk]
    assert other.counts == {}
    assert other.classes_without_signed_journal == [str(community.other_school_class)]
    text = repr(summary)
    for student in (community.student, community.other_student, community.student_5b):
        assert student.surname not in text
        assert student.given_name not in text
    assert {f.name for f in dataclasses.fields(school)} == {
        "school_id",
        "school_name",
        "year_id",
        "counts",
        "classes_without_signed_journal",
    }


# --- signed containers, as the director's tool returns them -------------------------------


@pytest.fixture(scope="module")
def demo_ca(tmp_path_factory: pytest.TempPathFactory) -> DemoCa:
    return demo_ca_create(tmp_path_factory.mktemp("demo-ca"))


def _package(document: ArchiveDocument) -> bytes:
    with document.container.open("rb") as handle:
        return handle.read()


def test_a_signed_asic_e_container_is_accepted(community: Community, demo_ca: DemoCa) -> None:
    trusted_certificate_import(actor=None, data=demo_ca.root_pem)
    document = _add(community)
    signature = demo_sign(demo_ca, _manifest(document))
    signed = container_add_signature(_package(document), signature)
    stored = archive_signature_add(actor=community.director, document=document, signature=signed)
    assert stored.accepted
    assert bytes(stored.data) == signature
    assert (stored.integrity, stored.validity, stored.chain) == ("ok", "valid", "trusted")
    assert (stored.revocation, stored.level) == ("good", "LT")
    assert stored.signer_name == demo_ca.director_identity.name
    assert stored.report["signers"][0]["signature_name"] == "META-INF/signature.p7s"
    document.refresh_from_db()
    assert document.state == DocumentState.SIGNED
    with pytest.raises(ValidationError, match="already"):
        archive_signature_add(actor=community.director, document=document, signature=signed)
    with pytest.raises(ValidationError, match="already"):
        archive_signature_add(actor=community.director, document=document, signature=signature)
    assert ArchiveSignature.objects.count() == 1


def test_a_signed_asic_s_container_over_the_manifest_is_accepted(
    community: Community, pki: Pki
) -> None:
    document = _add(community)
    manifest = _manifest(document)
    signature = sign_detached(manifest, pki.director, chain=[pki.intermediate])
    asic_s = zip_of(
        [
            ("mimetype", ASIC_S_MIMETYPE.encode()),
            ("ASiCManifest.xml", manifest),
            ("META-INF/signature.p7s", signature),
        ]
    )
    stored = archive_signature_add(actor=community.director, document=document, signature=asic_s)
    assert stored.accepted
    assert stored.integrity == "ok"
    assert stored.chain == "unknown_issuer"  # the test root is not in the trust bundle
    assert bytes(stored.data) == signature


def _refused(community: Community, document: ArchiveDocument, upload: bytes, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        archive_signature_add(actor=community.director, document=document, signature=upload)
    assert not ArchiveSignature.objects.exists()
    assert not AuditEvent.objects.filter(action="archive.signature_add").exists()
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT


def test_a_container_that_signs_other_files_is_refused_and_nothing_is_kept(
    community: Community, pki: Pki
) -> None:
    document = _add(community)
    forged = container_build(FILES | {"note.txt": b"forged"}, MIME)
    signed_forgery = container_add_signature(
        forged, sign_detached(_manifest_of(forged), pki.director)
    )
    _refused(community, document, signed_forgery, "signs other files: note.txt")
    other = b"<another document/>"
    asic_s = zip_of(
        [
            ("mimetype", ASIC_S_MIMETYPE.encode()),
            ("order.xml", other),
            ("META-INF/signature.p7s", sign_detached(other, pki.director)),
        ]
    )
    _refused(community, document, asic_s, "signs other files: order.xml")
    package = _package(document)
    whole = zip_of(
        [
            ("mimetype", ASIC_S_MIMETYPE.encode()),
            ("package.asice", package),
            ("META-INF/signature.p7s", sign_detached(package, pki.director)),
        ]
    )
    _refused(community, document, whole, "signs the package file itself")
    unsigned = _package(document)
    _refused(community, document, unsigned, "no CAdES signature")
    garbage = container_add_signature(unsigned, b"garbage")
    _refused(community, document, garbage, "META-INF/signature.p7s in the container is not")
    _refused(community, document, b"PK\x03\x04 broken", "neither a signature nor")


def _manifest_of(package: bytes) -> bytes:
    return container_read(package).manifests[0].content


def test_two_signatures_in_one_container_are_both_kept_and_reported(
    community: Community, pki: Pki, demo_ca: DemoCa
) -> None:
    trusted_certificate_import(actor=None, data=demo_ca.root_pem)
    document = _add(community)
    manifest = _manifest(document)
    first = demo_sign(demo_ca, manifest)
    second = demo_sign(demo_ca, manifest, signer="class-teacher")
    signed = container_add_signature(_package(document), first)
    with_second = zip_of(
        [
            *_entries(signed),
            ("META-INF/signature2.p7s", second),
        ]
    )
    stored = archive_signature_add(
        actor=community.director, document=document, signature=with_second
    )
    assert stored.accepted
    rows = list(ArchiveSignature.objects.order_by("pk"))
    assert len(rows) == 2
    assert {row.signer_name for row in rows} == {
        demo_ca.director_identity.name,
        demo_ca.class_teacher_identity.name,
    }
    assert all(row.accepted and row.chain == "trusted" for row in rows)
    assert {row.report["signers"][0]["signature_name"] for row in rows} == {
        "META-INF/signature.p7s",
        "META-INF/signature2.p7s",
    }
    assert AuditEvent.objects.filter(action="archive.signature_add").count() == 2


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def test_a_signature_revoked_in_a_container_is_kept_but_does_not_sign(
    community: Community, demo_ca: DemoCa
) -> None:
    trusted_certificate_import(actor=None, data=demo_ca.root_pem)
    document = _add(community)
    signed = container_add_signature(
        _package(document), demo_sign(demo_ca, _manifest(document), signer="revoked")
    )
    stored = archive_signature_add(actor=community.director, document=document, signature=signed)
    assert (stored.revocation, stored.accepted) == ("revoked", False)
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1))
def test_a_damaged_signed_container_is_refused_or_kept_never_a_crash(
    community: Community, pki: Pki, flips: list[tuple[int, int]]
) -> None:
    document = ArchiveDocument.objects.first() or _add(community)
    signed = bytearray(
        container_add_signature(
            _package(document), sign_detached(_manifest(document), pki.director)
        )
    )
    for position, value in flips[:4]:
        signed[position % len(signed)] = value
    with contextlib.suppress(ValidationError):
        archive_signature_add(actor=community.director, document=document, signature=bytes(signed))
