"""ASiC containers (ETSI EN 319 162-1): build, read and add detached CAdES signatures.

A container is a ZIP: `mimetype` first and stored, the data files, then `META-INF/`.
ASiC-E lists every data file with its SHA-256 in `META-INF/ASiCManifest*.xml`, and the
CAdES signature named by the manifest's `SigReference` signs the manifest; ASiC-S holds one
data file that `META-INF/signature*.p7s` signs directly. Building is deterministic: the same
files give byte-identical bytes, so a regenerated package has the same hash.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

ASIC_E_MIMETYPE = "application/vnd.etsi.asic-e+zip"
ASIC_S_MIMETYPE = "application/vnd.etsi.asic-s+zip"
MANIFEST_NAME = "META-INF/ASiCManifest.xml"
SIGNATURE_NAME = "META-INF/signature.p7s"
SIGNATURE_MIMETYPE = "application/x-pkcs7-signature"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"

_ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
_DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_DIGEST_URIS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    SHA256_URI: "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
# 1980-01-01, the earliest time a ZIP can hold: no build time leaks into the bytes.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16
_MAX_ENTRIES = 10_000
_MAX_TOTAL_SIZE = 4 * 1024**3  # zipfile stops at each declared size; refuse a bomb up front
_MANIFEST_RE = re.compile(r"^META-INF/ASiCManifest[^/]*\.xml$", re.IGNORECASE)
_SIGNATURE_RE = re.compile(r"^META-INF/[^/]*signature[^/]*\.p7s$", re.IGNORECASE)


class ContainerError(ValueError):
    """The bytes are not a container this module can read or build; the message says why."""


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    mime_type: str
    digest_algorithm: str  # hashlib name, or the URI when it is not one we know
    digest: bytes


@dataclass(frozen=True)
class Manifest:
    name: str
    signature_name: str  # the SigReference URI, "" when the manifest names no signature
    entries: tuple[ManifestEntry, ...]
    content: bytes


@dataclass(frozen=True)
class SignedObject:
    """One signature file and the bytes it signs (a manifest, or the ASiC-S data file)."""

    signature_name: str
    signature: bytes
    signed_name: str
    signed_content: bytes | None  # None when nothing in the container says what it signs


@dataclass(frozen=True)
class Container:
    kind: str  # "asic-e" or "asic-s"
    mimetype: str
    files: dict[str, bytes]  # data files, outside META-INF
    manifests: tuple[Manifest, ...]
    signatures: dict[str, bytes]
    other_entries: dict[str, bytes] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def signed_objects(self) -> list[SignedObject]:
        """Pair every signature with what it signs."""
        by_reference = {m.signature_name: m for m in self.manifests if m.signature_name}
        unreferenced = [m for m in self.manifests if not m.signature_name]
        pairs = []
        for name in sorted(self.signatures):
            signed_name, content = "", None
            if name in by_reference:
                signed_name, content = by_reference[name].name, by_reference[name].content
            elif self.kind == "asic-s" and len(self.files) == 1:
                signed_name, content = next(iter(self.files.items()))
            elif len(unreferenced) == 1 and len(self.signatures) == 1:
                signed_name, content = unreferenced[0].name, unreferenced[0].content
            pairs.append(SignedObject(name, self.signatures[name], signed_name, content))
        return pairs


def _check_data_name(name: str) -> None:
    if (
        not name
        or name.startswith(("/", "META-INF/"))
        or name == "mimetype"
        or "\\" in name
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise ContainerError(f"unusable data file name {name!r}")


def _zip_info(name: str, *, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 3  # the same bytes whichever system builds the container
    info.external_attr = _FILE_MODE
    return info


def _write_zip(mimetype: str, entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_zip_info("mimetype", stored=True), mimetype.encode("ascii"))
        for name, content in entries:
            archive.writestr(_zip_info(name), content, compresslevel=6)
    return buffer.getvalue()


def manifest_build(
    files: Mapping[str, bytes],
    mime_types: Mapping[str, str],
    *,
    signature_name: str = SIGNATURE_NAME,
) -> bytes:
    """The ASiCManifest XML for `files`, naming `signature_name` as the signature over it."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<asic:ASiCManifest xmlns:asic="{_ASIC_NS}" xmlns:ds="{_DS_NS}">',
        f"  <asic:SigReference URI={quoteattr(signature_name)}"
        f" MimeType={quoteattr(SIGNATURE_MIMETYPE)}/>",
    ]
    for name in sorted(files):
        digest = base64.b64encode(hashlib.sha256(files[name]).digest()).decode("ascii")
        mime = mime_types.get(name, "application/octet-stream")
        lines += [
            f"  <asic:DataObjectReference URI={quoteattr(name)} MimeType={quoteattr(mime)}>",
            f'    <ds:DigestMethod Algorithm="{SHA256_URI}"/>',
            f"    <ds:DigestValue>{digest}</ds:DigestValue>",
            "  </asic:DataObjectReference>",
        ]
    lines.append("</asic:ASiCManifest>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def container_build(files: Mapping[str, bytes], mime_types: Mapping[str, str]) -> bytes:
    """An unsigned ASiC-E container: mimetype, the data files sorted by name, the manifest."""
    if not files:
        raise ContainerError("a container needs at least one data file")
    for name in files:
        _check_data_name(name)
    entries = [(name, files[name]) for name in sorted(files)]
    entries.append((MANIFEST_NAME, manifest_build(files, mime_types)))
    return _write_zip(ASIC_E_MIMETYPE, entries)


def container_build_simple(name: str, content: bytes, signature: bytes) -> bytes:
    """An ASiC-S container: one data file and the detached CAdES signature that signs it
    directly (how a package signed as a whole file is kept together with its signature)."""
    _check_data_name(name)
    return _write_zip(ASIC_S_MIMETYPE, [(name, content), (SIGNATURE_NAME, signature)])


def container_add_signature(
    data: bytes, signature: bytes, *, manifest_name: str = MANIFEST_NAME
) -> bytes:
    """A new version of the container with `signature` stored where the manifest refers.

    Every existing entry is kept byte for byte in its order, the manifest unchanged.
    """
    container = container_read(data)
    manifest = next((m for m in container.manifests if m.name == manifest_name), None)
    if manifest is None:
        raise ContainerError(f"the container has no {manifest_name}")
    target = manifest.signature_name or SIGNATURE_NAME
    if target in container.signatures:
        raise ContainerError(f"{target} is already present; a new signer needs a new manifest")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [
            (info.filename, archive.read(info))
            for info in archive.infolist()
            if info.filename != "mimetype" and not info.is_dir()
        ]
    entries.append((target, signature))
    return _write_zip(container.mimetype or ASIC_E_MIMETYPE, entries)


def _parse_manifest(name: str, content: bytes) -> Manifest:
    # ElementTree resolves no external entities; refusing any DTD also rules out entity
    # expansion, so no hostile manifest can make the parser do more than read the tags.
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise ContainerError(f"{name}: a DTD is not allowed in a manifest")
    try:
        root = ET.fromstring(content)  # noqa: S314  # DTDs refused above
    except ET.ParseError as error:
        raise ContainerError(f"{name} is not well-formed XML: {error}") from error
    if root.tag != f"{{{_ASIC_NS}}}ASiCManifest":
        raise ContainerError(f"{name} is not an ASiCManifest (root element {root.tag})")
    sig_ref = root.find(f"{{{_ASIC_NS}}}SigReference")
    entries = []
    for ref in root.findall(f"{{{_ASIC_NS}}}DataObjectReference"):
        uri = ref.get("URI", "")
        method = ref.find(f"{{{_DS_NS}}}DigestMethod")
        value = ref.find(f"{{{_DS_NS}}}DigestValue")
        if not uri or method is None or value is None:
            raise ContainerError(f"{name}: a DataObjectReference lacks URI, method or value")
        algorithm = method.get("Algorithm", "")
        try:
            digest = base64.b64decode((value.text or "").strip(), validate=True)
        except ValueError as error:
            raise ContainerError(f"{name}: the digest of {uri} is not base64") from error
        entries.append(
            ManifestEntry(
                name=uri,
                mime_type=ref.get("MimeType", ""),
                digest_algorithm=_DIGEST_URIS.get(algorithm, algorithm),
                digest=digest,
            )
        )
    return Manifest(
        name=name,
        signature_name=sig_ref.get("URI", "") if sig_ref is not None else "",
        entries=tuple(entries),
        content=content,
    )


def container_read(data: bytes) -> Container:
    """Read an ASiC-E or ASiC-S container; malformed input raises ContainerError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as error:
        raise ContainerError(f"not a ZIP container: {error}") from error
    warnings: list[str] = []
    with archive:
        if any(not info.filename for info in archive.infolist()):
            raise ContainerError("the ZIP has an entry without a name")
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > _MAX_ENTRIES:
            raise ContainerError(f"too many entries ({len(infos)})")
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise ContainerError("the ZIP has two entries with the same name")
        if sum(info.file_size for info in infos) > _MAX_TOTAL_SIZE:
            raise ContainerError("the files are too large to unpack")
        try:
            contents = {info.filename: archive.read(info) for info in infos}
        except (
            zipfile.BadZipFile,
            zlib.error,
            ValueError,
            NotImplementedError,
            RuntimeError,  # an encrypted entry
            EOFError,
            OSError,
        ) as error:
            raise ContainerError(f"an entry cannot be read: {error}") from error
    mimetype = contents.pop("mimetype", b"").decode("ascii", "replace").strip()
    if mimetype and (infos[0].filename != "mimetype" or infos[0].compress_type):
        warnings.append("mimetype is not the first, stored entry")
    manifests, signatures, files, other = [], {}, {}, {}
    for name, content in contents.items():
        if _MANIFEST_RE.match(name):
            manifests.append(_parse_manifest(name, content))
        elif _SIGNATURE_RE.match(name):
            signatures[name] = content
        elif name.startswith("META-INF/"):
            other[name] = content
        else:
            files[name] = content
    if mimetype == ASIC_S_MIMETYPE or (not mimetype and not manifests):
        kind = "asic-s"
        if len(files) != 1:
            raise ContainerError(f"an ASiC-S container holds one data file, this one {len(files)}")
    elif mimetype in ("", ASIC_E_MIMETYPE):
        kind = "asic-e"
        if not manifests:
            raise ContainerError("an ASiC-E container without META-INF/ASiCManifest*.xml")
    else:
        raise ContainerError(f"unknown container type {mimetype!r}")
    return Container(
        kind=kind,
        mimetype=mimetype,
        files=files,
        manifests=tuple(sorted(manifests, key=lambda m: m.name)),
        signatures=signatures,
        other_entries=other,
        warnings=tuple(warnings),
    )
