from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from django.db import transaction
from django.utils.translation import gettext as _

from zhurnal.archive.models import TrustedCertificate
from zhurnal.audit.services import audit_record


class TrustImportError(ValueError):
    """The file holds no certificate that can be read."""


def _certificates_in(data: bytes) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as error:
        raise TrustImportError(
            _("The file is not a PEM or DER certificate: %(error)s") % {"error": error}
        ) from error


@transaction.atomic
def trusted_certificate_import(*, actor: Any, data: bytes) -> list[TrustedCertificate]:
    """Add every certificate in a PEM bundle or DER file; ones already trusted are skipped.

    Returns the newly added certificates; each addition is audited.
    """
    added = []
    for certificate in _certificates_in(data):
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
        if TrustedCertificate.objects.filter(fingerprint=fingerprint).exists():
            continue
        trusted = TrustedCertificate.objects.create(
            fingerprint=fingerprint,
            subject=certificate.subject.rfc4514_string()[:1000],
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            der=certificate.public_bytes(Encoding.DER),
        )
        audit_record(
            actor=actor,
            action="archive.trust_import",
            obj=trusted,
            after={"fingerprint": fingerprint, "subject": trusted.subject},
        )
        added.append(trusted)
    return added
