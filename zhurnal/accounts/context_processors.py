from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhurnal.people.access import user_grants


def roles(request: HttpRequest) -> dict[str, Any]:
    """The roles of the logged-in user, for the role switcher in the header (lazy)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    cache: dict[str, Any] = {}

    def grants() -> Any:
        if "grants" not in cache:
            cache["grants"] = user_grants(user)
        return cache["grants"]

    return {"role_grants": grants, "active_role": request.session.get("active_role", "")}
