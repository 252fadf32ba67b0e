"""What an uploaded file really is, judged by its first bytes rather than by its name.

A name is whatever the uploader typed; a renamed program («homework.pdf» that is really a
Windows .exe) must not reach the families who download it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

HEAD_BYTES = 8192

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt (Office 97–2003)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # .docx, .xlsx, .pptx, .odt, .ods, .odp, .zip
_UNICODE_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

# Programs, whatever their name: Windows (PE), Linux (ELF), macOS (Mach-O, also Java classes).
EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)


def _text(head: bytes) -> bool:
    # Plain text has no NUL bytes, unless it is UTF-16 with its byte-order mark.
    return head.startswith(_UNICODE_BOMS) or b"\x00" not in head


def _mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)


CONTENT_CHECKS: dict[str, Callable[[bytes], bool]] = {
    # PDF readers accept the header anywhere in the first kilobyte.
    ".pdf": lambda head: b"%PDF" in head[:1024],
    ".doc": lambda head: head.startswith(_OLE2),
    ".xls": lambda head: head.startswith(_OLE2),
    ".ppt": lambda head: head.startswith(_OLE2),
    ".docx": lambda head: head.startswith(_ZIP),
    ".xlsx": lambda head: head.startswith(_ZIP),
    ".pptx": lambda head: head.startswith(_ZIP),
    ".odt": lambda head: head.startswith(_ZIP),
    ".ods": lambda head: head.startswith(_ZIP),
    ".odp": lambda head: head.startswith(_ZIP),
    ".zip": lambda head: head.startswith(_ZIP),
    ".rtf": lambda head: head.startswith(b"{\\rtf"),
    ".txt": _text,
    ".jpg": lambda head: head.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    ".png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    ".gif": lambda head: head.startswith((b"GIF87a", b"GIF89a")),
    ".webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    ".mp3": _mp3,
}


def upload_head(upload: IO[Any]) -> bytes:
    """The first bytes of an uploaded file, leaving it ready to be saved from the start."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return bytes(head)


def is_executable(head: bytes) -> bool:
    return head.startswith(EXECUTABLE_SIGNATURES)


def content_matches(extension: str, head: bytes) -> bool:
    """Whether the first bytes are what a file with this extension begins with; an
    extension without a known signature never matches."""
    check = CONTENT_CHECKS.get(extension.lower())
    return check is not None and check(head) and not is_executable(head)


# A scanned paper (an excuse note, a consent signed on paper): the extension and the
# file's own first bytes must agree.
SCAN_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def scanned_document_check(document: UploadedFile[Any], *, max_bytes: int) -> str:
    """The name to keep for an uploaded scan, or ValidationError in words: a PDF, JPEG or
    PNG by extension and by content, at most `max_bytes`."""
    name = PurePath(document.name or "document").name[:200]
    extension = PurePath(name).suffix.lower()
    signatures = SCAN_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError(
            _("The document must be a PDF, JPEG or PNG file, not «%(ext)s».")
            % {"ext": extension or "?"}
        )
    if (document.size or 0) > max_bytes:
        raise ValidationError(
            _("The document is too large: %(size)s MB at most.")
            % {"size": max_bytes // (1024 * 1024)}
        )
    document.seek(0)
    head = document.read(8)
    document.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("The file «%(name)s» is not a real PDF, JPEG or PNG document.") % {"name": name}
        )
    return name
