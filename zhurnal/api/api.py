"""The JSON API: one NinjaAPI, token-authenticated, with structured errors.

Endpoints are thin: they fetch objects through the apps' access functions, read through
selectors and write through services, exactly as the pages do."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestValidationError

from zhurnal.api.auth import RateLimited, TokenAuth
from zhurnal.api.diary import router as diary_router
from zhurnal.api.journal import router as journal_router
from zhurnal.api.me import router as me_router

api = NinjaAPI(
    title="Zhurnal API",
    version="1",
    description="The e-diary and the class journal for programs: see docs/api.md.",
    urls_namespace="api",
    auth=TokenAuth(),
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
        _("Too many requests with this token: try again in %(seconds)s seconds.")
        % {"seconds": exc.retry_after},
        429,
        retry_after=exc.retry_after,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


api.add_router("v1/", me_router)
api.add_router("v1/", diary_router)
api.add_router("v1/", journal_router)
