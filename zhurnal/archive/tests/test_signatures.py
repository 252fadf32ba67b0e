from __future__ import annotations

import contextlib
import datetime as dt
from random import Random

import pytest
from asn1crypto import cms

from zhurnal.archive.containers import (
    ASIC_E_MIMETYPE,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    ContainerError,
    container_add_signature,
    container_build,
    container_read,
)
from zhurnal.archive.signatures import (
    Chain,
    Integrity,
    Revocation,
    SignatureFormatError,
    Validity,
    signature_verify,
)
from zhurnal.archive.tests.pki import (
    DSTU_4145_OID,
    NOW,
    Pki,
    make_pki,
    ocsp_good,
    sign_detached,
    unsupported_key_twin,
    with_ocsp_in_signed_data,
    with_signature_algorithm,
    with_x_long,
    zip_of,
)
from zhurnal.archive.verification import package_verify

FILES = {"journal.pdf": b"%PDF-1.7 journal", "marks.csv": b"student;mark\n1;12\n"}
MIME = {"journal.pdf": "application/pdf", "marks.csv": "text/csv"}


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


def _manifest(container: bytes) -> bytes:
    return container_read(container).manifests[0].content


def test_good_ecdsa_signature_with_trusted_root_is_valid_and_trusted(pki: Pki) -> None:
    unsigned = container_build(FILES, MIME)
    signature = sign_detached(
        _manifest(unsigned), pki.director, chain=[pki.intermediate], crls=[pki.crl]
    )
    report = package_verify(container_add_signature(unsigned, signature), trust=[pki.root.der])
    assert report.failures() == []
    (signed,) = report.signatures
    assert signed.integrity is Integrity.OK
    assert signed.validity is Validity.VALID
    assert signed.chain is Chain.TRUSTED
    assert signed.revocation is Revocation.GOOD
    assert signed.level == "BES"
    assert signed.signing_time is not None
    assert signed.timestamp_present is False
    assert "ecdsa" in signed.algorithm
    assert signed.signer.name == "Олена Петренко"
    assert signed.signer.organisation == "Ліцей № 1"
    assert signed.signer.drfo == "1234567890"
    assert signed.signer.edrpou == "12345678"
    assert signed.signer.serial_number == "TINUA-1234567890"
    assert signed.signed_name == "META-INF/ASiCManifest.xml"


def test_rsa_signature_is_verified(pki: Pki) -> None:
    (report,) = signature_verify(
        sign_detached(b"content", pki.rsa_director, chain=[pki.intermediate]),
        content=b"content",
        trust=[pki.root.der],
    )
    assert (report.validity, report.chain) == (Validity.VALID, Chain.TRUSTED)
    assert report.revocation is Revocation.NOT_CHECKED


def test_changing_one_byte_of_a_data_file_names_that_file(pki: Pki) -> None:
    unsigned = container_build(FILES, MIME)
    signature = sign_detached(_manifest(unsigned), pki.director, chain=[pki.intermediate])
    forged = {**FILES, "marks.csv": FILES["marks.csv"].replace(b"12", b"11")}
    tampered = zip_of(
        [
            ("mimetype", ASIC_E_MIMETYPE.encode()),
            *forged.items(),
            (MANIFEST_NAME, _manifest(unsigned)),
            (SIGNATURE_NAME, signature),
        ]
    )
    report = package_verify(tampered, trust=[pki.root.der])
    assert len(report.file_problems) == 1
    assert "marks.csv" in report.file_problems[0]
    assert "journal.pdf" not in report.file_problems[0]
    assert report.signatures[0].integrity is Integrity.OK  # the manifest itself is intact


def test_changing_the_manifest_breaks_the_signature_integrity(pki: Pki) -> None:
    manifest = _manifest(container_build(FILES, MIME))
    signature = sign_detached(manifest, pki.director, chain=[pki.intermediate])
    (report,) = signature_verify(
        signature, content=manifest.replace(b"text/csv", b"text/plain"), trust=[pki.root.der]
    )
    assert report.integrity is Integrity.MISMATCH
    assert report.failures()


def test_revoked_signer_is_reported_revoked(pki: Pki) -> None:
    signature = sign_detached(
        b"content", pki.revoked_director, chain=[pki.intermediate], crls=[pki.crl]
    )
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.validity is Validity.VALID
    assert report.revocation is Revocation.REVOKED
    assert "revoked" in " ".join(report.failures())


def test_signature_from_an_unknown_ca_is_valid_with_unknown_issuer(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.stranger, chain=[pki.stranger_ca])
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.validity is Validity.VALID
    assert report.chain is Chain.UNKNOWN_ISSUER


def test_dstu_4145_signature_is_not_verifiable_here_and_stored(pki: Pki) -> None:
    unsigned = container_build(FILES, MIME)
    signature = with_signature_algorithm(
        sign_detached(_manifest(unsigned), pki.director, chain=[pki.intermediate]),
        DSTU_4145_OID,
    )
    stored = container_add_signature(unsigned, signature)
    assert container_read(stored).signatures["META-INF/signature.p7s"] == signature
    (report,) = package_verify(stored, trust=[pki.root.der]).signatures
    assert report.validity is Validity.NOT_VERIFIABLE
    assert report.algorithm.startswith(f"DSTU 4145 ({DSTU_4145_OID})")
    assert report.signer.name == "Олена Петренко"
    assert "cannot be verified here" in " ".join(report.failures())


def test_a_forged_signature_value_is_invalid(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.director, chain=[pki.intermediate])
    info = cms.ContentInfo.load(signature)
    other = cms.ContentInfo.load(sign_detached(b"other", pki.director))
    info["content"]["signer_infos"][0]["signature"] = other["content"]["signer_infos"][0][
        "signature"
    ].native
    (report,) = signature_verify(info.dump(force=True), content=b"content", trust=[pki.root.der])
    assert report.integrity is Integrity.OK
    assert report.validity is Validity.INVALID


@pytest.mark.parametrize("garbage", [b"", b"garbage", b"\x30\x03\x02\x01\x01", b"\x30\x82\xff"])
def test_a_garbage_signature_raises_a_clear_error(garbage: bytes) -> None:
    with pytest.raises(SignatureFormatError, match="not a CMS"):
        signature_verify(garbage, content=b"x")


def test_a_garbage_signature_in_a_package_is_reported_not_raised(pki: Pki) -> None:
    signed = container_add_signature(container_build(FILES, MIME), b"garbage")
    report = package_verify(signed, trust=[pki.root.der])
    assert report.signatures == []
    assert "META-INF/signature.p7s" in report.signature_errors[0]
    assert report.failures()


def test_embedded_ocsp_response_says_good(pki: Pki) -> None:
    signature = with_ocsp_in_signed_data(
        sign_detached(b"content", pki.director, chain=[pki.intermediate]),
        ocsp_good(pki.director, pki.intermediate),
    )
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.revocation is Revocation.GOOD
    assert report.level == "BES"


def test_ocsp_response_for_another_certificate_is_not_conclusive(pki: Pki) -> None:
    signature = with_ocsp_in_signed_data(
        sign_detached(b"content", pki.director, chain=[pki.intermediate]),
        ocsp_good(pki.rsa_director, pki.intermediate),
    )
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.revocation is Revocation.EMBEDDED


def test_x_long_signature_carries_its_chain_revocation_data_and_time_stamp(pki: Pki) -> None:
    stamped = (NOW - dt.timedelta(days=2)).replace(microsecond=0)
    signature = with_x_long(
        sign_detached(b"content", pki.revoked_director),  # the chain only in the attributes
        certificates=[pki.intermediate],
        crls=[pki.crl],
        at=stamped,
        tsa=pki.tsa,
    )
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.level == "X-Long"
    assert report.timestamp_present is True
    assert report.timestamp_time == stamped
    assert report.timestamp_verified is True
    assert report.validity is Validity.VALID
    assert report.chain is Chain.TRUSTED
    # Revoked only after the time-stamp: the signature was made while the key was good.
    assert report.revocation is Revocation.GOOD


def test_damaged_signatures_and_containers_raise_only_the_named_errors(pki: Pki) -> None:
    signature = with_ocsp_in_signed_data(
        with_x_long(
            sign_detached(b"content", pki.director, chain=[pki.intermediate], crls=[pki.crl]),
            certificates=[pki.intermediate],
            crls=[pki.crl],
            at=NOW,
            tsa=pki.tsa,
        ),
        ocsp_good(pki.director, pki.intermediate),
    )
    container = container_add_signature(container_build(FILES, MIME), signature)
    random = Random(7)
    for original, check in (
        (signature, lambda d: signature_verify(d, content=b"content", trust=[pki.root.der])),
        (container, lambda d: package_verify(d, trust=[pki.root.der]).failures()),
    ):
        for _ in range(300):
            damaged = bytearray(original)
            for _ in range(random.randint(1, 4)):
                damaged[random.randrange(len(damaged))] = random.randrange(256)
            with contextlib.suppress(SignatureFormatError, ContainerError):
                check(bytes(damaged))


def test_an_issuer_with_an_unsupported_key_leaves_the_chain_not_checked(pki: Pki) -> None:
    twin = unsupported_key_twin(pki.intermediate, pki.root)
    signature = sign_detached(b"content", pki.director, chain=[twin])
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.validity is Validity.VALID
    assert report.chain is Chain.NOT_CHECKED


def test_xades_signatures_in_a_container_are_named_not_verifiable(pki: Pki) -> None:
    unsigned = container_read(container_build(FILES, MIME))
    data = zip_of(
        [
            ("mimetype", ASIC_E_MIMETYPE.encode()),
            *FILES.items(),
            (MANIFEST_NAME, unsigned.manifests[0].content),
            ("META-INF/signatures0.xml", b"<XAdESSignatures/>"),
        ]
    )
    report = package_verify(data, trust=[pki.root.der])
    assert report.signature_errors == [
        "META-INF/signatures0.xml: XAdES signatures are not verifiable here."
    ]


def test_a_forged_time_stamp_does_not_move_the_time_a_revoked_key_is_judged_at(
    pki: Pki,
) -> None:
    stamped = (NOW - dt.timedelta(days=2)).replace(microsecond=0)
    signature = with_x_long(
        sign_detached(b"content", pki.revoked_director),
        certificates=[pki.intermediate],
        crls=[pki.crl],
        at=stamped,  # before the revocation, but the token is not over this signature
    )
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.timestamp_present is True
    assert report.timestamp_verified is False
    assert "The time-stamp does not cover this signature." in report.notes
    assert report.revocation is Revocation.REVOKED
    assert "not verified" in " ".join(report.describe())


def test_a_time_stamp_by_an_untrusted_authority_is_not_verified(pki: Pki) -> None:
    stamped = (NOW - dt.timedelta(days=2)).replace(microsecond=0)
    signature = with_x_long(
        sign_detached(b"content", pki.revoked_director),
        certificates=[pki.intermediate],
        crls=[pki.crl],
        at=stamped,
        tsa=pki.stranger,  # a valid token, signed by someone the bundle does not trust
    )
    (report,) = signature_verify(signature, content=b"content", trust=[pki.root.der])
    assert report.timestamp_verified is False
    assert "The time-stamp authority is not trusted." in report.notes
    assert report.revocation is Revocation.REVOKED
