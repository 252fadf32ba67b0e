"""Template tags of the control of journal keeping: the teacher's open remarks on their
home page."""

from __future__ import annotations

from typing import Any

from django import template

from zhurnal.control.remarks.selectors import open_remarks_of_teacher

register = template.Library()


@register.inclusion_tag("control/remarks/open_list.html", takes_context=True)
def open_journal_remarks(context: template.Context) -> dict[str, Any]:
    """The open remarks written to the signed-in teacher, each with «Put right» (one
    query; nothing at all when there are none)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    remarks = open_remarks_of_teacher(user) if user is not None and user.is_authenticated else []
    return {
        "remarks": remarks,
        "back": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
