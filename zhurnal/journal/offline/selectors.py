"""What a teacher's browser keeps for offline use: the pages of this week's work."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from zhurnal.accounts.models import User
from zhurnal.core.timeutil import local_today
from zhurnal.timetable.models import Lesson


def offline_pages(user: User, *, today: dt.date | None = None) -> list[str]:
    """The addresses the browser stores for offline use: the teacher's day, the pages of
    this week's lessons (Monday to Sunday) the user writes in — as the assignment's teacher
    or as the substitute — and the grids of the teacher's own assignments among them.
    One query whatever the number of lessons."""
    today = today or local_today()
    monday = today - dt.timedelta(days=today.weekday())
    lessons = (
        Lesson.objects.filter(date__gte=monday, date__lte=monday + dt.timedelta(days=6))
        .filter(Q(assignment__teacher=user) | Q(substitute=user))
        .filter(is_cancelled=False)
        .order_by("date", "period__number", "pk")
        .values_list("pk", "assignment_id", "assignment__teacher_id")
    )
    pages = [reverse("timetable:teacher_home")]
    grids: list[str] = []
    for lesson_id, assignment_id, teacher_id in lessons:
        pages.append(reverse("journal:lesson", args=[lesson_id]))
        grid = reverse("journal:grid", args=[assignment_id])
        if teacher_id == user.pk and grid not in grids:
            grids.append(grid)
    return pages + grids
