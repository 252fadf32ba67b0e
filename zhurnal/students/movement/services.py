"""Student movement: transfer to another class or another school of the community,
leaving the school, and the year-end promotion of every class.

A movement never rewrites history: the current enrollment ends (the day before the
movement's date) and a new one starts, so marks, attendance and remarks stay on the
lessons where they were recorded, and the old class's journals keep showing them for
the dates the student was there. Subgroup memberships of the old class are kept for
the same reason: every reader intersects them with the enrollment's dates (an ended
enrollment ends the membership), while deleting them would hide the marks already
recorded in the group's journal and the student's diary.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record
from zhurnal.core.formats import date_ua
from zhurnal.people.models import Enrollment, LeaveReason, StaffMember
from zhurnal.people.services import enrollment_create, enrollment_end
from zhurnal.schools.models import AcademicYear, ClassGroup, School
from zhurnal.schools.services import class_group_create, ensure_class_open
from zhurnal.students.movement.selectors import PromotionPlan, promotion_plan

# The reasons an administrator picks on the leaving form; the others are written by the
# transfer and promotion services themselves.
LEAVING_REASONS = (
    LeaveReason.OUTSIDE,
    LeaveReason.ABROAD,
    LeaveReason.EDUCATION_FORM,
    LeaveReason.OTHER,
)


def date_iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _school_of(class_group: ClassGroup) -> School:
    return class_group.year.school


def _check_movement_date(enrollment: Enrollment, on: dt.date, year: AcademicYear) -> None:
    """The date falls within the year, after the current enrollment began, and the
    enrollment is still running."""
    if enrollment.ends_on is not None:
        raise ValidationError(
            _("%(student)s no longer studies in %(class)s.")
            % {"student": enrollment.student.full_name, "class": enrollment.class_group}
        )
    if not year.starts_on <= on <= year.ends_on:
        raise ValidationError(
            {
                "on": _("Choose a date within the academic year %(year)s (%(start)s – %(end)s).")
                % {
                    "year": year.name,
                    "start": date_ua(year.starts_on),
                    "end": date_ua(year.ends_on),
                }
            }
        )
    if on <= enrollment.starts_on:
        raise ValidationError(
            {
                "on": _("The date must be after the start of the current enrollment (%(date)s).")
                % {"date": date_ua(enrollment.starts_on)}
            }
        )


def _check_order(order: str) -> str:
    order = order.strip()
    if not order:
        raise ValidationError({"order": _("Give the number of the order.")})
    return order


def student_transfer_class(
    *, actor: User, enrollment: Enrollment, target: ClassGroup, on: dt.date, order: str
) -> Enrollment:
    """Move a student to another class of the same school and year from `on`: the current
    enrollment ends the day before, a new one starts in `target`. Returns the new one."""
    source = enrollment.class_group
    year = source.year
    ensure_class_open(source)
    order = _check_order(order)
    if target.pk == source.pk:
        raise ValidationError(
            {
                "target": _("%(student)s already studies in %(class)s.")
                % {"student": enrollment.student.full_name, "class": source}
            }
        )
    if target.year_id != source.year_id:
        raise ValidationError(
            {
                "target": _("Choose a class of this school in the academic year %(year)s.")
                % {"year": year.name}
            }
        )
    ensure_class_open(target)
    _check_movement_date(enrollment, on, year)
    return _move(
        actor=actor,
        enrollment=enrollment,
        target=target,
        on=on,
        order=order,
        reason=LeaveReason.CLASS_TRANSFER,
    )


def student_transfer_school(
    *, actor: User, enrollment: Enrollment, target: ClassGroup, on: dt.date, order: str
) -> Enrollment:
    """Move a student to a class of another school of the same community from `on`. The
    student record (and with it marks, attendance and family links) is the community's, so
    it follows; each school's audit log records its half of the move."""
    source = enrollment.class_group
    year = source.year
    ensure_class_open(source)
    order = _check_order(order)
    target_school = _school_of(target)
    if target_school.pk == year.school_id:
        return student_transfer_class(
            actor=actor, enrollment=enrollment, target=target, on=on, order=order
        )
    if (
        target_school.municipality_id != _school_of(source).municipality_id
        or target_school.municipality_id != enrollment.student.municipality_id
    ):
        raise ValidationError({"target": _("Choose a school of the same community.")})
    ensure_class_open(target)
    _check_movement_date(enrollment, on, year)
    if not target.year.starts_on <= on <= target.year.ends_on:
        raise ValidationError(
            {
                "on": _("%(school)s has the academic year %(year)s from %(start)s to %(end)s.")
                % {
                    "school": target_school,
                    "year": target.year.name,
                    "start": date_ua(target.year.starts_on),
                    "end": date_ua(target.year.ends_on),
                }
            }
        )
    return _move(
        actor=actor,
        enrollment=enrollment,
        target=target,
        on=on,
        order=order,
        reason=LeaveReason.SCHOOL_TRANSFER,
    )


def _move(
    *,
    actor: User,
    enrollment: Enrollment,
    target: ClassGroup,
    on: dt.date,
    order: str,
    reason: str,
) -> Enrollment:
    """End the enrollment the day before `on` and enroll in `target` from `on`, as one
    write: the old journals keep what was recorded up to then."""
    with transaction.atomic():
        enrollment_end(
            actor=actor,
            enrollment=enrollment,
            ends_on=on - dt.timedelta(days=1),
            order_out=order,
            leave_reason=reason,
        )
        return enrollment_create(
            actor=actor,
            student=enrollment.student,
            class_group=target,
            starts_on=on,
            order_in=order,
        )


def student_leave(
    *,
    actor: User,
    enrollment: Enrollment,
    on: dt.date,
    order: str,
    reason: str,
    note: str = "",
) -> Enrollment:
    """The student leaves the school (вибув) from `on`: the enrollment ends the day before,
    with the order, the reason and, for "other", a note."""
    year = enrollment.class_group.year
    ensure_class_open(enrollment.class_group)
    order = _check_order(order)
    note = note.strip()
    if reason not in LEAVING_REASONS:
        raise ValidationError({"reason": _("Choose why the student leaves.")})
    if reason == LeaveReason.OTHER and not note:
        raise ValidationError({"note": _("Say why the student leaves.")})
    _check_movement_date(enrollment, on, year)
    with transaction.atomic():
        return enrollment_end(
            actor=actor,
            enrollment=enrollment,
            ends_on=on - dt.timedelta(days=1),
            order_out=order,
            leave_reason=reason,
            leave_note=note,
        )


# --- the year-end promotion -------------------------------------------------------------


def _ensure_classes_open(
    plan: PromotionPlan, *, year: AcademicYear, next_year: AcademicYear
) -> None:
    """The classes whose rolls the promotion changes must be open: the ones students leave
    and the existing ones they join (a class whose year the director closed is read-only)."""
    for row in plan.moving_rows():
        source = row.source
        source.year = year  # loaded already: no query for it
        ensure_class_open(source)
        target = None if row.graduates else plan.existing_targets.get(row.target_key)
        if target is not None:
            target.year = next_year
            ensure_class_open(target)


@dataclass(frozen=True)
class PromotionResult:
    classes_created: int
    promoted: int
    kept_back: int
    graduated: int
    already_done: int
    seconds: float

    @property
    def changed(self) -> int:
        return self.classes_created + self.promoted + self.kept_back + self.graduated


def year_promote(
    *,
    actor: User,
    year: AcademicYear,
    next_year: AcademicYear,
    kept_back: Iterable[int] = (),
) -> PromotionResult:
    """Move every class of `year` up a grade into `next_year` (5-А → 6-А, keeping the class
    teacher), enroll every student still enrolled at the end of `year` from the first day
    of `next_year`, and graduate the school's top grade on the last day of `year`. Students
    in `kept_back` repeat their grade. One transaction; running it again changes only what
    is not yet done (a student already enrolled in `next_year` is left alone)."""
    started = time.perf_counter()
    school = year.school
    if next_year.school_id != school.pk or next_year.starts_on <= year.ends_on:
        raise ValidationError(_("The next academic year must follow this one in the same school."))
    if year.closed_at is not None:
        raise ValidationError(
            _("The academic year %(year)s is closed: its data can only be read.")
            % {"year": year.name}
        )
    if next_year.closed_at is not None:
        raise ValidationError(
            _("The academic year %(year)s is closed: its data can only be read.")
            % {"year": next_year.name}
        )
    with transaction.atomic():
        # Two administrators pressing the button at once run one after the other.
        AcademicYear.objects.select_for_update().filter(pk=next_year.pk).first()
        plan: PromotionPlan = promotion_plan(year=year, next_year=next_year, kept_back=kept_back)
        _ensure_classes_open(plan, year=year, next_year=next_year)

        active_staff = set(
            StaffMember.objects.filter(school=school, is_active=True).values_list(
                "user_id", flat=True
            )
        )
        targets: dict[tuple[int, str], ClassGroup] = dict(plan.existing_targets)
        classes_created = 0
        for (grade, letter), teacher_id in plan.missing_targets.items():
            teacher = User(pk=teacher_id) if teacher_id in active_staff else None
            targets[(grade, letter)] = class_group_create(
                actor=actor, year=next_year, grade=grade, letter=letter, class_teacher=teacher
            )
            classes_created += 1

        # Per source class: the enrollments that end, and the new ones.
        ended: dict[int, list[tuple[dict[str, object], Enrollment]]] = defaultdict(list)
        created: dict[int, list[Enrollment]] = defaultdict(list)
        promoted = kept = graduated = 0
        for row in plan.moving_rows():
            enrollment = row.enrollment
            if row.graduates:
                reason = LeaveReason.GRADUATED
                graduated += 1
            elif row.kept_back:
                reason = LeaveReason.REPEATS
                kept += 1
            else:
                reason = LeaveReason.PROMOTED
                promoted += 1
            if enrollment.ends_on is None or enrollment.ends_on > year.ends_on:
                before: dict[str, object] = {
                    "id": enrollment.pk,
                    "ends_on": date_iso(enrollment.ends_on),
                }
                enrollment.ends_on = year.ends_on
                enrollment.leave_reason = reason
                ended[row.source.pk].append((before, enrollment))
            if not row.graduates:
                created[row.source.pk].append(
                    Enrollment(
                        student_id=enrollment.student_id,
                        class_group=targets[row.target_key],
                        starts_on=next_year.starts_on,
                    )
                )
        # A few UPDATEs per class rather than bulk_update's CASE per row.
        ended_at = timezone.now()
        for rows in ended.values():
            by_reason: dict[str, list[int]] = defaultdict(list)
            for _before, enrollment in rows:
                by_reason[enrollment.leave_reason].append(enrollment.pk)
            for reason_code, ids in by_reason.items():
                Enrollment.objects.filter(pk__in=ids).update(
                    ends_on=year.ends_on, leave_reason=reason_code, updated_at=ended_at
                )
        # PostgreSQL and SQLite (3.35+) return the new keys, which the audit events name.
        Enrollment.objects.bulk_create([e for rows in created.values() for e in rows])
        # One audit event per class names every enrollment it ended and created: an
        # event per enrollment would make the promotion of a big school take a minute.
        for source in (item.source for item in plan.classes):
            if not ended[source.pk] and not created[source.pk]:
                continue
            audit_record(
                actor=actor,
                action="enrollment.promote",
                obj=source,
                before={"enrollments": [before for before, _e in ended[source.pk]]},
                after={
                    "ended": [
                        {
                            "id": e.pk,
                            "student_id": e.student_id,
                            "ends_on": date_iso(e.ends_on),
                            "leave_reason": e.leave_reason,
                        }
                        for _before, e in ended[source.pk]
                    ],
                    "created": [
                        {
                            "id": e.pk,
                            "student_id": e.student_id,
                            "class_group_id": e.class_group_id,
                            "starts_on": date_iso(e.starts_on),
                        }
                        for e in created[source.pk]
                    ],
                },
                school_id=school.pk,
            )
        result = PromotionResult(
            classes_created=classes_created,
            promoted=promoted,
            kept_back=kept,
            graduated=graduated,
            already_done=plan.already_done,
            seconds=0.0,
        )
        if result.changed:
            audit_record(
                actor=actor,
                action="year.promote",
                obj=next_year,
                before={"year": year.pk},
                after={
                    "year": next_year.pk,
                    "classes_created": classes_created,
                    "promoted": promoted,
                    "kept_back": kept,
                    "graduated": graduated,
                    "kept_back_students": sorted(row.student_id for row in plan.kept_rows()),
                },
                school_id=school.pk,
            )
    return PromotionResult(
        classes_created=classes_created,
        promoted=promoted,
        kept_back=kept,
        graduated=graduated,
        already_done=plan.already_done,
        seconds=time.perf_counter() - started,
    )
