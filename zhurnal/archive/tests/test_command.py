from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from zhurnal.archive.containers import container_add_signature, container_build, container_read
from zhurnal.archive.models import TrustedCertificate
from zhurnal.archive.tests.pki import (
    DSTU_4145_OID,
    Issued,
    Pki,
    make_pki,
    sign_detached,
    with_signature_algorithm,
    zip_of,
)
from zhurnal.audit.models import AuditEvent

FILES = {"journal.pdf": b"%PDF-1.7 journal", "marks.csv": b"student;mark\n1;12\n"}
MIME = {"journal.pdf": "application/pdf", "marks.csv": "text/csv"}


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def trusted_root(db: None, pki: Pki, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pki.root.certificate.public_bytes(Encoding.PEM))
    call_command("archive", "trust", "import", str(bundle))


def _package(tmp_path: Path, signer: Issued, chain: list[Issued], *, oid: str = "") -> Path:
    unsigned = container_build(FILES, MIME)
    signature = sign_detached(container_read(unsigned).manifests[0].content, signer, chain=chain)
    if oid:
        signature = with_signature_algorithm(signature, oid)
    path = tmp_path / "package.asice"
    path.write_bytes(container_add_signature(unsigned, signature))
    return path


def test_trust_import_stores_each_certificate_once_and_audits_it(
    db: None, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(
        pki.root.certificate.public_bytes(Encoding.PEM)
        + pki.intermediate.certificate.public_bytes(Encoding.PEM)
    )
    call_command("archive", "trust", "import", str(bundle))
    (tmp_path / "root.cer").write_bytes(pki.root.der)
    call_command("archive", "trust", "import", str(tmp_path / "root.cer"))
    assert TrustedCertificate.objects.count() == 2
    assert AuditEvent.objects.filter(action="archive.trust_import").count() == 2
    root = TrustedCertificate.objects.get(subject="CN=Test Root CA")
    assert bytes(root.der) == pki.root.der
    call_command("archive", "trust", "list")
    out = capsys.readouterr().out
    assert "CN=Test Qualified CA" in out
    assert root.fingerprint in out


def test_trust_import_of_a_non_certificate_fails_clearly(db: None, tmp_path: Path) -> None:
    (tmp_path / "junk.pem").write_bytes(b"not a certificate")
    with pytest.raises(CommandError, match="not a PEM or DER certificate"):
        call_command("archive", "trust", "import", str(tmp_path / "junk.pem"))
    assert not TrustedCertificate.objects.exists()
    assert not AuditEvent.objects.exists()


def test_verify_strict_passes_a_good_package(
    trusted_root: None, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _package(tmp_path, pki.director, [pki.intermediate])
    call_command("archive", "verify", str(path), "--strict")
    out = capsys.readouterr().out
    assert "All files match the manifest." in out
    assert "Олена Петренко" in out
    assert "Certificate chain: trusted." in out


def test_verify_strict_exits_non_zero_on_a_changed_file(
    trusted_root: None, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _package(tmp_path, pki.director, [pki.intermediate])
    container = container_read(path.read_bytes())
    path.write_bytes(
        zip_of(
            [
                ("mimetype", container.mimetype.encode()),
                ("journal.pdf", b"%PDF-1.7 journaL"),
                ("marks.csv", FILES["marks.csv"]),
                *((m.name, m.content) for m in container.manifests),
                *container.signatures.items(),
            ]
        )
    )
    call_command("archive", "verify", str(path))  # without --strict: a report, exit 0
    assert "journal.pdf was changed" in capsys.readouterr().out
    with pytest.raises(CommandError) as raised:
        call_command("archive", "verify", str(path), "--strict")
    assert raised.value.returncode == 1


@pytest.mark.parametrize("case", ["unknown_ca", "dstu", "untrusted_bundle"])
def test_verify_strict_exits_non_zero_on_an_unacceptable_signature(
    db: None, pki: Pki, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if case == "unknown_ca":
        path = _package(tmp_path, pki.stranger, [pki.stranger_ca])
        expected = "issuer unknown"
    elif case == "dstu":
        path = _package(tmp_path, pki.director, [pki.intermediate], oid=DSTU_4145_OID)
        expected = "not verifiable here"
    else:
        path = _package(tmp_path, pki.director, [pki.intermediate])  # empty trust bundle
        expected = "issuer unknown"
    call_command("archive", "verify", str(path))
    assert expected in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("archive", "verify", str(path), "--strict")


def test_verify_of_a_garbage_file_fails_clearly(db: None, tmp_path: Path) -> None:
    (tmp_path / "junk.asice").write_bytes(b"junk")
    with pytest.raises(CommandError, match="Not a readable package: not a ZIP"):
        call_command("archive", "verify", str(tmp_path / "junk.asice"))


def test_the_refusal_is_in_ukrainian_by_default(db: None, tmp_path: Path) -> None:
    (tmp_path / "junk.pem").write_bytes(b"not a certificate")
    with translation.override("uk"), pytest.raises(CommandError, match="Файл не є сертифікатом"):
        call_command("archive", "trust", "import", str(tmp_path / "junk.pem"))
