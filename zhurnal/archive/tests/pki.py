"""A throw-away PKI and a signer that plays the director's own signing tool.

Nothing here uses Zhurnal code: the signatures are made as an external tool would make them
(cryptography's PKCS#7 builder, then asn1crypto to add embedded revocation data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import cms, core, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, x25519
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(tz=dt.UTC)
DRFO_OID = x509.ObjectIdentifier("1.2.804.2.1.1.1.11.1.4.1.1")
DSTU_4145_OID = "1.2.804.2.1.1.1.1.3.1.1"

Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass
class Issued:
    certificate: x509.Certificate
    key: Key

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def issue(
    subject: x509.Name,
    key: Key,
    issuer: Issued | None = None,
    *,
    ca: bool = False,
    time_stamping: bool = False,
) -> Issued:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=10))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    signing_key = issuer.key if issuer else key
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


def name(common_name: str, **extra: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
        + [x509.NameAttribute(x509.ObjectIdentifier(oid), v) for oid, v in extra.items()]
    )


def director_name() -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Олена Петренко"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ліцей № 1"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "TINUA-1234567890"),
            x509.NameAttribute(x509.ObjectIdentifier("2.5.4.97"), "NTRUA-12345678"),
            x509.NameAttribute(DRFO_OID, "1234567890"),
        ]
    )


@dataclass
class Pki:
    root: Issued
    intermediate: Issued
    director: Issued  # ECDSA P-256
    rsa_director: Issued
    revoked_director: Issued
    stranger: Issued  # chains to a CA nobody trusts
    stranger_ca: Issued
    crl: bytes  # the intermediate's CRL, listing revoked_director
    tsa: Issued  # a time-stamp authority under the intermediate


def make_pki() -> Pki:
    root = issue(name("Test Root CA"), ec_key(), ca=True)
    intermediate = issue(name("Test Qualified CA"), ec_key(), root, ca=True)
    director = issue(director_name(), ec_key(), intermediate)
    rsa_director = issue(
        name("RSA Director"),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        intermediate,
    )
    revoked = issue(name("Revoked Director"), ec_key(), intermediate)
    other_root = issue(name("Unknown Root CA"), ec_key(), ca=True)
    stranger_ca = issue(name("Unknown Qualified CA"), ec_key(), other_root, ca=True)
    stranger = issue(name("Stranger"), ec_key(), stranger_ca)
    revocation_list = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(intermediate.certificate.subject)
        .last_update(NOW - dt.timedelta(hours=1))
        .next_update(NOW + dt.timedelta(days=7))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(revoked.certificate.serial_number)
            .revocation_date(NOW - dt.timedelta(days=1))
            .build()
        )
        .sign(intermediate.key, hashes.SHA256())
    )
    return Pki(
        root=root,
        intermediate=intermediate,
        director=director,
        rsa_director=rsa_director,
        revoked_director=revoked,
        stranger=stranger,
        stranger_ca=stranger_ca,
        crl=revocation_list.public_bytes(serialization.Encoding.DER),
        tsa=issue(name("Test TSA"), ec_key(), intermediate, time_stamping=True),
    )


def sign_detached(
    content: bytes,
    signer: Issued,
    *,
    chain: Sequence[Issued] = (),
    crls: Sequence[bytes] = (),
) -> bytes:
    """A detached CMS signature over `content`, as the director's tool makes it."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content)
    builder = builder.add_signer(signer.certificate, signer.key, hashes.SHA256())
    for certificate in chain:
        builder = builder.add_certificate(certificate.certificate)
    der = builder.sign(
        serialization.Encoding.DER,
        [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
    )
    if not crls:
        return der
    info = cms.ContentInfo.load(der)
    info["content"]["crls"] = cms.RevocationInfoChoices(
        [cms.RevocationInfoChoice({"crl": asn1_crl.CertificateList.load(c)}) for c in crls]
    )
    return info.dump(force=True)


def with_signature_algorithm(signature: bytes, oid: str) -> bytes:
    """The same CMS with its signature algorithm OID replaced (e.g. by DSTU 4145)."""
    info = cms.ContentInfo.load(signature)
    signer_info = info["content"]["signer_infos"][0]
    signer_info["signature_algorithm"] = {"algorithm": oid}
    return info.dump(force=True)


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    """A ZIP made by hand, as another tool (or a forger) would make it; `mimetype` stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content, zipfile.ZIP_STORED if name == "mimetype" else None)
    return buffer.getvalue()


def ocsp_good(certificate: Issued, issuer: Issued) -> bytes:
    """An OCSP response from the issuing CA saying `certificate` is good."""
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=certificate.certificate,
            issuer=issuer.certificate,
            algorithm=hashes.SHA256(),
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=NOW - dt.timedelta(hours=1),
            next_update=NOW + dt.timedelta(days=1),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
        .sign(issuer.key, hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)


def with_ocsp_in_signed_data(signature: bytes, response: bytes) -> bytes:
    """OCSP embedded as RFC 5940 other revocation info, as CAdES baseline LT keeps it."""
    info = cms.ContentInfo.load(signature)
    info["content"]["crls"] = cms.RevocationInfoChoices(
        [
            cms.RevocationInfoChoice(
                {
                    "other": {
                        "other_rev_info_format": "ocsp_response",
                        "other_rev_info": asn1_ocsp.OCSPResponse.load(response),
                    }
                }
            )
        ]
    )
    return info.dump(force=True)


class _CertificateValues(core.SequenceOf):
    _child_spec = asn1_x509.Certificate


class _CrlValues(core.SequenceOf):
    _child_spec = asn1_crl.CertificateList


class _RevocationValues(core.Sequence):
    _fields = [("crl_vals", _CrlValues, {"explicit": 0, "optional": True})]


def timestamp_token(
    signature_value: bytes, at: dt.datetime, tsa: Issued | None = None
) -> cms.ContentInfo:
    """An RFC 3161 time-stamp token over `signature_value`, signed by `tsa`; without a TSA
    only its shape (TSTInfo in an unsigned SignedData over zeros), as a forger would make it."""
    imprint = hashlib.sha256(signature_value).digest() if tsa else b"\0" * 32
    tst_info = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": "1.2.3.4",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": imprint,
            },
            "serial_number": 1,
            "gen_time": at,
        }
    )
    signed_data = {
        "version": "v3",
        "digest_algorithms": [],
        "encap_content_info": {"content_type": "tst_info", "content": tst_info},
        "signer_infos": [],
    }
    if tsa is not None:
        certificate = asn1_x509.Certificate.load(tsa.der)
        attributes = cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "message_digest", "values": [hashlib.sha256(tst_info.dump()).digest()]},
            ]
        )
        assert isinstance(tsa.key, ec.EllipticCurvePrivateKey)
        signed_data["digest_algorithms"] = [{"algorithm": "sha256"}]
        signed_data["certificates"] = [certificate]
        signed_data["signer_infos"] = [
            {
                "version": "v1",
                "sid": {
                    "issuer_and_serial_number": {
                        "issuer": certificate.issuer,
                        "serial_number": certificate.serial_number,
                    }
                },
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": attributes,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signature": tsa.key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256())),
            }
        ]
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})


def with_x_long(
    signature: bytes,
    *,
    certificates: list[Issued],
    crls: list[bytes],
    at: dt.datetime,
    tsa: Issued | None = None,
) -> bytes:
    """CAdES-X-Long unsigned attributes: a time-stamp (by `tsa`, else a forged one),
    certificate and revocation values."""
    info = cms.ContentInfo.load(signature)
    value = info["content"]["signer_infos"][0]["signature"].native
    certificate_values = _CertificateValues(
        [asn1_x509.Certificate.load(c.der) for c in certificates]
    )
    revocation_values = _RevocationValues(
        {"crl_vals": [asn1_crl.CertificateList.load(c) for c in crls]}
    )
    info["content"]["signer_infos"][0]["unsigned_attrs"] = [
        {"type": "signature_time_stamp_token", "values": [timestamp_token(value, at, tsa)]},
        {
            "type": "1.2.840.113549.1.9.16.2.23",
            "values": [core.Any.load(certificate_values.dump())],
        },
        {
            "type": "1.2.840.113549.1.9.16.2.24",
            "values": [core.Any.load(revocation_values.dump())],
        },
    ]
    return info.dump(force=True)


def unsupported_key_twin(ca: Issued, root: Issued) -> Issued:
    """A CA certificate with `ca`'s name but a key no signature check here supports (X25519),
    standing in for a national-algorithm (DSTU 4145) CA."""
    return issue(ca.certificate.subject, x25519.X25519PrivateKey.generate(), root, ca=True)
