"""The JSON API: one NinjaAPI, token-authenticated, with structured errors.

Endpoints are thin: they fetch objects through the apps' access functions, read through
selectors and write through services, exactly as the pages do."""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from zhurnal.api.auth import RateLimited, TokenAuth
from zhurnal.api.diary import router as diary_router
from zhurnal.api.journal import router as journal_router
from zhurnal.api.me import router as me_router
from zhurnal.core.unavailable import is_database_unavailable, unavailable_response

logger = logging.getLogger(__name__)


def _is_json(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    return content_type == "application/json" or content_type.endswith("+json")


class JsonBodyParser(Parser):
    """Bodies are JSON, said so in Content-Type and decoded as UTF-8; anything else is
    refused (ninja turns the refusal into an HttpError 400, answered in our shape below)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if not _is_json(request):
            raise ValueError("not application/json")
        return cast(DictStrAny, json.loads(request.body.decode("utf-8")))


api = NinjaAPI(
    title="Zhurnal API",
    version="1",
    description="The e-diary and the class journal for programs: see docs/api.md.",
    urls_namespace="api",
    auth=TokenAuth(),
    parser=JsonBodyParser(),
)


def error(
    request: HttpRequest, code: str, message: str, status: int, **details: Any
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details}, status=status
    )


@api.exception_handler(ValidationError)
def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages = [str(message) for message in exc.messages]
    return error(request, "invalid", " ".join(messages), 400, messages=messages)


@api.exception_handler(RequestValidationError)
def _malformed(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in item.get("loc", ())],
            "msg": str(item.get("msg", "")),
            "type": str(item.get("type", "")),
        }
        for item in exc.errors
    ]
    return error(
        request,
        "invalid_request",
        _("The request does not match the API description."),
        422,
        errors=errors,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, "not_found", _("Not found"), 404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, "forbidden", str(exc) or _("You cannot do this."), 403)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(
        request,
        "unauthorized",
        _("A valid API token is needed: send the header «Authorization: Bearer <token>»."),
        401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = error(
        request,
        "rate_limited",
        exc.message
        or _("Too many requests with this token: try again in %(seconds)s seconds.")
        % {"seconds": exc.retry_after},
        429,
        retry_after=exc.retry_after,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja's own refusals (a body it cannot parse, …) in the documented shape, not its
    # {"detail": …}.
    if exc.status_code == 400 and request.body and not _is_json(request):
        return error(
            request,
            "unsupported_media_type",
            _("Send the request body as JSON with the header «Content-Type: application/json»."),
            415,
        )
    if exc.status_code == 400:
        return error(request, "unparsable", _("The request body is not valid JSON."), 400)
    return error(request, "error", str(exc.message), exc.status_code)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_database_unavailable(exc):
        # A restart or failover of the database: the client may retry (503, Retry-After).
        logger.warning("API request: database unavailable: %s %s", request.method, request.path)
        return unavailable_response(request)
    # A fault of ours still answers in the API's shape, never with an HTML page.
    logger.error("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return error(
        request, "server_error", _("Something went wrong on the server; it has been logged."), 500
    )


api.add_router("v1/", me_router)
api.add_router("v1/", diary_router)
api.add_router("v1/", journal_router)
