"""Whether a page carries the offline journal (docs/offline.md), without a query."""

from __future__ import annotations

from typing import Any

from django import template

from zhurnal.people.models import DerivedRole, Role

register = template.Library()

# The roles whose holders write lessons (a director or deputy may teach too); the
# department, the administrator, the medical worker and the families never do.
WRITERS = frozenset({Role.TEACHER, Role.DEPUTY, Role.DIRECTOR, DerivedRole.CLASS_TEACHER})


@register.simple_tag(takes_context=True)
def keeps_journal_offline(context: dict[str, Any]) -> bool:
    """Whether the page registers the service worker and keeps entries made offline: for
    a signed-in user whose active role writes lessons."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    active = str(context.get("active_role") or "")
    return active.split(":", 1)[0] in WRITERS
