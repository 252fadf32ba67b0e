"""The secret parts of token links (calendar feed, unsubscribe, password reset) are cut out
of every log: gunicorn's access log (zhurnal/core/serving.py) and Django's own request log
("Not Found: /calendar/<token>.ics"), through the filter in LOGGING."""

from __future__ import annotations

import logging
import re

_SECRET_PATHS = [
    (re.compile(r"^/calendar/[^/]+\.ics$"), "/calendar/….ics"),
    (re.compile(r"^/notifications/unsubscribe/[^/]+/"), "/notifications/unsubscribe/…/"),
    (re.compile(r"^/password/reset/[^/]+/[^/]+/$"), "/password/reset/…/"),
]


def redact_path(path: str) -> str:
    for pattern, replacement in _SECRET_PATHS:
        if pattern.match(path):
            return pattern.sub(replacement, path)
    return path


class RedactSecretPaths(logging.Filter):
    """A path among a log record's arguments loses its secret part."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True
