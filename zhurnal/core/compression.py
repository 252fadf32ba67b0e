"""Compression of pages and JSON (docs/operations.md, "Serving")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# What gains from gzip: markup, style, script, JSON, CSV, calendars. Workbooks (XLSX),
# archival containers (ASiC-E), zip files and PDFs are compressed inside already, and
# images are too: squeezing them again costs CPU and saves nothing.
_TEXT_TYPES = frozenset(
    {
        "application/javascript",
        "application/json",
        "application/xml",
        "application/xhtml+xml",
        "image/svg+xml",
    }
)


def compressible(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return (
        media_type.startswith("text/")
        or media_type in _TEXT_TYPES
        or media_type.endswith(("+json", "+xml"))
    )


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its random padding against BREACH-style length attacks), for
    text answers only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
