"""When the database does not answer (a restart, a failover, a lost connection): 503 with
Retry-After, a page or an API answer that says so — not a 500 with a traceback. Nothing
here touches the database: the page is drawn without context processors or the session."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _(
        "The journal is unavailable for a few seconds: its database does not answer. "
        "Try again shortly — nothing saved before is lost."
    )
    if request.path.startswith("/api/"):
        body: Any = {"code": "unavailable", "message": message, "details": {}}
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False), status=503, content_type="application/json"
        )
    else:
        response = HttpResponse(
            render_to_string("errors/unavailable.html", {"message": message}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database is 503 (the client may retry), anything else Django's 500.
    Django calls this while handling the exception, so sys.exc_info() names it."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
        return unavailable_response(request)
    return defaults.server_error(request)
