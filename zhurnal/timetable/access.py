"""Who may reach which teaching assignment (its journal), lesson, lesson time and timetable.

`<object>_for_user(user, <object>_id, …)` (see docs/permissions.md): `write=True` for the
writers, `roles=` for those who hold a role at the object's school instead (the journal's
control, substitutions, the set-up), `within=` for the object the address names around the
one asked for. Missing and not-yours are the same 404. These live here rather than in the
journal because the substitutions of `timetable` reach lessons too; what is written in a
lesson (marks, files, remarks) is reached through `journal.access`, over the lessons here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.people.access import JOURNAL_READERS, SETUP_ROLES, role_school_ids
from zhurnal.schools.models import AcademicYear, School
from zhurnal.timetable.models import (
    Lesson,
    Period,
    TeacherAbsence,
    TeachingAssignment,
    Timetable,
    TimetableEntry,
)

LESSON_RELATED = (
    "period",
    "substitute",
    "assignment__subject",
    "assignment__class_group",
    "assignment__subgroup",
    "assignment__teacher",
    "assignment__year__school__municipality",
)


def _assignment_reach(
    user: User, *, write: bool, roles: Iterable[str] | None, prefix: str = ""
) -> Q:
    if roles is not None:
        return Q(**{f"{prefix}year__school_id__in": role_school_ids(user, roles)})
    if write:
        return Q(**{f"{prefix}teacher": user})
    return (
        Q(**{f"{prefix}teacher": user})
        | Q(**{f"{prefix}class_group__class_teacher": user})
        | Q(**{f"{prefix}year__school_id__in": role_school_ids(user, JOURNAL_READERS)})
    )


def assignments_for_user(
    user: User, *, write: bool = False, roles: Iterable[str] | None = None
) -> QuerySet[TeachingAssignment]:
    """The teaching assignments whose journals the user reaches: written only by their
    teacher; read also by the class teacher and the school's director, deputies and
    administrator. With `roles`, those of the schools where the user holds one of them
    instead."""
    if not user.is_authenticated:
        return TeachingAssignment.objects.none()
    return TeachingAssignment.objects.filter(_assignment_reach(user, write=write, roles=roles))


def assignment_for_user(
    user: User,
    assignment_id: int,
    *,
    write: bool = False,
    roles: Iterable[str] | None = None,
    within: School | AcademicYear | None = None,
) -> TeachingAssignment:
    """A teaching assignment's journal, for those `assignments_for_user` lets through (with
    `roles`: the journal's control — director and deputies — or the set-up — the
    administrator), else 404."""
    ensure_signed_in(user)
    queryset = assignments_for_user(user, write=write, roles=roles).filter(pk=assignment_id)
    if isinstance(within, School):
        queryset = queryset.filter(year__school=within)
    elif isinstance(within, AcademicYear):
        queryset = queryset.filter(year=within)
    assignment = first_or_404(
        queryset.select_related(
            "subject", "class_group", "subgroup", "teacher", "year__school__municipality"
        )
    )
    if isinstance(within, AcademicYear):
        assignment.year = within
    return assignment


def lessons_for_user(
    user: User, *, write: bool = False, roles: Iterable[str] | None = None
) -> QuerySet[Lesson]:
    """The lessons the user reaches: written (topic, homework, attendance, marks, remarks)
    by the assignment's teacher and the lesson's substitute; read also by the class teacher
    and the school's director, deputies and administrator. With `roles`, those of the
    schools where the user holds one of them instead."""
    if not user.is_authenticated:
        return Lesson.objects.none()
    reach = _assignment_reach(user, write=write, roles=roles, prefix="assignment__")
    if roles is None:
        reach |= Q(substitute=user)
    return Lesson.objects.filter(reach)


def lesson_for_user(
    user: User,
    lesson_id: int,
    *,
    write: bool = False,
    roles: Iterable[str] | None = None,
    within: School | None = None,
) -> Lesson:
    """A lesson, for those `lessons_for_user` lets through (with `roles`: substitutions and
    lessons not held — director and deputies —, remarks on journal keeping), else 404."""
    ensure_signed_in(user)
    queryset = lessons_for_user(user, write=write, roles=roles).filter(pk=lesson_id)
    if within is not None:
        queryset = queryset.filter(assignment__year__school=within)
    return first_or_404(queryset.select_related(*LESSON_RELATED).distinct())


def can_write_lesson(user: User, lesson: Lesson) -> bool:
    """Whether the user writes the lesson (its teacher or its substitute)."""
    return lesson.assignment.teacher_id == user.pk or lesson.substitute_id == user.pk


# --- the set-up of a year: its school administrator's ---------------------------------------


def period_for_user(user: User, period_id: int, *, within: AcademicYear | None = None) -> Period:
    """A lesson time of a year's bell schedule, for the administrator of its school (the
    set-up), else 404."""
    ensure_signed_in(user)
    queryset = Period.objects.filter(
        pk=period_id, year__school_id__in=role_school_ids(user, SETUP_ROLES)
    )
    if within is not None:
        queryset = queryset.filter(year=within)
    period = first_or_404(queryset)
    if within is not None:
        period.year = within
    return period


def timetable_for_user(
    user: User, timetable_id: int, *, within: AcademicYear | None = None
) -> Timetable:
    """A timetable of a year, for the administrator of its school (the set-up), else 404."""
    ensure_signed_in(user)
    queryset = Timetable.objects.filter(
        pk=timetable_id, year__school_id__in=role_school_ids(user, SETUP_ROLES)
    )
    if within is not None:
        queryset = queryset.filter(year=within)
    timetable = first_or_404(queryset)
    if within is not None:
        timetable.year = within
    return timetable


def timetable_entry_for_user(
    user: User, entry_id: int, *, within: Timetable | None = None
) -> TimetableEntry:
    """A lesson of a timetable's week, for the administrator of its school (the set-up),
    else 404."""
    ensure_signed_in(user)
    queryset = TimetableEntry.objects.filter(
        pk=entry_id, timetable__year__school_id__in=role_school_ids(user, SETUP_ROLES)
    )
    if within is not None:
        queryset = queryset.filter(timetable=within)
    entry = first_or_404(queryset.select_related("assignment"))
    if within is not None:
        entry.timetable = within
    return entry


def absence_for_user(
    user: User, absence_id: int, *, roles: Iterable[str], within: School
) -> TeacherAbsence:
    """A teacher's absence recorded at `within`, for those holding one of `roles` there
    (the deputy director and director, who arrange substitutions), else 404."""
    ensure_signed_in(user)
    return first_or_404(
        TeacherAbsence.objects.filter(
            pk=absence_id, school=within, school_id__in=role_school_ids(user, roles)
        ).select_related("school", "teacher")
    )
