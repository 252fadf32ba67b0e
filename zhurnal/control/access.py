"""Who may reach the school's control of journal keeping.

The school's director and deputy directors (the journal controllers) reach its control
pages: `school_for_controller` is the check, and every object a page then names by id is
fetched through an `*_of_school` function below, inside that school. A teacher reaches
only the remarks written to them (`remark_for_teacher`). Missing and not-yours are the
same 404 everywhere.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.control.corrections.selectors import CORRECTION_RELATED
from zhurnal.control.models import JournalRemark, Report
from zhurnal.control.remarks.selectors import REMARK_RELATED, remarks_of_school
from zhurnal.control.weekly.selectors import weekly_reports_of_school
from zhurnal.journal.access import JOURNAL_CONTROLLERS
from zhurnal.journal.models import Correction, TermLock
from zhurnal.people.access import school_for_user
from zhurnal.schools.models import School
from zhurnal.timetable.models import Lesson, TeachingAssignment

M = TypeVar("M", bound=Model)


def _one(queryset: QuerySet[M]) -> M:
    found = queryset.first()
    if found is None:
        raise Http404(_("Not found"))
    return found


def school_for_controller(user: User, school_id: int) -> School:
    """The school if the user is its director or a deputy director, else 404."""
    return school_for_user(user, school_id, roles=JOURNAL_CONTROLLERS)


def teacher_of_school(school: School, teacher_id: int) -> User:
    """A teacher with a teaching assignment at the school, else 404."""
    return _one(
        User.objects.filter(pk=teacher_id, teaching_assignments__year__school=school).distinct()
    )


def assignment_of_school(school: School, assignment_id: int) -> TeachingAssignment:
    """A teaching assignment of the school, else 404."""
    return _one(
        TeachingAssignment.objects.filter(pk=assignment_id, year__school=school).select_related(
            "teacher", "subject", "class_group", "subgroup", "year__school__municipality"
        )
    )


def lesson_of_school(school: School, lesson_id: int) -> Lesson:
    """A lesson of the school, else 404."""
    return _one(
        Lesson.objects.filter(pk=lesson_id, assignment__year__school=school).select_related(
            "period"
        )
    )


def remark_of_school(school: School, remark_id: int) -> JournalRemark:
    """A remark on journal keeping written at the school, else 404."""
    return _one(
        remarks_of_school(school)
        .select_related("assignment__year__school__municipality")
        .filter(pk=remark_id)
    )


def remark_for_teacher(user: User, remark_id: int) -> JournalRemark:
    """A remark for the teacher it was written to, else 404."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    return _one(
        JournalRemark.objects.filter(pk=remark_id, teacher=user).select_related(
            *REMARK_RELATED, "assignment__year__school__municipality"
        )
    )


def weekly_report_of_school(school: School, report_id: int) -> Report:
    """One of the school's kept weekly reports, else 404."""
    return _one(weekly_reports_of_school(school).filter(pk=report_id))


def correction_of_school(school: School, correction_id: int) -> Correction:
    """A correction in the school's journals (to decide it), else 404."""
    return _one(
        Correction.objects.filter(pk=correction_id, assignment__year__school=school).select_related(
            "assignment__year", *CORRECTION_RELATED
        )
    )


def lock_of_school(school: School, lock_id: int) -> TermLock:
    """A term lock of the school (to lift it), else 404."""
    return _one(
        TermLock.objects.filter(pk=lock_id, term__year__school=school).select_related(
            "term__year", "class_group", "subject"
        )
    )
