"""Verifying detached CAdES signatures (CMS SignedData), offline, through pluggable adapters.

A report keeps apart what a signature check can say: whether the signed bytes are the ones
the signature covers, whether the cryptography holds, who signed, when, whether the signer's
certificate chains to the trust bundle and was not revoked, and what the CMS carries for
long-term validation. The built-in adapter verifies RSA and ECDSA with `cryptography`; an
algorithm no adapter supports (DSTU 4145 without an IIT/UAPKI adapter) is reported as
"not verifiable here" with the signer read from the certificate — never valid, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from asn1crypto import cms, core, crl, ocsp, tsp, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp as cocsp
from django.utils.translation import gettext as _


class SignatureFormatError(ValueError):
    """The bytes are not a CMS SignedData; the message says why."""


class Integrity(StrEnum):
    OK = "ok"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"  # a digest algorithm this server cannot compute, or no content


class Validity(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    NOT_VERIFIABLE = "not_verifiable"


class Chain(StrEnum):
    TRUSTED = "trusted"
    UNKNOWN_ISSUER = "unknown_issuer"
    UNTRUSTED = "untrusted"
    NOT_CHECKED = "not_checked"


class Revocation(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    EMBEDDED = "embedded"  # revocation data present but not conclusive for this certificate
    NOT_CHECKED = "not_checked"


# CAdES unsigned attributes that decide the level (ETSI EN 319 122).
_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"
_COMPLETE_REFS = {"1.2.840.113549.1.9.16.2.21", "1.2.840.113549.1.9.16.2.22"}
_CERTIFICATE_VALUES = "1.2.840.113549.1.9.16.2.23"
_REVOCATION_VALUES = "1.2.840.113549.1.9.16.2.24"
# Where Ukrainian certificates keep tax numbers: subject attributes or subject directory
# attributes with these OIDs (ДРФО, ЄДРПОУ), or ETSI "TINUA-"/"NTRUA-" identifiers.
_DRFO_OID = "1.2.804.2.1.1.1.11.1.4.1.1"
_EDRPOU_OID = "1.2.804.2.1.1.1.11.1.4.2.1"
_ORGANIZATION_IDENTIFIER = "2.5.4.97"
_DSTU_4145_ARC = "1.2.804.2.1.1.1.1.3.1"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}


@dataclass(frozen=True)
class Signer:
    name: str = ""
    organisation: str = ""
    drfo: str = ""  # ДРФО, the personal tax number
    edrpou: str = ""  # ЄДРПОУ, the organisation's code
    serial_number: str = ""  # the subject's serialNumber attribute
    issuer: str = ""
    certificate_serial: str = ""


@dataclass
class SignatureReport:
    signature_name: str
    signed_name: str
    integrity: Integrity = Integrity.UNKNOWN
    validity: Validity = Validity.NOT_VERIFIABLE
    chain: Chain = Chain.NOT_CHECKED
    revocation: Revocation = Revocation.NOT_CHECKED
    signer: Signer = field(default_factory=Signer)
    signing_time: dt.datetime | None = None
    timestamp_present: bool = False
    timestamp_time: dt.datetime | None = None  # as the token states it, verified or not
    # The token covers this signature value, its own signature is valid and its authority
    # chains to the trust bundle: only then is its time the time the signature is judged at.
    timestamp_verified: bool = False
    level: str = "BES"
    algorithm: str = ""
    adapter: str = ""
    notes: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        """What makes this signature unacceptable for a strict check, in plain words."""
        found = []
        if self.integrity is not Integrity.OK:
            found.append(_("the signed content does not match the signature"))
        if self.validity is Validity.INVALID:
            found.append(_("the signature is invalid"))
        elif self.validity is Validity.NOT_VERIFIABLE:
            found.append(_("the signature cannot be verified here"))
        if self.chain is not Chain.TRUSTED:
            found.append(_("the signer's certificate is not trusted"))
        if self.revocation is Revocation.REVOKED:
            found.append(_("the signer's certificate is revoked"))
        return found

    def describe(self) -> list[str]:
        """The report in plain language, one line per aspect."""
        integrity = {
            Integrity.OK: _("Integrity: the signed content is unchanged (%(name)s)."),
            Integrity.MISMATCH: _("Integrity: %(name)s was changed after signing."),
            Integrity.UNKNOWN: _("Integrity: could not be checked for %(name)s."),
        }[self.integrity] % {"name": self.signed_name or "?"}
        validity = {
            Validity.VALID: _("Signature: cryptographically valid (%(algorithm)s)."),
            Validity.INVALID: _("Signature: INVALID (%(algorithm)s)."),
            Validity.NOT_VERIFIABLE: _("Signature: signed, not verifiable here (%(algorithm)s)."),
        }[self.validity] % {"algorithm": self.algorithm or "?"}
        chain = {
            Chain.TRUSTED: _("Certificate chain: trusted."),
            Chain.UNKNOWN_ISSUER: _("Certificate chain: issuer unknown (not in the trust bundle)."),
            Chain.UNTRUSTED: _("Certificate chain: untrusted."),
            Chain.NOT_CHECKED: _("Certificate chain: not checked."),
        }[self.chain]
        revocation = {
            Revocation.GOOD: _("Revocation: the certificate was not revoked."),
            Revocation.REVOKED: _("Revocation: the certificate is REVOKED."),
            Revocation.EMBEDDED: _("Revocation: data embedded, not conclusive."),
            Revocation.NOT_CHECKED: _("Revocation: not checked (no revocation data)."),
        }[self.revocation]
        signer = self.signer
        who = ", ".join(
            part
            for part in (
                signer.name,
                signer.organisation,
                _("EDRPOU %(code)s") % {"code": signer.edrpou} if signer.edrpou else "",
                _("DRFO %(code)s") % {"code": signer.drfo} if signer.drfo else "",
                signer.serial_number,
            )
            if part
        )
        lines = [
            _("Signature %(file)s over %(signed)s")
            % {"file": self.signature_name, "signed": self.signed_name or "?"},
            _("Signer: %(who)s.") % {"who": who or _("unknown")},
            integrity,
            validity,
            chain,
            revocation,
            _("Signing time: %(time)s.")
            % {"time": self.signing_time.isoformat() if self.signing_time else _("not stated")},
            self._timestamp_line(),
            _("Level: CAdES-%(level)s.") % {"level": self.level},
        ]
        return lines + self.notes

    def _timestamp_line(self) -> str:
        if not self.timestamp_present:
            return _("Time-stamp: none.")
        time = {"time": self.timestamp_time.isoformat() if self.timestamp_time else "?"}
        if self.timestamp_verified:
            return (
                _("Time-stamp: %(time)s, verified (a trusted authority stamped this signature).")
                % time
            )
        return _("Time-stamp: %(time)s, not verified.") % time


@dataclass(frozen=True)
class SignerContext:
    """What an adapter needs to check one SignerInfo."""

    signer_info: Any  # cms.SignerInfo
    certificate: Any  # x509.Certificate of the signer, or None
    certificates: tuple[Any, ...]  # every certificate the CMS carries
    crls: tuple[bytes, ...]  # DER CertificateList
    ocsp_responses: tuple[bytes, ...]  # DER OCSPResponse
    content: bytes
    trust: tuple[bytes, ...]  # DER certificates of the trust bundle
    at: dt.datetime  # the time the chain and revocation are judged at


@dataclass
class AdapterResult:
    validity: Validity
    chain: Chain = Chain.NOT_CHECKED
    revocation: Revocation = Revocation.NOT_CHECKED
    notes: list[str] = field(default_factory=list)


class SignatureAdapter(Protocol):
    name: str

    def supports(self, context: SignerContext) -> bool: ...

    def verify(self, context: SignerContext) -> AdapterResult: ...


_ADAPTERS: list[SignatureAdapter] = []


def adapter_register(adapter: SignatureAdapter) -> None:
    """Add an adapter (for example an IIT/UAPKI one for DSTU 4145); the newest is tried first."""
    _ADAPTERS.insert(0, adapter)


def _algorithm_name(signer_info: Any) -> str:
    algorithm = signer_info["signature_algorithm"]["algorithm"]
    dotted: str = algorithm.dotted
    if dotted.startswith(_DSTU_4145_ARC):
        return f"DSTU 4145 ({dotted})"
    try:
        return str(algorithm.native)
    except (ValueError, AttributeError):
        return dotted


def _curve(certificate: Any) -> str:
    try:
        if certificate.public_key.algorithm == "ec":
            return f" ({certificate.public_key.curve[1]})"
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return ""


def _text(value: Any) -> str:
    try:
        native = value.native
    except (ValueError, AttributeError):
        return ""
    if isinstance(native, str):
        return native
    if isinstance(native, bytes):
        try:
            return str(core.Asn1Value.load(native).native)
        except (ValueError, AttributeError):
            return ""
    return str(native) if native is not None else ""


def _signer_from(certificate: Any) -> Signer:
    values: dict[str, str] = {}
    try:
        for rdn in certificate.subject.chosen:
            for attribute in rdn:
                values.setdefault(attribute["type"].dotted, _text(attribute["value"]))
        directory = certificate.subject_directory_attributes_value
        for attribute in directory or []:
            for value in attribute["values"]:
                values.setdefault(attribute["type"].dotted, _text(value))
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    serial = values.get("2.5.4.5", "")
    organisation_id = values.get(_ORGANIZATION_IDENTIFIER, "")
    drfo = values.get(_DRFO_OID, "") or (serial[6:] if serial.startswith("TINUA-") else "")
    edrpou = values.get(_EDRPOU_OID, "") or (
        organisation_id[6:] if organisation_id.startswith("NTRUA-") else ""
    )
    name = values.get("2.5.4.3", "") or " ".join(
        part for part in (values.get("2.5.4.4", ""), values.get("2.5.4.42", "")) if part
    )
    try:
        issuer = str(certificate.issuer.human_friendly)
        certificate_serial = format(certificate.serial_number, "X")
    except (ValueError, KeyError, TypeError, AttributeError):
        issuer, certificate_serial = "", ""
    return Signer(
        name=name,
        organisation=values.get("2.5.4.10", ""),
        drfo=drfo,
        edrpou=edrpou,
        serial_number=serial,
        issuer=issuer,
        certificate_serial=certificate_serial,
    )


def _find_certificate(signer_info: Any, certificates: Sequence[Any]) -> Any:
    sid = signer_info["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            if (
                certificate.issuer == sid.chosen["issuer"]
                and certificate.serial_number == sid.chosen["serial_number"].native
            ):
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    return None


def _attribute(attributes: Any, dotted: str) -> Any:
    if not attributes:
        return None
    for attribute in attributes:
        if attribute["type"].dotted == dotted:
            return attribute["values"][0]
    return None


def _timestamp_time(token: Any) -> dt.datetime | None:
    try:
        content = token["content"]["encap_content_info"]["content"].parsed
        value: dt.datetime = content["gen_time"].native
        return value
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _timestamp_check(
    token: Any, signer_info: Any, certificates: list[Any], trust: Sequence[bytes]
) -> list[str]:
    """What keeps a signature time-stamp token (RFC 3161) from vouching for the signature's
    time: empty when its imprint is the digest of this signature value, its own signature is
    valid and its authority's certificate chains to the trust bundle."""
    try:
        signed_data = token["content"]
        encapsulated = signed_data["encap_content_info"]
        if encapsulated["content_type"].native != "tst_info":
            return [_("The time-stamp is not an RFC 3161 time-stamp token.")]
        tst_bytes = encapsulated["content"].contents
        tst_info = tsp.TSTInfo.load(tst_bytes)
        imprint = tst_info["message_imprint"]
        name = imprint["hash_algorithm"]["algorithm"].native
        if name not in _HASHES:
            return [_("The time-stamp uses a digest algorithm this server cannot compute.")]
        value = signer_info["signature"].native
        if hashlib.new(name.replace("_", "-"), value).digest() != imprint["hashed_message"].native:
            return [_("The time-stamp does not cover this signature.")]
        pool = [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]
        stamps = [
            _signer_report(
                signed_data,
                stamp_signer,
                SignatureReport(signature_name="", signed_name=""),
                content=tst_bytes,
                detached=tst_bytes,
                certificates=pool + certificates,
                trust=trust,
                at=tst_info["gen_time"].native,
                check_timestamp=False,
            )
            for stamp_signer in signed_data["signer_infos"]
        ]
    except _PARSE_ERRORS:
        return [_("The time-stamp cannot be read.")]
    if not stamps:
        return [_("The time-stamp is not signed.")]
    stamp = stamps[0]
    if stamp.validity is Validity.NOT_VERIFIABLE:
        return [_("The time-stamp's own signature cannot be verified here.")]
    if stamp.integrity is not Integrity.OK or stamp.validity is not Validity.VALID:
        return [_("The time-stamp's own signature is invalid.")]
    if stamp.chain is not Chain.TRUSTED or stamp.revocation is Revocation.REVOKED:
        return [_("The time-stamp authority is not trusted.")]
    return []


def _level(signed_data: Any, unsigned: set[str]) -> str:
    if _CERTIFICATE_VALUES in unsigned and _REVOCATION_VALUES in unsigned:
        return "X-Long"
    if unsigned >= _COMPLETE_REFS:
        return "C"
    if _TIMESTAMP in unsigned:
        return "LT" if signed_data["crls"] else "T"
    return "BES"


# asn1crypto has no types: these subclasses only declare CAdES structures it does not know.
class _CertificateValues(core.SequenceOf):  # type: ignore[misc]  # asn1crypto is untyped
    _child_spec = x509.Certificate


class _CrlValues(core.SequenceOf):  # type: ignore[misc]  # asn1crypto is untyped
    _child_spec = crl.CertificateList


class _OcspValues(core.SequenceOf):  # type: ignore[misc]  # asn1crypto is untyped
    _child_spec = ocsp.BasicOCSPResponse


class _RevocationValues(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    _fields = [
        ("crl_vals", _CrlValues, {"explicit": 0, "optional": True}),
        ("ocsp_vals", _OcspValues, {"explicit": 1, "optional": True}),
        ("other_rev_vals", core.Any, {"explicit": 2, "optional": True}),
    ]


def _revocation_material(signed_data: Any, signer_info: Any) -> tuple[list[bytes], list[bytes]]:
    """CRLs and OCSP responses from SignedData and the CAdES revocation-values attribute."""
    crls, responses = [], []
    for choice in signed_data["crls"] or []:
        if choice.name == "crl":
            crls.append(choice.chosen.dump())
        elif choice.chosen["other_rev_info_format"].dotted == "1.3.6.1.5.5.7.16.2":
            responses.append(choice.chosen["other_rev_info"].dump())
    values = _attribute(signer_info["unsigned_attrs"], _REVOCATION_VALUES)
    if values is not None:
        parsed = _RevocationValues.load(values.dump())
        crls += [item.dump() for item in parsed["crl_vals"] or []]
        for basic in parsed["ocsp_vals"] or []:
            response = ocsp.OCSPResponse(
                {
                    "response_status": "successful",
                    "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
                }
            )
            responses.append(response.dump())
    return crls, responses


def _fingerprint(certificate: cx509.Certificate) -> bytes:
    return certificate.fingerprint(hashes.SHA256())


def _load_certificates(ders: Sequence[bytes]) -> list[cx509.Certificate]:
    loaded = []
    for der in ders:
        try:
            loaded.append(cx509.load_der_x509_certificate(der))
        except (ValueError, cx509.InvalidVersion):
            continue  # a certificate cryptography cannot read cannot be in an RSA/ECDSA chain
    return loaded


def _is_ca(certificate: cx509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(cx509.BasicConstraints).value.ca)
    except cx509.ExtensionNotFound:
        return False


def _valid_at(certificate: cx509.Certificate, at: dt.datetime) -> bool:
    return certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc


def _issued_by(certificate: cx509.Certificate, issuer: cx509.Certificate) -> bool | None:
    """Whether `issuer` signed `certificate`; None when its algorithm cannot be checked here."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, InvalidSignature):
        return False
    except (TypeError, UnsupportedAlgorithm):
        return None
    return True


def _chain(
    signer: cx509.Certificate,
    pool: list[cx509.Certificate],
    anchors: list[cx509.Certificate],
    at: dt.datetime,
) -> tuple[Chain, list[cx509.Certificate], list[str]]:
    """Build the path from the signer to a trust anchor; the path is returned either way."""
    anchor_prints = {_fingerprint(anchor) for anchor in anchors}
    path, current = [signer], signer
    for _depth in range(12):
        if not _valid_at(current, at):
            return Chain.UNTRUSTED, path, [_("A certificate in the chain was not valid then.")]
        if _fingerprint(current) in anchor_prints:
            return Chain.TRUSTED, path, []
        if current.issuer == current.subject:
            return Chain.UNKNOWN_ISSUER, path, []
        candidates = [c for c in anchors + pool if c.subject == current.issuer]
        checked = [(c, _issued_by(current, c)) for c in candidates]
        issuer = next((c for c, issued in checked if issued), None)
        if issuer is None:
            if any(issued is None for _c, issued in checked):
                return Chain.NOT_CHECKED, path, [_("An issuer's algorithm is not supported here.")]
            if candidates:
                return Chain.UNTRUSTED, path, [_("A certificate's issuer signature is wrong.")]
            return Chain.UNKNOWN_ISSUER, path, []
        if not _is_ca(issuer):
            return Chain.UNTRUSTED, path, [_("A certificate was issued by a non-CA.")]
        path.append(issuer)
        current = issuer
    return Chain.UNTRUSTED, path, [_("The certificate chain is too long.")]


def _verify_raw(
    public_key: Any, signature: bytes, data: bytes, hash_algorithm: hashes.HashAlgorithm
) -> bool:
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _crl_status(
    certificate: cx509.Certificate, issuer: cx509.Certificate, ders: list[bytes], at: dt.datetime
) -> Revocation | None:
    for der in ders:
        try:
            revocation_list = cx509.load_der_x509_crl(der)
            if revocation_list.issuer != issuer.subject:
                continue
            key = issuer.public_key()
            if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
                continue
            if not revocation_list.is_signature_valid(key):
                continue
        except (ValueError, TypeError, UnsupportedAlgorithm, cx509.InvalidVersion):
            continue
        revoked = revocation_list.get_revoked_certificate_by_serial_number(
            certificate.serial_number
        )
        if revoked is not None and revoked.revocation_date_utc <= at:
            return Revocation.REVOKED
        return Revocation.GOOD
    return None


def _ocsp_status(
    certificate: cx509.Certificate, issuer: cx509.Certificate, ders: list[bytes], at: dt.datetime
) -> Revocation | None:
    for der in ders:
        try:
            response = cocsp.load_der_ocsp_response(der)
            if response.response_status is not cocsp.OCSPResponseStatus.SUCCESSFUL:
                continue
            # The issuing CA answers itself, or delegates to a responder certificate it issued.
            responders = [issuer, *(c for c in response.certificates if _issued_by(c, issuer))]
            hash_algorithm = response.signature_hash_algorithm
            if hash_algorithm is None or not any(
                _verify_raw(
                    r.public_key(), response.signature, response.tbs_response_bytes, hash_algorithm
                )
                for r in responders
            ):
                continue
            for single in response.responses:
                if single.serial_number != certificate.serial_number:
                    continue
                if single.certificate_status is cocsp.OCSPCertStatus.GOOD:
                    return Revocation.GOOD
                if single.certificate_status is cocsp.OCSPCertStatus.REVOKED:
                    when = single.revocation_time_utc
                    return Revocation.REVOKED if when is None or when <= at else Revocation.GOOD
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
    return None


def _revocation(
    path: list[cx509.Certificate], crls: list[bytes], responses: list[bytes], at: dt.datetime
) -> Revocation:
    """The signer's status from embedded data; a revoked intermediate revokes it too."""
    if not crls and not responses:
        return Revocation.NOT_CHECKED
    statuses = [
        _ocsp_status(cert, issuer, responses, at) or _crl_status(cert, issuer, crls, at)
        for cert, issuer in itertools.pairwise(path)
    ]
    if Revocation.REVOKED in statuses:
        return Revocation.REVOKED
    if statuses and statuses[0] is Revocation.GOOD:
        return Revocation.GOOD
    return Revocation.EMBEDDED


class BuiltinAdapter:
    """RSA and ECDSA signatures, verified with `cryptography`, offline."""

    name = "builtin"

    def _public_key(self, context: SignerContext) -> Any:
        if context.certificate is None:
            return None
        try:
            key = cx509.load_der_x509_certificate(context.certificate.dump()).public_key()
        except (ValueError, UnsupportedAlgorithm, cx509.InvalidVersion):
            return None
        return key if isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey) else None

    def supports(self, context: SignerContext) -> bool:
        try:
            algorithm = context.signer_info["signature_algorithm"].signature_algo
        except ValueError:
            return False
        return algorithm in ("ecdsa", "rsassa_pkcs1v15", "rsassa_pss") and (
            self._public_key(context) is not None
        )

    def _hash(self, context: SignerContext) -> hashes.HashAlgorithm | None:
        algorithm = context.signer_info["signature_algorithm"]
        try:
            name = algorithm.hash_algo
        except ValueError:
            name = context.signer_info["digest_algorithm"]["algorithm"].native
        hash_class = _HASHES.get(name)
        return hash_class() if hash_class else None

    def verify(self, context: SignerContext) -> AdapterResult:
        signer_info = context.signer_info
        attributes = signer_info["signed_attrs"]
        data = attributes.untag().dump() if attributes else context.content
        hash_algorithm = self._hash(context)
        if hash_algorithm is None:
            return AdapterResult(Validity.NOT_VERIFIABLE, notes=[_("Unknown digest algorithm.")])
        key = self._public_key(context)
        signature = signer_info["signature"].native
        algorithm = signer_info["signature_algorithm"]
        try:
            if algorithm.signature_algo == "rsassa_pss":
                params = algorithm["parameters"]
                key.verify(
                    signature,
                    data,
                    padding.PSS(padding.MGF1(hash_algorithm), params["salt_length"].native),
                    hash_algorithm,
                )
                valid = True
            else:
                valid = _verify_raw(key, signature, data, hash_algorithm)
        except (InvalidSignature, ValueError, TypeError):
            valid = False
        signer = cx509.load_der_x509_certificate(context.certificate.dump())
        pool = _load_certificates([c.dump() for c in context.certificates])
        chain, path, notes = _chain(signer, pool, _load_certificates(context.trust), context.at)
        return AdapterResult(
            validity=Validity.VALID if valid else Validity.INVALID,
            chain=chain,
            revocation=_revocation(
                path, list(context.crls), list(context.ocsp_responses), context.at
            ),
            notes=notes,
        )


_ADAPTERS.append(BuiltinAdapter())


def _digest_matches(signer_info: Any, content: bytes | None) -> Integrity:
    if content is None:
        return Integrity.UNKNOWN
    name = signer_info["digest_algorithm"]["algorithm"].native
    if name not in _HASHES:
        return Integrity.UNKNOWN
    digest = hashlib.new(name.replace("_", "-"), content).digest()
    expected = _attribute(signer_info["signed_attrs"], "1.2.840.113549.1.9.4")
    if expected is None:
        return Integrity.UNKNOWN  # without signed attributes the signature itself decides
    return Integrity.OK if expected.native == digest else Integrity.MISMATCH


# asn1crypto parses lazily: a broken structure raises one of these wherever it is first read.
_PARSE_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    AttributeError,
    cx509.InvalidVersion,
)


def _not_cms(error: Exception) -> SignatureFormatError:
    return SignatureFormatError(
        _("the signature file is not a CMS (PKCS#7) signature: %(error)s") % {"error": error}
    )


def _signed_data(signature: bytes) -> Any:
    try:
        info = cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            raise SignatureFormatError(
                _("the signature file holds %(type)s, not CMS SignedData")
                % {"type": info["content_type"].native}
            )
        signed_data = info["content"]
        signer_count = len(signed_data["signer_infos"])
    except SignatureFormatError:
        raise
    except _PARSE_ERRORS as error:
        raise _not_cms(error) from error
    if not signer_count:
        raise SignatureFormatError(_("the signature file has no signer"))
    return signed_data


def signature_verify(
    signature: bytes,
    *,
    content: bytes | None,
    signature_name: str = "",
    signed_name: str = "",
    trust: Sequence[bytes] = (),
    at: dt.datetime | None = None,
) -> list[SignatureReport]:
    """One report per signer of a CMS SignedData over `content` (detached or attached).

    Raises SignatureFormatError only when the bytes are not a CMS SignedData at all; a
    signature in an algorithm no adapter supports is reported, not raised.
    """
    signed_data = _signed_data(signature)
    try:
        attached = signed_data["encap_content_info"]["content"].native
        certificates = [
            c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"
        ]
        # A tool may leave the signer's own certificate out when the verifier is known to have it.
        certificates += [x509.Certificate.load(der) for der in trust]
        return [
            _signer_report(
                signed_data,
                signer_info,
                SignatureReport(signature_name=signature_name, signed_name=signed_name),
                content=attached if attached is not None else content,
                detached=content,
                certificates=certificates,
                trust=trust,
                at=at,
            )
            for signer_info in signed_data["signer_infos"]
        ]
    except _PARSE_ERRORS as error:
        raise _not_cms(error) from error


def _signer_report(
    signed_data: Any,
    signer_info: Any,
    report: SignatureReport,
    *,
    content: bytes | None,
    detached: bytes | None,
    certificates: list[Any],
    trust: Sequence[bytes],
    at: dt.datetime | None,
    check_timestamp: bool = True,
) -> SignatureReport:
    report.integrity = _digest_matches(signer_info, content)
    if detached is not None and content != detached:
        report.integrity = Integrity.MISMATCH  # the attached content is another document
    report.algorithm = _algorithm_name(signer_info)
    unsigned = {a["type"].dotted for a in signer_info["unsigned_attrs"] or []}
    report.level = _level(signed_data, unsigned)
    signing_time = _attribute(signer_info["signed_attrs"], "1.2.840.113549.1.9.5")
    report.signing_time = signing_time.native if signing_time is not None else None
    token = _attribute(signer_info["unsigned_attrs"], _TIMESTAMP)
    report.timestamp_present = token is not None
    report.timestamp_time = _timestamp_time(token) if token is not None else None
    values = _attribute(signer_info["unsigned_attrs"], _CERTIFICATE_VALUES)
    extra = list(_CertificateValues.load(values.dump())) if values is not None else []
    if token is not None and check_timestamp:
        problems = _timestamp_check(token, signer_info, certificates + extra, trust)
        report.timestamp_verified = not problems
        report.notes += problems
    certificate = _find_certificate(signer_info, certificates + extra)
    if certificate is not None:
        report.signer = _signer_from(certificate)
        report.algorithm += _curve(certificate)
    crls, responses = _revocation_material(signed_data, signer_info)
    context = SignerContext(
        signer_info=signer_info,
        certificate=certificate,
        certificates=tuple(certificates + extra),
        crls=tuple(crls),
        ocsp_responses=tuple(responses),
        content=content or b"",
        trust=tuple(trust),
        at=at
        or (report.timestamp_time if report.timestamp_verified else None)
        or report.signing_time
        or dt.datetime.now(tz=dt.UTC),
    )
    adapter = next((a for a in _ADAPTERS if a.supports(context)), None)
    if adapter is None:
        report.validity = Validity.NOT_VERIFIABLE
        report.notes.append(
            _("No installed adapter supports %(algorithm)s: signed, not verifiable here.")
            % {"algorithm": report.algorithm}
        )
    else:
        result = adapter.verify(context)
        report.adapter = adapter.name
        report.validity, report.chain = result.validity, result.chain
        report.revocation = result.revocation
        report.notes += result.notes
    if certificate is None:
        report.notes.append(_("The signer's certificate is not in the signature."))
    return report
