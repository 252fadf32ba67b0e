"""Who may reach what is written in a lesson (marks, homework files, remarks about a
student) and the grading rules of the set-up. `<object>_for_user(user, <object>_id, …)`
(see docs/permissions.md): `write=True` for the writers, `within=` for the object the
address names around the one asked for. What is written in a lesson is reached by those
who reach the lesson (`timetable.access.lessons_for_user`); missing and not-yours are the
same 404."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404, not_found
from zhurnal.journal.models import HomeworkFile, Mark, ScaleRule, StudentRemark
from zhurnal.people.access import JOURNAL_CONTROLLERS, SETUP_ROLES, role_school_ids
from zhurnal.people.models import Enrollment, RoleAssignment, Student, SubgroupMember
from zhurnal.schools.models import School
from zhurnal.timetable.access import LESSON_RELATED, lessons_for_user
from zhurnal.timetable.models import Lesson


def is_journal_controller(user: User, school_id: int) -> bool:
    """Whether the user is the school's director or a deputy director."""
    return RoleAssignment.objects.filter(
        user=user, school_id=school_id, role__in=JOURNAL_CONTROLLERS
    ).exists()


def mark_for_user(
    user: User, mark_id: int, *, write: bool = False, within: Lesson | None = None
) -> Mark:
    """A mark given in a lesson, for those who reach the lesson (`lessons_for_user`: its
    writers change it, its readers read it), else 404. Undated marks (term, thematic…) are
    reached through their journal's grid only."""
    ensure_signed_in(user)
    queryset = Mark.objects.filter(pk=mark_id, lesson__in=lessons_for_user(user, write=write))
    if within is not None:
        mark = first_or_404(queryset.filter(lesson=within).select_related("student"))
        mark.lesson = within
    else:
        mark = first_or_404(
            queryset.select_related(
                "student", *(f"lesson__{related}" for related in LESSON_RELATED)
            )
        )
    assert mark.lesson is not None
    mark.assignment = mark.lesson.assignment
    return mark


def _lesson_of_student(student: Student) -> Q:
    """Homework files of the student's own lessons: while enrolled in the lesson's class, of
    the whole class or of a group the student is in, not cancelled (as the diary shows)."""
    enrolled = Enrollment.objects.filter(
        student=student,
        class_group_id=OuterRef("lesson__assignment__class_group_id"),
        starts_on__lte=OuterRef("lesson__date"),
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("lesson__date")))
    in_group = SubgroupMember.objects.filter(
        student=student, subgroup_id=OuterRef("lesson__assignment__subgroup_id")
    )
    return (
        Q(lesson__is_cancelled=False)
        & Exists(enrolled)
        & (Q(lesson__assignment__subgroup__isnull=True) | Exists(in_group))
    )


def homework_file_for_user(
    user: User, file_id: int, *, write: bool = False, within: Lesson | Student
) -> HomeworkFile:
    """A homework file, else 404. Within a lesson: for those who reach the lesson
    (`lessons_for_user`: its writers remove files, its readers download them). Within a
    student: a file of one of the student's own lessons, downloaded by the student and
    their guardians (`student_for_user(scope=FAMILY)`); the family writes none."""
    ensure_signed_in(user)
    queryset = HomeworkFile.objects.filter(pk=file_id)
    if isinstance(within, Lesson):
        attachment = first_or_404(
            queryset.filter(lesson=within, lesson__in=lessons_for_user(user, write=write))
        )
        attachment.lesson = within
        return attachment
    if write:
        raise not_found()
    family = Student.objects.filter(Q(user=user) | Q(guardians__user=user), pk=within.pk)
    return first_or_404(
        queryset.filter(Exists(family), _lesson_of_student(within)).select_related("lesson")
    )


def student_remark_for_user(
    user: User, remark_id: int, *, write: bool = False, within: Lesson | None = None
) -> StudentRemark:
    """A remark about a student written in a lesson, for those who reach the lesson
    (`lessons_for_user`: its writers remove it), else 404."""
    ensure_signed_in(user)
    queryset = StudentRemark.objects.filter(
        pk=remark_id, lesson__in=lessons_for_user(user, write=write)
    )
    if within is not None:
        queryset = queryset.filter(lesson=within)
    remark = first_or_404(queryset.select_related("student"))
    if within is not None:
        remark.lesson = within
    return remark


def scale_rule_for_user(user: User, rule_id: int, *, within: School | None = None) -> ScaleRule:
    """A grading rule of a school, for its administrator (the set-up), else 404."""
    ensure_signed_in(user)
    queryset = ScaleRule.objects.filter(
        pk=rule_id, school_id__in=role_school_ids(user, SETUP_ROLES)
    )
    if within is not None:
        queryset = queryset.filter(school=within)
    return first_or_404(queryset.select_related("subject", "scale"))
