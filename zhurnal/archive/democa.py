"""The demo's throw-away certification authority, and the demo director's signing tool.

Zhurnal never holds a real signer's key. The demo needs a signature to show, so it has a
certification authority of its own, created once under the var directory: a root, an issuing
CA, an OCSP responder and a time-stamp authority, a demo director and a class teacher with
Ukrainian subject attributes, and one revoked certificate. `demo_sign` plays the director's
own tool (IIT, Дія.Підпис): a detached CAdES signature (pyHanko) with a signature time-stamp
from the demo TSA and the signer's OCSP response embedded (certomancer's services, run in
this process), as a qualified provider's tool makes a baseline-LT signature. It is used only
by `zhurnal archive sign --demo-key` and the tests, never by the application itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import cms as asn1_cms
from asn1crypto import keys as asn1_keys
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

if TYPE_CHECKING:
    from certomancer.services import RevocationInfoInterface

DEMO_CA_DIRECTORY = "demo-ca"
SIGNERS = ("director", "class-teacher", "revoked")
_STATE_FILE = "democa.json"
_FORMAT = 1
_PARTIES = ("root", "issuing", "ocsp", "tsa", *SIGNERS)
_DRFO_OID = x509.ObjectIdentifier("1.2.804.2.1.1.1.11.1.4.1.1")
_ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")
_REVOKED_NAME = "Відкликаний Підписувач"
_NOT_FOR_REAL = "демонстрація: не для справжніх підписів"


class DemoCaError(Exception):
    """There is no usable demo certification authority in the directory."""


@dataclass(frozen=True)
class DemoIdentity:
    """Whom a demo signer's certificate names."""

    name: str  # "Прізвище Ім’я По батькові"
    organisation: str = ""
    title: str = ""


@dataclass(frozen=True)
class DemoKey:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def asn1_certificate(self) -> Any:
        """The certificate as asn1crypto reads it (what pyHanko and certomancer take)."""
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> Any:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


@dataclass(frozen=True)
class DemoCa:
    directory: Path
    root: DemoKey
    issuing: DemoKey
    ocsp: DemoKey
    tsa: DemoKey
    director: DemoKey
    class_teacher: DemoKey
    revoked: DemoKey
    revoked_at: dt.datetime
    director_identity: DemoIdentity
    class_teacher_identity: DemoIdentity

    @property
    def root_pem(self) -> bytes:
        """The root certificate, for the trust bundle (`zhurnal archive trust import`)."""
        return self.root.pem

    def signer(self, name: str) -> DemoKey:
        """The key of "director", "class-teacher" or "revoked"."""
        if name not in SIGNERS:
            raise ValueError(f"no demo signer {name!r}; one of {', '.join(SIGNERS)}")
        key: DemoKey = getattr(self, name.replace("-", "_"))
        return key

    def identity(self, name: str) -> DemoIdentity:
        """Whom the certificate of "director", "class-teacher" or "revoked" names."""
        if name == "revoked":
            return DemoIdentity(_REVOKED_NAME, self.director_identity.organisation)
        return self.class_teacher_identity if name == "class-teacher" else self.director_identity


def demo_ca_directory() -> Path:
    """Where the demo keeps its certification authority: beside its database."""
    return Path(settings.VAR_DIR) / DEMO_CA_DIRECTORY


def _name(common_name: str, *extra: x509.NameAttribute[Any]) -> x509.Name:
    country = x509.NameAttribute(NameOID.COUNTRY_NAME, "UA")
    # cryptography bounds a common name by 64 bytes of UTF-8 (32 Cyrillic letters); a longer
    # name is left to the surname and given names, which a verifier reads the same way.
    if len(common_name.encode()) > 64:
        return x509.Name([country, *extra])
    return x509.Name([country, x509.NameAttribute(NameOID.COMMON_NAME, common_name), *extra])


def _authority_name(common_name: str) -> x509.Name:
    return _name(
        common_name,
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Журнал"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _NOT_FOR_REAL),
    )


def _person_name(identity: DemoIdentity, drfo: str) -> x509.Name:
    parts = identity.name.split(maxsplit=1)
    attributes = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, (identity.organisation or "Журнал")),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _NOT_FOR_REAL),
    ]
    if identity.title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, identity.title))
    if len(parts) == 2:
        attributes += [
            x509.NameAttribute(NameOID.SURNAME, parts[0]),
            x509.NameAttribute(NameOID.GIVEN_NAME, parts[1]),
        ]
    attributes += [
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINUA-{drfo}"),
        x509.NameAttribute(_ORGANIZATION_IDENTIFIER, "NTRUA-00000000"),
        x509.NameAttribute(_DRFO_OID, drfo),
    ]
    return _name(identity.name, *attributes)


def _issue(
    subject: x509.Name,
    issuer: DemoKey | None,
    *,
    now: dt.datetime,
    years: int,
    ca: bool = False,
    usage: list[x509.ObjectIdentifier] | None = None,
) -> DemoKey:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    signing = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and usage is None,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if usage:
        # RFC 3161 wants a TSA's extended key usage critical; an OCSP responder's is not.
        critical = ExtendedKeyUsageOID.TIME_STAMPING in usage
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=critical)
        if ExtendedKeyUsageOID.OCSP_SIGNING in usage:
            builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    return DemoKey(builder.sign(signing, hashes.SHA256()), key)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    # Private keys are readable by the owner only, written so from the first byte.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(path, flags, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def demo_ca_create(
    directory: Path,
    *,
    director: DemoIdentity | None = None,
    class_teacher: DemoIdentity | None = None,
) -> DemoCa:
    """Create a new demo certification authority under `directory` (replacing one there).

    Every key is ECDSA P-256, kept as an unencrypted PEM file beside its certificate: this
    authority signs nothing real, and its keys are worth nothing outside the demo.
    """
    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    director = director or DemoIdentity("Петренко Олена Василівна", "Демонстраційний ліцей")
    class_teacher = class_teacher or DemoIdentity(
        "Коваленко Ірина Миколаївна", director.organisation
    )
    director = DemoIdentity(director.name, director.organisation, director.title or "Директор")
    class_teacher = DemoIdentity(
        class_teacher.name,
        class_teacher.organisation or director.organisation,
        class_teacher.title or "Класний керівник",
    )
    root = _issue(_authority_name("Журнал: кореневий ЦСК"), None, now=now, years=20, ca=True)
    issuing = _issue(
        _authority_name("Журнал: кваліфікований ЦСК"),
        root,
        now=now,
        years=20,
        ca=True,
    )
    parties = {
        "root": root,
        "issuing": issuing,
        "ocsp": _issue(
            _authority_name("Журнал: OCSP-сервер"),
            issuing,
            now=now,
            years=10,
            usage=[ExtendedKeyUsageOID.OCSP_SIGNING],
        ),
        "tsa": _issue(
            _authority_name("Журнал: сервер позначок часу"),
            issuing,
            now=now,
            years=10,
            usage=[ExtendedKeyUsageOID.TIME_STAMPING],
        ),
        "director": _issue(_person_name(director, "3000000001"), issuing, now=now, years=10),
        "class-teacher": _issue(
            _person_name(class_teacher, "3000000002"), issuing, now=now, years=10
        ),
        "revoked": _issue(
            _person_name(
                DemoIdentity(_REVOKED_NAME, director.organisation),
                "3000000003",
            ),
            issuing,
            now=now,
            years=10,
        ),
    }
    revoked_at = now - dt.timedelta(hours=1)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / _STATE_FILE).unlink(missing_ok=True)  # written last: marks a complete set
    for label, party in parties.items():
        _write(directory / f"{label}.pem", party.pem)
        _write(
            directory / f"{label}.key.pem",
            party.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            private=True,
        )
    state = {
        "format": _FORMAT,
        "revoked_at": revoked_at.isoformat(),
        "director": asdict(director),
        "class_teacher": asdict(class_teacher),
    }
    _write(directory / _STATE_FILE, json.dumps(state, ensure_ascii=False, indent=2).encode())
    return demo_ca_load(directory)


def demo_ca_load(directory: Path) -> DemoCa:
    """The demo certification authority kept under `directory`; DemoCaError if there is none."""
    try:
        state = json.loads((directory / _STATE_FILE).read_bytes())
        if state.get("format") != _FORMAT:
            raise DemoCaError(f"{directory / _STATE_FILE}: unknown format")
        parties = {}
        for label in _PARTIES:
            certificate = x509.load_pem_x509_certificate((directory / f"{label}.pem").read_bytes())
            key = serialization.load_pem_private_key(
                (directory / f"{label}.key.pem").read_bytes(), password=None
            )
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise DemoCaError(f"{label}.key.pem is not an EC key")
            parties[label] = DemoKey(certificate, key)
        return DemoCa(
            directory=directory,
            root=parties["root"],
            issuing=parties["issuing"],
            ocsp=parties["ocsp"],
            tsa=parties["tsa"],
            director=parties["director"],
            class_teacher=parties["class-teacher"],
            revoked=parties["revoked"],
            revoked_at=dt.datetime.fromisoformat(state["revoked_at"]),
            director_identity=DemoIdentity(**state["director"]),
            class_teacher_identity=DemoIdentity(**state["class_teacher"]),
        )
    except DemoCaError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DemoCaError(f"no usable demo certification authority in {directory}") from error


def demo_ca_ensure(
    directory: Path, *, director: DemoIdentity, class_teacher: DemoIdentity
) -> DemoCa:
    """The demo certification authority under `directory`, created if it is missing or names
    other people than the demo's director and class teacher (a demo built with another seed).
    """
    try:
        ca = demo_ca_load(directory)
    except DemoCaError:
        return demo_ca_create(directory, director=director, class_teacher=class_teacher)
    if (ca.director_identity.name, ca.director_identity.organisation) != (
        director.name,
        director.organisation,
    ) or ca.class_teacher_identity.name != class_teacher.name:
        return demo_ca_create(directory, director=director, class_teacher=class_teacher)
    return ca


def _revocations(ca: DemoCa) -> RevocationInfoInterface:
    from certomancer.services import RevocationInfoInterface

    issued = {ca.signer(name).certificate.serial_number for name in SIGNERS} | {
        ca.ocsp.certificate.serial_number,
        ca.tsa.certificate.serial_number,
    }

    class Revocations(RevocationInfoInterface):
        """What the demo issuing CA knows of its certificates: one is revoked."""

        def get_issuer_cert(self) -> Any:
            return ca.issuing.asn1_certificate

        def check_revocation_status(self, cid: Any, at_time: dt.datetime) -> Any:
            serial = cid["serial_number"].native
            if serial not in issued:
                return asn1_ocsp.CertStatus(name="unknown", value=None), []
            if serial == ca.revoked.certificate.serial_number and ca.revoked_at <= at_time:
                status = {"revocation_time": ca.revoked_at, "revocation_reason": "key_compromise"}
                return asn1_ocsp.CertStatus(name="revoked", value=status), []
            return asn1_ocsp.CertStatus(name="good", value=None), []

    return Revocations()


def demo_ocsp_response(ca: DemoCa, certificate: x509.Certificate) -> bytes:
    """The demo OCSP responder's DER answer about a certificate the issuing CA issued."""
    from certomancer.services import SimpleOCSPResponder, choose_signed_digest

    issuer = ca.issuing.asn1_certificate
    responder = ca.ocsp.asn1_certificate
    request = asn1_ocsp.OCSPRequest(
        {
            "tbs_request": {
                "request_list": [
                    {
                        "req_cert": {
                            "hash_algorithm": {"algorithm": "sha256"},
                            "issuer_name_hash": issuer.subject.sha256,
                            "issuer_key_hash": issuer.public_key.sha256,
                            "serial_number": certificate.serial_number,
                        }
                    }
                ]
            }
        }
    )
    # Whole seconds: a fraction in a GeneralizedTime is refused by strict DER readers.
    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    answer = SimpleOCSPResponder(
        responder_cert=responder,
        responder_key=ca.ocsp.asn1_key,
        signature_algo=choose_signed_digest("sha256", responder.public_key),
        at_time=now,
        revinfo_interface=_revocations(ca),
    ).build_ocsp_response(request)
    der: bytes = answer.dump()
    return der


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run pyHanko's coroutine to its end, also when the caller already runs an event loop
    (a browser test driving Playwright's synchronous API)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def demo_sign(ca: DemoCa, content: bytes, *, signer: str = "director") -> bytes:
    """A detached CAdES signature (.p7s) over `content` with a demo key, as a qualified
    provider's tool makes it: signed attributes content-type, message-digest, signing-time
    and signing-certificate-v2; the chain's certificates; a signature time-stamp token from
    the demo TSA over the signature value; the signer's OCSP response from the demo
    responder kept in the SignedData (RFC 5940), which makes it CAdES baseline-LT.
    """
    # pyHanko and certomancer take most of a second to import: only signing needs them.
    from certomancer.services import TimeStamper as CertomancerTimeStamper
    from pyhanko.sign.signers.pdf_cms import SimpleSigner
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    party = ca.signer(signer)
    authority = CertomancerTimeStamper(
        tsa_cert=ca.tsa.asn1_certificate,
        tsa_key=ca.tsa.asn1_key,
        certs_to_embed=[ca.issuing.asn1_certificate],
    )

    class DemoTimeStamper(TimeStamper):
        """pyHanko's time-stamp client, answered by the demo TSA in this process."""

        async def async_request_tsa_response(
            self, req: asn1_tsp.TimeStampReq
        ) -> asn1_tsp.TimeStampResp:
            return authority.request_tsa_response(req)

    chain = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]  # pyHanko: untyped
        [ca.issuing.asn1_certificate, ca.root.asn1_certificate]
    )
    tool = SimpleSigner(
        signing_cert=party.asn1_certificate, signing_key=party.asn1_key, cert_registry=chain
    )
    info = _run(
        tool.async_sign_general_data(
            content,
            "sha256",
            detached=True,
            use_cades=True,
            timestamper=DemoTimeStamper(),  # type: ignore[no-untyped-call]  # pyHanko: untyped
        )
    )
    response = asn1_ocsp.OCSPResponse.load(demo_ocsp_response(ca, party.certificate))
    signed_data = info["content"]
    signed_data["version"] = "v5"  # RFC 5652: "other" revocation information needs version 5
    signed_data["crls"] = [
        asn1_cms.RevocationInfoChoice(
            name="other",
            value={"other_rev_info_format": "ocsp_response", "other_rev_info": response},
        )
    ]
    signature: bytes = info.dump(force=True)
    return signature
