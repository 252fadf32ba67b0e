"""Who may reach the class teacher's pages of a class: its class teacher, and the
school's director, deputy directors and administrator (read). Everyone else: 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.journal.access import is_journal_controller
from zhurnal.journal.models import AbsenceExcuse
from zhurnal.people.access import class_group_for_user
from zhurnal.schools.models import ClassGroup


def class_for_class_teacher_pages(user: User, class_group_id: int) -> ClassGroup:
    """The class for its class teacher or the school's administration, else 404."""
    return class_group_for_user(user, class_group_id, manage=True)


def can_excuse_absences(user: User, class_group: ClassGroup) -> bool:
    """The class teacher, the director and the deputy directors excuse absences; the
    school administrator only reads."""
    if class_group.year.closed_at is not None:
        return False
    return class_group.class_teacher_id == user.pk or is_journal_controller(
        user, class_group.year.school_id
    )


def excuse_for_user(user: User, class_group_id: int, excuse_id: int) -> AbsenceExcuse:
    """An excuse of a class the user may read (for its document), else 404."""
    class_group = class_for_class_teacher_pages(user, class_group_id)
    excuse = (
        AbsenceExcuse.objects.filter(pk=excuse_id, class_group=class_group)
        .select_related("student")
        .first()
    )
    if excuse is None:
        raise Http404(_("Not found"))
    return excuse
