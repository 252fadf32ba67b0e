"""Checking a whole archival package: every manifest digest and every signature."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhurnal.archive.containers import Container, container_read
from zhurnal.archive.signatures import SignatureFormatError, SignatureReport, signature_verify


@dataclass
class PackageReport:
    container: Container
    file_problems: list[str] = field(default_factory=list)  # names each file that fails
    signatures: list[SignatureReport] = field(default_factory=list)
    signature_errors: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        """Everything a strict check refuses, in plain words; empty when all is well."""
        found = self.file_problems + self.signature_errors
        if not self.signatures and not self.signature_errors:
            found.append(_("The package is not signed."))
        for report in self.signatures:
            found += [f"{report.signature_name}: {problem}" for problem in report.failures()]
        return found


def package_verify(data: bytes, *, trust: Sequence[bytes]) -> PackageReport:
    """Re-read a container, check every manifest hash and every signature.

    Raises ContainerError when the bytes are not a readable container.
    """
    container = container_read(data)
    report = PackageReport(container=container)
    listed: set[str] = set()
    for manifest in container.manifests:
        for entry in manifest.entries:
            listed.add(entry.name)
            content = container.files.get(entry.name)
            if content is None:
                report.file_problems.append(
                    _("%(file)s is listed in %(manifest)s but missing from the package.")
                    % {"file": entry.name, "manifest": manifest.name}
                )
            elif entry.digest_algorithm not in hashlib.algorithms_guaranteed:
                report.file_problems.append(
                    _("%(file)s: digest algorithm %(algorithm)s is not supported.")
                    % {"file": entry.name, "algorithm": entry.digest_algorithm}
                )
            elif hashlib.new(entry.digest_algorithm, content).digest() != entry.digest:
                report.file_problems.append(
                    _("%(file)s was changed: its digest differs from %(manifest)s.")
                    % {"file": entry.name, "manifest": manifest.name}
                )
    if container.kind == "asic-e":
        for name in sorted(set(container.files) - listed):
            report.file_problems.append(
                _("%(file)s is not listed in any manifest.") % {"file": name}
            )
    for name in sorted(container.other_entries):
        if name.lower().endswith(".xml") and "signatures" in name.lower():
            report.signature_errors.append(
                _("%(file)s: XAdES signatures are not verifiable here.") % {"file": name}
            )
    for signed in container.signed_objects():
        try:
            report.signatures += signature_verify(
                signed.signature,
                content=signed.signed_content,
                signature_name=signed.signature_name,
                signed_name=signed.signed_name,
                trust=trust,
            )
        except SignatureFormatError as error:
            report.signature_errors.append(f"{signed.signature_name}: {error}")
    return report
