from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel


class TrustedCertificate(TimestampedModel):
    """A CA (or signer) certificate the operator trusts for verifying archive signatures."""

    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=1000)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    der = models.BinaryField(_("certificate (DER)"))

    class Meta:
        ordering = ["subject", "fingerprint"]
        verbose_name = _("trusted certificate")
        verbose_name_plural = _("trusted certificates")

    def __str__(self) -> str:
        return self.subject
