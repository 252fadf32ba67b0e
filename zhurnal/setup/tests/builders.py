"""Counting rows of every set-up table, so that a test can say "nothing was written"."""

from __future__ import annotations

from zhurnal.audit.models import AuditEvent
from zhurnal.people.models import RoleAssignment, StaffMember, SubgroupMember
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    Holiday,
    Subgroup,
    Subject,
    Term,
)
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment, Timetable, TimetableEntry

MODELS = (
    AcademicYear,
    Term,
    Holiday,
    ClassGroup,
    Subgroup,
    SubgroupMember,
    Subject,
    CurriculumEntry,
    StaffMember,
    RoleAssignment,
    TeachingAssignment,
    Period,
    Timetable,
    TimetableEntry,
    Lesson,
    AuditEvent,
)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}
