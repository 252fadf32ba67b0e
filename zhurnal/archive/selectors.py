from __future__ import annotations

from zhurnal.archive.models import TrustedCertificate


def trust_bundle() -> list[bytes]:
    """The DER certificates signatures are verified against."""
    return [bytes(der) for der in TrustedCertificate.objects.values_list("der", flat=True)]


def trusted_certificate_list() -> list[TrustedCertificate]:
    """Every trusted certificate, for the operator's listing."""
    return list(TrustedCertificate.objects.order_by("subject", "fingerprint"))
