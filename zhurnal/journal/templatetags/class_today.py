"""Template tags of the journal for pages of lower layers: the class teacher's home
(people) shows today's absences without importing the journal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from zhurnal.journal.classteacher.today import class_today
from zhurnal.schools.models import ClassGroup

register = template.Library()


@register.inclusion_tag("journal/classteacher/today.html")
def class_absences_today(class_group: ClassGroup, today: dt.date) -> dict[str, Any]:
    """Today's absences in the class and the absences waiting to be excused."""
    return {
        "class_group": class_group,
        "today": today,
        "summary": class_today(class_group=class_group, today=today),
    }
