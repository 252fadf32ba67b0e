from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the header needs about roles, without a query: the home page stores how many
    roles the user holds when it dispatches them."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    return {
        "role_count": session.get("role_count", 0),
        "active_role": session.get("active_role", ""),
    }
