from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhurnal.archive.containers import ContainerError, container_read
from zhurnal.archive.democa import DemoCaError, demo_ca_directory, demo_ca_load, demo_sign
from zhurnal.archive.selectors import trust_bundle, trusted_certificate_list
from zhurnal.archive.services import TrustImportError, trusted_certificate_import
from zhurnal.archive.verification import package_verify


class Command(BaseCommand):
    help = (
        "Archive tools: `trust import FILE`, `trust list`, `verify PACKAGE [--strict]` "
        "which checks every hash and signature of an archival package, and, in the demo "
        "only, `sign --demo-key PACKAGE` which signs a package's manifest with a demo key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        trust = actions.add_parser("trust", help="the certificates signatures are checked against")
        trust_actions = trust.add_subparsers(dest="trust_action", required=True)
        trust_import = trust_actions.add_parser("import", help="add certificates (PEM or DER)")
        trust_import.add_argument("file")
        trust_actions.add_parser("list", help="list trusted certificates")
        verify = actions.add_parser("verify", help="check an archival package (ASiC-E/ASiC-S)")
        verify.add_argument("package")
        verify.add_argument("--strict", action="store_true", help="exit non-zero on any failure")
        sign = actions.add_parser(
            "sign", help="demo only: sign a package's manifest with the demo CA's key (.p7s)"
        )
        sign.add_argument("package", help="the .asice downloaded from the package page")
        sign.add_argument(
            "--demo-key",
            action="store_true",
            required=True,
            help="sign with a key of the demo's throw-away certification authority",
        )
        sign.add_argument("-o", "--output", help="the .p7s to write (default: PACKAGE.p7s)")
        sign.add_argument(
            "--as",
            dest="signer",
            choices=["director", "class-teacher"],
            default="director",
            help="whose demo key signs (default: director)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self._verify(Path(options["package"]), strict=options["strict"])
        elif options["action"] == "sign":
            package = Path(options["package"])
            output = Path(options["output"]) if options["output"] else package.with_suffix(".p7s")
            self._sign(package, output, signer=options["signer"])
        elif options["trust_action"] == "import":
            self._trust_import(Path(options["file"]))
        else:
            for certificate in trusted_certificate_list():
                self.stdout.write(
                    f"{certificate.fingerprint}  {certificate.not_before:%Y-%m-%d}.."
                    f"{certificate.not_after:%Y-%m-%d}  {certificate.subject}"
                )

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error

    def _trust_import(self, path: Path) -> None:
        try:
            added = trusted_certificate_import(actor=None, data=self._read(path))
        except TrustImportError as error:
            raise CommandError(str(error)) from error
        for certificate in added:
            self.stdout.write(_("Trusted: %(subject)s") % {"subject": certificate.subject})
        self.stdout.write(_("%(count)s certificate(s) added.") % {"count": len(added)})

    def _verify(self, path: Path, *, strict: bool) -> None:
        try:
            report = package_verify(self._read(path), trust=trust_bundle())
        except ContainerError as error:
            raise CommandError(_("Not a readable package: %(error)s") % {"error": error}) from error
        container = report.container
        self.stdout.write(
            _("Package %(path)s (%(kind)s): %(files)s file(s), %(signatures)s signature(s).")
            % {
                "path": path,
                "kind": container.kind.upper(),
                "files": len(container.files),
                "signatures": len(container.signatures),
            }
        )
        for warning in container.warnings:
            self.stdout.write(_("Warning: %(warning)s") % {"warning": warning})
        if not report.file_problems:
            self.stdout.write(_("All files match the manifest."))
        for signature in report.signatures:
            self.stdout.write("")
            for line in signature.describe():
                self.stdout.write(f"  {line}")
        failures = report.failures()
        if failures:
            self.stdout.write("")
        for failure in failures:
            self.stdout.write(self.style.ERROR(failure))
        if failures and strict:
            raise CommandError(
                _("Verification failed: %(count)s problem(s).") % {"count": len(failures)}
            )
        if failures:
            self.stdout.write(
                self.style.WARNING(_("%(count)s problem(s) found.") % {"count": len(failures)})
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("The package is intact and its signatures valid."))
            )

    def _sign(self, package: Path, output: Path, *, signer: str) -> None:
        # Zhurnal never holds a real signer's key: this plays the director's own tool, and
        # only with the demo's throw-away keys.
        directory = demo_ca_directory()
        try:
            ca = demo_ca_load(directory)
        except DemoCaError as error:
            raise CommandError(
                _(
                    "There is no demo certification authority in %(path)s: signing with a "
                    "demo key is for the demo (`zhurnal demo`) only. Zhurnal never holds a "
                    "real signer's key; sign real packages in your own signing tool."
                )
                % {"path": directory}
            ) from error
        try:
            container = container_read(self._read(package))
        except ContainerError as error:
            raise CommandError(_("Not a readable package: %(error)s") % {"error": error}) from error
        if not container.manifests:
            raise CommandError(_("The package has no manifest to sign."))
        manifest = container.manifests[0]
        try:
            output.write_bytes(demo_sign(ca, manifest.content, signer=signer))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from error
        self.stdout.write(
            _("Signed %(manifest)s of %(package)s with the demo key of %(signer)s: %(output)s")
            % {
                "manifest": manifest.name,
                "package": package,
                "signer": ca.identity(signer).name,
                "output": output,
            }
        )
