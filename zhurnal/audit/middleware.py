from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zhurnal.audit.context import audit_context
from zhurnal.core.clientip import client_address


class AuditContextMiddleware:
    """Makes the client's address available to every audit event of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request)  # behind ZHURNAL_TRUSTED_PROXIES: the client's
        with audit_context(address=address[:64], role=request.session.get("active_role", "")):
            return self.get_response(request)
