"""Who may read and write which journal. Missing and not-yours are the same 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.people.models import Role, RoleAssignment
from zhurnal.timetable.models import Lesson, TeachingAssignment

# Staff who read every journal of their school; they do not write marks.
JOURNAL_CONTROLLERS = (Role.DIRECTOR, Role.DEPUTY)
JOURNAL_READERS = (*JOURNAL_CONTROLLERS, Role.SCHOOL_ADMIN)


def _reader_filter(user: User, prefix: str) -> Q:
    school_ids = RoleAssignment.objects.filter(user=user, role__in=JOURNAL_READERS).values(
        "school_id"
    )
    return (
        Q(**{f"{prefix}teacher": user})
        | Q(**{f"{prefix}class_group__class_teacher": user})
        | Q(**{f"{prefix}year__school_id__in": school_ids})
    )


def assignments_readable_by(user: User) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(_reader_filter(user, ""))


def assignment_for_user(
    user: User, assignment_id: int, *, write: bool = False
) -> TeachingAssignment:
    """A teaching assignment's journal: written only by its teacher; read also by the class
    teacher and the school's director, deputies and administrator."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    queryset = TeachingAssignment.objects.filter(pk=assignment_id)
    queryset = queryset.filter(teacher=user) if write else queryset.filter(_reader_filter(user, ""))
    assignment = queryset.select_related(
        "subject", "class_group", "subgroup", "teacher", "year__school__municipality"
    ).first()
    if assignment is None:
        raise Http404(_("Not found"))
    return assignment


def lesson_for_user(user: User, lesson_id: int, *, write: bool = False) -> Lesson:
    """A lesson: written by the assignment's teacher or the lesson's substitute; read also
    by the class teacher and the school's director, deputies and administrator."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    queryset = Lesson.objects.filter(pk=lesson_id)
    writers = Q(assignment__teacher=user) | Q(substitute=user)
    if write:
        queryset = queryset.filter(writers)
    else:
        queryset = queryset.filter(writers | _reader_filter(user, "assignment__"))
    lesson = (
        queryset.select_related(
            "period",
            "substitute",
            "assignment__subject",
            "assignment__class_group",
            "assignment__subgroup",
            "assignment__teacher",
            "assignment__year__school__municipality",
        )
        .distinct()
        .first()
    )
    if lesson is None:
        raise Http404(_("Not found"))
    return lesson


def can_write_lesson(user: User, lesson: Lesson) -> bool:
    return lesson.assignment.teacher_id == user.pk or lesson.substitute_id == user.pk


def is_journal_controller(user: User, school_id: int) -> bool:
    return RoleAssignment.objects.filter(
        user=user, school_id=school_id, role__in=JOURNAL_CONTROLLERS
    ).exists()
