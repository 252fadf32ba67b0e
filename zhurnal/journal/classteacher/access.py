"""Who may do the class teacher's work of a class. Its pages are read by those who reach
the class (`people.access.class_group_for_user`: its class teacher and the school's
administrator, director and deputies); everyone else gets 404."""

from __future__ import annotations

from django.db.models import Q

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.journal.access import is_journal_controller
from zhurnal.journal.models import AbsenceExcuse
from zhurnal.people.access import SCHOOL_MANAGERS, role_school_ids
from zhurnal.schools.models import ClassGroup


def can_excuse_absences(user: User, class_group: ClassGroup) -> bool:
    """The class teacher, the director and the deputy directors excuse absences; the
    school administrator only reads."""
    if class_group.is_closed:
        return False
    return class_group.class_teacher_id == user.pk or is_journal_controller(
        user, class_group.year.school_id
    )


def excuse_for_user(
    user: User, excuse_id: int, *, within: ClassGroup | None = None
) -> AbsenceExcuse:
    """An excuse of absences (for its document), for those who read its class's pages: the
    class teacher and the school's administrator, director and deputies; else 404."""
    ensure_signed_in(user)
    queryset = AbsenceExcuse.objects.filter(
        Q(class_group__class_teacher=user)
        | Q(class_group__year__school_id__in=role_school_ids(user, SCHOOL_MANAGERS)),
        pk=excuse_id,
    )
    if within is not None:
        queryset = queryset.filter(class_group=within)
    return first_or_404(queryset.select_related("student"))
