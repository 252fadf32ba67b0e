"""What the site header shows to whom, without a query."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

# Roles that read the journal of a child and never use the API, the school's tools etc.
FAMILY_ROLES = frozenset({"guardian", "student"})
# The privacy middleware's session marker of a login that is not a family's.
NOT_FAMILY = "staff"


@register.simple_tag(takes_context=True)
def shows_staff_links(context: dict[str, Any]) -> bool:
    """Whether the header offers the links only staff use (the API tokens): by the active
    role; before one is chosen, by whether the login belongs to a family at all."""
    active = str(context.get("active_role") or "")
    if active:
        return active.split(":", 1)[0] not in FAMILY_ROLES
    request = context.get("request")
    session = getattr(request, "session", None)
    if session is None:
        return False
    marker = session.get("zhurnal_privacy")
    return marker is None or marker == NOT_FAMILY
