from __future__ import annotations

import asyncio
import contextlib
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from zhurnal.archive.containers import (
    ContainerError,
    container_add_signature,
    container_build,
    container_read,
)
from zhurnal.archive.democa import (
    DemoCa,
    DemoCaError,
    DemoIdentity,
    demo_ca_create,
    demo_ca_directory,
    demo_ca_ensure,
    demo_ca_load,
    demo_sign,
)
from zhurnal.archive.services import trusted_certificate_import
from zhurnal.archive.signatures import (
    Chain,
    Integrity,
    Revocation,
    SignatureFormatError,
    Validity,
    signature_verify,
)
from zhurnal.archive.verification import package_verify

FILES = {"journal.pdf": b"%PDF-1.7 journal", "marks.csv": b"student;mark\n1;12\n"}
MIME = {"journal.pdf": "application/pdf", "marks.csv": "text/csv"}
DIRECTOR = DemoIdentity("Шевченко Марія Петрівна", "Ліцей № 3")


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> DemoCa:
    return demo_ca_create(tmp_path_factory.mktemp("demo-ca"), director=DIRECTOR)


@pytest.fixture(scope="module")
def package() -> bytes:
    return container_build(FILES, MIME)


@pytest.fixture(scope="module")
def signed_package(ca: DemoCa, package: bytes) -> bytes:
    return container_add_signature(package, demo_sign(ca, _manifest(package)))


def _manifest(package: bytes) -> bytes:
    return container_read(package).manifests[0].content


def _root(ca: DemoCa) -> bytes:
    return ca.root.certificate.public_bytes(Encoding.DER)


def test_a_demo_signature_is_valid_trusted_time_stamped_with_revocation_embedded(
    ca: DemoCa, package: bytes
) -> None:
    manifest = _manifest(package)
    signature = demo_sign(ca, manifest)
    (report,) = signature_verify(signature, content=manifest, trust=[_root(ca)])
    assert report.integrity is Integrity.OK
    assert report.validity is Validity.VALID
    assert report.chain is Chain.TRUSTED
    # The embedded OCSP response of the demo responder is conclusive: not revoked.
    assert report.revocation is Revocation.GOOD
    assert report.level == "LT"  # a time-stamp and revocation data in the CMS
    assert report.timestamp_present and report.timestamp_verified
    assert report.timestamp_time is not None and report.signing_time is not None
    assert report.signer.name == "Шевченко Марія Петрівна"
    assert report.signer.organisation == "Ліцей № 3"
    assert report.signer.drfo == "3000000001"
    assert "ecdsa" in report.algorithm
    assert report.notes == []


def test_a_demo_signature_carries_the_cades_attributes_chain_and_ocsp(
    ca: DemoCa, package: bytes
) -> None:
    signed_data = cms.ContentInfo.load(demo_sign(ca, _manifest(package)))["content"]
    assert signed_data["encap_content_info"]["content"].native is None  # detached
    (signer_info,) = signed_data["signer_infos"]
    assert {a["type"].native for a in signer_info["signed_attrs"]} == {
        "content_type",
        "message_digest",
        "signing_time",
        "signing_certificate_v2",
    }
    assert [a["type"].native for a in signer_info["unsigned_attrs"]] == [
        "signature_time_stamp_token"
    ]
    embedded = {c.chosen.dump() for c in signed_data["certificates"]}
    for certificate in (ca.director, ca.issuing, ca.root):
        assert certificate.certificate.public_bytes(Encoding.DER) in embedded
    (revocation,) = signed_data["crls"]
    assert revocation.chosen["other_rev_info_format"].native == "ocsp_response"


def test_the_revoked_demo_certificate_is_reported_revoked(ca: DemoCa) -> None:
    signature = demo_sign(ca, b"content", signer="revoked")
    (report,) = signature_verify(signature, content=b"content", trust=[_root(ca)])
    assert report.validity is Validity.VALID
    assert report.chain is Chain.TRUSTED
    assert report.revocation is Revocation.REVOKED
    assert "revoked" in " ".join(report.failures())


def test_without_the_demo_root_the_chain_is_unknown_and_the_cryptography_valid(
    ca: DemoCa,
) -> None:
    (report,) = signature_verify(demo_sign(ca, b"content"), content=b"content", trust=[])
    assert report.validity is Validity.VALID
    assert report.integrity is Integrity.OK
    assert report.chain is Chain.UNKNOWN_ISSUER
    assert report.timestamp_verified is False  # its authority is not trusted either


def test_changing_the_manifest_breaks_the_demo_signature(ca: DemoCa, package: bytes) -> None:
    manifest = _manifest(package)
    signature = demo_sign(ca, manifest)
    changed = manifest.replace(b"text/csv", b"text/plain")
    (report,) = signature_verify(signature, content=changed, trust=[_root(ca)])
    assert report.integrity is Integrity.MISMATCH
    assert report.failures()


def test_the_class_teacher_signs_with_their_own_demo_key(ca: DemoCa) -> None:
    (report,) = signature_verify(
        demo_sign(ca, b"sheet", signer="class-teacher"), content=b"sheet", trust=[_root(ca)]
    )
    assert report.validity is Validity.VALID
    assert report.signer.name == "Коваленко Ірина Миколаївна"
    assert report.signer.organisation == "Ліцей № 3"
    with pytest.raises(ValueError, match="no demo signer"):
        demo_sign(ca, b"sheet", signer="stranger")


def test_demo_sign_also_works_where_an_event_loop_runs(ca: DemoCa) -> None:
    async def sign_in_a_loop() -> bytes:  # as under Playwright's synchronous API
        return demo_sign(ca, b"x")

    # In a thread of its own: this test's process may already run Playwright's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signature = pool.submit(asyncio.run, sign_in_a_loop()).result()
    (report,) = signature_verify(signature, content=b"x", trust=[_root(ca)])
    assert report.validity is Validity.VALID


def test_the_demo_ca_is_kept_in_files_and_loads_again(ca: DemoCa) -> None:
    loaded = demo_ca_load(ca.directory)
    assert loaded.root.certificate == ca.root.certificate
    assert loaded.director.certificate == ca.director.certificate
    assert loaded.director_identity.name == DIRECTOR.name
    assert stat.S_IMODE((ca.directory / "director.key.pem").stat().st_mode) == 0o600
    (report,) = signature_verify(demo_sign(loaded, b"x"), content=b"x", trust=[_root(ca)])
    assert (report.validity, report.chain) == (Validity.VALID, Chain.TRUSTED)


def test_there_is_no_demo_ca_in_an_empty_or_broken_directory(tmp_path: Path) -> None:
    with pytest.raises(DemoCaError):
        demo_ca_load(tmp_path)
    created = demo_ca_create(tmp_path)
    (tmp_path / "tsa.key.pem").write_bytes(b"broken")
    with pytest.raises(DemoCaError):
        demo_ca_load(created.directory)


def test_ensure_keeps_the_demo_ca_for_the_same_people_and_replaces_it_for_others(
    tmp_path: Path,
) -> None:
    teacher = DemoIdentity("Бондар Світлана Іванівна", "Ліцей № 3")
    first = demo_ca_ensure(tmp_path, director=DIRECTOR, class_teacher=teacher)
    again = demo_ca_ensure(tmp_path, director=DIRECTOR, class_teacher=teacher)
    assert again.root.certificate == first.root.certificate
    other = demo_ca_ensure(
        tmp_path,
        director=DemoIdentity("Мельник Андрій Олегович", "Гімназія № 2"),
        class_teacher=teacher,
    )
    assert other.root.certificate != first.root.certificate
    assert other.director_identity.name == "Мельник Андрій Олегович"


def test_a_name_too_long_for_a_common_name_is_read_from_surname_and_given_names(
    tmp_path: Path,
) -> None:
    name = "Костянтинопольська Олександра Володимирівна"
    ca = demo_ca_create(tmp_path, director=DemoIdentity(name, "Ліцей"))
    (report,) = signature_verify(demo_sign(ca, b"x"), content=b"x", trust=[_root(ca)])
    assert report.signer.name == name


@settings(max_examples=60, deadline=None)
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1))
def test_damaged_demo_signed_packages_never_crash_the_verifier(
    signed_package: bytes, ca: DemoCa, flips: list[tuple[int, int]]
) -> None:
    damaged = bytearray(signed_package)
    for position, value in flips[:6]:
        damaged[position % len(damaged)] = value
    with contextlib.suppress(ContainerError):
        package_verify(bytes(damaged), trust=[_root(ca)]).failures()
    signature = container_read(signed_package).signatures["META-INF/signature.p7s"]
    damaged_signature = bytearray(signature)
    for position, value in flips[:6]:
        damaged_signature[position % len(damaged_signature)] = value
    with contextlib.suppress(SignatureFormatError):
        for report in signature_verify(
            bytes(damaged_signature), content=_manifest(signed_package), trust=[_root(ca)]
        ):
            report.describe()


# --- `zhurnal archive sign --demo-key` -------------------------------------------------


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return Path(settings.VAR_DIR)


def test_the_sign_command_signs_a_package_that_then_verifies_strictly(
    db: None, var_dir: Path, tmp_path: Path, package: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = demo_ca_create(demo_ca_directory(), director=DIRECTOR)
    trusted_certificate_import(actor=None, data=ca.root_pem)
    path = tmp_path / "journal-5-A.asice"
    path.write_bytes(package)
    call_command("archive", "sign", "--demo-key", str(path))
    signature = (tmp_path / "journal-5-A.p7s").read_bytes()
    assert "Шевченко Марія Петрівна" in capsys.readouterr().out
    signed = tmp_path / "signed.asice"
    signed.write_bytes(container_add_signature(package, signature))
    call_command("archive", "verify", "--strict", str(signed))
    out = capsys.readouterr().out
    assert "Certificate chain: trusted." in out
    assert "Level: CAdES-LT." in out


def test_the_sign_command_signs_as_the_class_teacher_into_the_named_file(
    db: None, var_dir: Path, tmp_path: Path, package: bytes
) -> None:
    ca = demo_ca_create(demo_ca_directory(), director=DIRECTOR)
    path = tmp_path / "sheet.asice"
    path.write_bytes(package)
    out = tmp_path / "teacher.p7s"
    call_command(
        "archive", "sign", "--demo-key", str(path), "--as", "class-teacher", "-o", str(out)
    )
    (report,) = signature_verify(out.read_bytes(), content=_manifest(package), trust=[_root(ca)])
    assert report.signer.name == ca.class_teacher_identity.name
    assert report.integrity is Integrity.OK


def test_the_sign_command_refuses_outside_the_demo(
    db: None, var_dir: Path, tmp_path: Path, package: bytes
) -> None:
    path = tmp_path / "package.asice"
    path.write_bytes(package)
    with pytest.raises(CommandError, match="demo"):
        call_command("archive", "sign", "--demo-key", str(path))
    assert not (tmp_path / "package.p7s").exists()
    with pytest.raises(CommandError):
        call_command("archive", "sign", str(path))  # the flag says what is being done


def test_the_sign_command_refuses_what_is_not_a_package(
    db: None, var_dir: Path, tmp_path: Path
) -> None:
    demo_ca_create(demo_ca_directory())
    path = tmp_path / "notes.asice"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="Not a readable package"):
        call_command("archive", "sign", "--demo-key", str(path))
