"""Writes on teaching assignments, the bell schedule, timetables and lessons.

Each service validates, writes inside one transaction and appends an audit event;
a closed academic year refuses every write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, delete_audited, snapshot
from zhurnal.core.formats import date_ua
from zhurnal.people.access import has_school_role
from zhurnal.people.models import Role, RoleAssignment, StaffMember
from zhurnal.schools.models import AcademicYear, ClassGroup, School, Subgroup, Subject
from zhurnal.schools.services import (
    dates_inside_year,
    delete_in_year,
    ensure_class_open,
    ensure_year_open,
    save_audited,
)
from zhurnal.schools.versions import read_versions_bump, read_versions_bump_where
from zhurnal.timetable.models import (
    Lesson,
    Period,
    TeacherAbsence,
    TeachingAssignment,
    Timetable,
    TimetableEntry,
    Weekday,
)
from zhurnal.timetable.selectors import school_days

# --- teaching assignments -------------------------------------------------------------


def _check_assignment(
    *,
    year: AcademicYear,
    teacher: User,
    subject: Subject,
    class_group: ClassGroup,
    subgroup: Subgroup | None,
    hours_per_week: Decimal,
    assignment: TeachingAssignment | None = None,
) -> None:
    errors: dict[str, str] = {}
    school_id = year.school_id
    is_teacher = (
        RoleAssignment.objects.filter(user=teacher, school_id=school_id, role=Role.TEACHER).exists()
        and StaffMember.objects.filter(user=teacher, school_id=school_id, is_active=True).exists()
    )
    if not is_teacher:
        errors["teacher"] = _("Choose a teacher of this school.")
    if subject.school_id != school_id:
        errors["subject"] = _("Choose a subject of this school.")
    if class_group.year_id != year.pk:
        errors["class_group"] = _("Choose a class of this academic year.")
    if subgroup is not None and (
        subgroup.class_group_id != class_group.pk or subgroup.subject_id != subject.pk
    ):
        errors["subgroup"] = _("The group must belong to this class and subject.")
    if not Decimal(0) < hours_per_week <= Decimal(20):
        errors["hours_per_week"] = _("Weekly hours must be more than 0 and at most 20.")
    duplicates = TeachingAssignment.objects.filter(
        class_group=class_group, subject=subject, subgroup=subgroup
    )
    if assignment is not None:
        duplicates = duplicates.exclude(pk=assignment.pk)
        moved = assignment.class_group_id != class_group.pk or assignment.subject_id != subject.pk
        if moved and assignment.lessons.exists():
            errors["class_group"] = _(
                "Lessons already exist for this assignment: its class and subject stay as they are."
            )
    if duplicates.exists():
        errors["subject"] = _(
            "This subject is already assigned in this class (or group); edit that assignment."
        )
    if errors:
        raise ValidationError(errors)


def assignment_create(
    *,
    actor: User,
    year: AcademicYear,
    teacher: User,
    subject: Subject,
    class_group: ClassGroup,
    hours_per_week: Decimal,
    subgroup: Subgroup | None = None,
) -> TeachingAssignment:
    """Assign a teacher to teach a subject to a class or one of its groups."""
    ensure_year_open(year)
    ensure_class_open(class_group)
    _check_assignment(
        year=year,
        teacher=teacher,
        subject=subject,
        class_group=class_group,
        subgroup=subgroup,
        hours_per_week=hours_per_week,
    )
    with transaction.atomic():
        assignment = TeachingAssignment(
            year=year,
            teacher=teacher,
            subject=subject,
            class_group=class_group,
            subgroup=subgroup,
            hours_per_week=hours_per_week,
        )
        save_audited(
            actor=actor, instance=assignment, action="assignment.create", school_id=year.school_id
        )
    return assignment


def assignment_update(
    *,
    actor: User,
    assignment: TeachingAssignment,
    teacher: User,
    subject: Subject,
    class_group: ClassGroup,
    hours_per_week: Decimal,
    subgroup: Subgroup | None = None,
) -> TeachingAssignment:
    year = assignment.year
    ensure_year_open(year)
    ensure_class_open(assignment.class_group)
    ensure_class_open(class_group)
    _check_assignment(
        year=year,
        teacher=teacher,
        subject=subject,
        class_group=class_group,
        subgroup=subgroup,
        hours_per_week=hours_per_week,
        assignment=assignment,
    )
    with transaction.atomic():
        before = snapshot(assignment)
        # The diary shows the subject and the teacher of each lesson: both classes' diaries.
        old_class_id = assignment.class_group_id
        assignment.teacher, assignment.subject = teacher, subject
        assignment.class_group, assignment.subgroup = class_group, subgroup
        assignment.hours_per_week = hours_per_week
        save_audited(
            actor=actor,
            instance=assignment,
            action="assignment.update",
            school_id=year.school_id,
            before=before,
        )
        read_versions_bump(class_group_ids=[old_class_id, class_group.pk])
    return assignment


def assignment_delete(*, actor: User, assignment: TeachingAssignment) -> None:
    ensure_class_open(assignment.class_group)
    with transaction.atomic():
        delete_in_year(
            actor=actor, instance=assignment, year=assignment.year, action="assignment.delete"
        )
        read_versions_bump(class_group_ids=[assignment.class_group_id])


# --- bell schedule --------------------------------------------------------------------


def _check_period(
    *,
    year: AcademicYear,
    number: int,
    starts_at: dt.time,
    ends_at: dt.time,
    period: Period | None = None,
) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The lesson must end after it starts.")})
    others = [
        other
        for other in Period.objects.filter(year=year)
        if period is None or other.pk != period.pk
    ]
    if any(other.number == number for other in others):
        raise ValidationError(
            {"number": _("The bell schedule already has lesson %(n)s.") % {"n": number}}
        )
    for other in others:
        if other.starts_at < ends_at and starts_at < other.ends_at:
            raise ValidationError(
                {"starts_at": _("The time overlaps lesson %(other)s.") % {"other": other}}
            )
        out_of_order = (other.number < number and other.starts_at > starts_at) or (
            other.number > number and other.starts_at < starts_at
        )
        if out_of_order:
            raise ValidationError(
                {
                    "number": _("Lessons follow in order of their numbers; see lesson %(other)s.")
                    % {"other": other}
                }
            )


def period_create(
    *, actor: User, year: AcademicYear, number: int, starts_at: dt.time, ends_at: dt.time
) -> Period:
    """Add a line to the bell schedule; lessons may not overlap and follow their numbers."""
    ensure_year_open(year)
    _check_period(year=year, number=number, starts_at=starts_at, ends_at=ends_at)
    with transaction.atomic():
        period = Period(year=year, number=number, starts_at=starts_at, ends_at=ends_at)
        save_audited(actor=actor, instance=period, action="period.create", school_id=year.school_id)
    return period


def period_update(
    *, actor: User, period: Period, number: int, starts_at: dt.time, ends_at: dt.time
) -> Period:
    year = period.year
    ensure_year_open(year)
    _check_period(year=year, number=number, starts_at=starts_at, ends_at=ends_at, period=period)
    with transaction.atomic():
        before = snapshot(period)
        period.number, period.starts_at, period.ends_at = number, starts_at, ends_at
        save_audited(
            actor=actor,
            instance=period,
            action="period.update",
            school_id=year.school_id,
            before=before,
        )
        # The diary shows each lesson's time: every class of the year.
        read_versions_bump_where(ClassGroup.objects.filter(year=year))
    return period


def period_delete(*, actor: User, period: Period) -> None:
    with transaction.atomic():
        delete_in_year(actor=actor, instance=period, year=period.year, action="period.delete")
        read_versions_bump_where(ClassGroup.objects.filter(year=period.year))


# --- timetables -----------------------------------------------------------------------


def _check_timetable(
    *,
    year: AcademicYear,
    valid_from: dt.date,
    valid_to: dt.date,
    timetable: Timetable | None = None,
) -> None:
    errors = {
        {"starts_on": "valid_from", "ends_on": "valid_to"}[field]: message
        for field, message in dates_inside_year(year, valid_from, valid_to).items()
    }
    if valid_to < valid_from:
        errors["valid_to"] = _("The end cannot come before the start.")
    others = Timetable.objects.filter(year=year, valid_from__lte=valid_to, valid_to__gte=valid_from)
    if timetable is not None:
        others = others.exclude(pk=timetable.pk)
    other = others.first()
    if other is not None:
        errors["valid_from"] = _(
            "The dates overlap the timetable “%(name)s” (%(start)s–%(end)s); "
            "end it the day before this one starts."
        ) % {"name": other.name, "start": date_ua(other.valid_from), "end": date_ua(other.valid_to)}
    if errors:
        raise ValidationError(errors)


def timetable_create(
    *, actor: User, year: AcademicYear, name: str, valid_from: dt.date, valid_to: dt.date
) -> Timetable:
    """Create a weekly timetable valid for a span of dates (spans do not overlap)."""
    ensure_year_open(year)
    _check_timetable(year=year, valid_from=valid_from, valid_to=valid_to)
    with transaction.atomic():
        timetable = Timetable(
            year=year, name=name.strip(), valid_from=valid_from, valid_to=valid_to
        )
        save_audited(
            actor=actor, instance=timetable, action="timetable.create", school_id=year.school_id
        )
    return timetable


def timetable_update(
    *, actor: User, timetable: Timetable, name: str, valid_from: dt.date, valid_to: dt.date
) -> Timetable:
    year = timetable.year
    ensure_year_open(year)
    _check_timetable(year=year, valid_from=valid_from, valid_to=valid_to, timetable=timetable)
    with transaction.atomic():
        before = snapshot(timetable)
        timetable.name, timetable.valid_from, timetable.valid_to = (
            name.strip(),
            valid_from,
            valid_to,
        )
        save_audited(
            actor=actor,
            instance=timetable,
            action="timetable.update",
            school_id=year.school_id,
            before=before,
        )
    return timetable


def _ensure_no_closed_class(timetable: Timetable) -> None:
    """A timetable holding lessons of a class whose year is closed keeps them: the closed
    class's plan is part of what was archived with it."""
    closed = sorted(
        {
            str(entry.assignment.class_group)
            for entry in TimetableEntry.objects.filter(
                timetable=timetable, assignment__class_group__closed_at__isnull=False
            ).select_related("assignment__class_group")
        }
    )
    if closed:
        raise ValidationError(
            _("The timetable holds lessons of classes whose year is closed: %(classes)s.")
            % {"classes": ", ".join(closed)}
        )


def timetable_delete(*, actor: User, timetable: Timetable) -> None:
    _ensure_no_closed_class(timetable)
    delete_in_year(actor=actor, instance=timetable, year=timetable.year, action="timetable.delete")


def timetable_entry_create(
    *,
    actor: User,
    timetable: Timetable,
    weekday: int,
    period: Period,
    assignment: TeachingAssignment,
    room: str = "",
) -> TimetableEntry:
    """Put a lesson of a teaching assignment into the weekly timetable.

    A teacher is in one place at a time; a class has one whole-class lesson per slot,
    while different groups of the class may share a slot.
    """
    year = timetable.year
    ensure_year_open(year)
    errors: dict[str, str] = {}
    if weekday not in Weekday.values:
        errors["weekday"] = _("Choose a day of the week.")
    if period.year_id != year.pk:
        errors["period"] = _("Choose a lesson of this year's bell schedule.")
    if assignment.year_id != year.pk:
        errors["assignment"] = _("Choose a teaching assignment of this year.")
    if errors:
        raise ValidationError(errors)
    ensure_class_open(assignment.class_group)
    same_slot = TimetableEntry.objects.filter(
        timetable=timetable, weekday=weekday, period=period
    ).select_related("assignment__teacher", "assignment__subject", "assignment__class_group")
    for other in same_slot:
        taken = other.assignment
        if taken.teacher_id == assignment.teacher_id:
            raise ValidationError(
                _("%(teacher)s already teaches %(lesson)s at this time.")
                % {"teacher": taken.teacher.short_name, "lesson": taken}
            )
        same_class = taken.class_group_id == assignment.class_group_id
        whole_class = taken.subgroup_id is None or assignment.subgroup_id is None
        if same_class and (whole_class or taken.subgroup_id == assignment.subgroup_id):
            raise ValidationError(
                _("The class %(class)s already has %(lesson)s at this time.")
                % {"class": taken.class_group, "lesson": taken}
            )
    with transaction.atomic():
        entry = TimetableEntry(
            timetable=timetable,
            weekday=weekday,
            period=period,
            assignment=assignment,
            room=room.strip(),
        )
        save_audited(
            actor=actor, instance=entry, action="timetable_entry.create", school_id=year.school_id
        )
    return entry


def timetable_entry_delete(*, actor: User, entry: TimetableEntry) -> None:
    ensure_class_open(entry.assignment.class_group)
    delete_in_year(
        actor=actor, instance=entry, year=entry.timetable.year, action="timetable_entry.delete"
    )


# --- lessons --------------------------------------------------------------------------


def lessons_materialise(*, actor: User, year: AcademicYear, start: dt.date, end: dt.date) -> int:
    """Create the lessons of [start, end] from the timetable valid on each school day.

    Weekends and holidays are skipped; lessons that already exist are kept as they are,
    so running it again creates nothing new. Returns the number of lessons created.
    """
    ensure_year_open(year)
    if end < start:
        raise ValidationError({"end": _("The end cannot come before the start.")})
    timetables = list(
        Timetable.objects.filter(year=year, valid_from__lte=end, valid_to__gte=start).order_by(
            "-valid_from"
        )
    )
    entries_by_timetable: dict[int, dict[int, list[TimetableEntry]]] = {}
    # A class whose year the director closed gets no more lessons.
    for entry in TimetableEntry.objects.filter(
        timetable__in=timetables, assignment__class_group__closed_at__isnull=True
    ):
        per_day = entries_by_timetable.setdefault(entry.timetable_id, {})
        per_day.setdefault(entry.weekday, []).append(entry)
    days = school_days(year=year, start=start, end=end, holidays=list(year.holidays.all()))
    existing = set(
        Lesson.objects.filter(assignment__year=year, date__gte=start, date__lte=end).values_list(
            "assignment_id", "date", "period_id"
        )
    )
    new_lessons: list[Lesson] = []
    for day in days:
        # With overlapping spans the most recently started timetable wins.
        timetable = next((t for t in timetables if t.valid_from <= day <= t.valid_to), None)
        if timetable is None:
            continue
        for entry in entries_by_timetable.get(timetable.pk, {}).get(day.isoweekday(), []):
            key = (entry.assignment_id, day, entry.period_id)
            if key in existing:
                continue
            existing.add(key)
            new_lessons.append(
                Lesson(
                    assignment_id=entry.assignment_id,
                    date=day,
                    period_id=entry.period_id,
                    timetable_entry=entry,
                    room=entry.room,
                )
            )
    with transaction.atomic():
        Lesson.objects.bulk_create(new_lessons, batch_size=1000, ignore_conflicts=True)
        if new_lessons:
            read_versions_bump_where(
                ClassGroup.objects.filter(
                    assignments__pk__in={lesson.assignment_id for lesson in new_lessons}
                )
            )
        audit_record(
            actor=actor,
            action="lesson.materialise",
            obj=year,
            after={"start": start.isoformat(), "end": end.isoformat(), "created": len(new_lessons)},
            school_id=year.school_id,
        )
    return len(new_lessons)


# --- substitutions and lessons not held -----------------------------------------------

LESSON_CONTROLLERS = (Role.DEPUTY, Role.DIRECTOR)
REASON_MAX_LENGTH = 200


def _lesson_school_id(lesson: Lesson) -> int:
    return lesson.assignment.year.school_id


def _lesson_controller(actor: User, lesson: Lesson) -> None:
    """Only the school's deputy director or director arranges substitutions; a closed
    academic year, or the closed year of the lesson's class, refuses them like every other
    write."""
    if not has_school_role(actor, _lesson_school_id(lesson), LESSON_CONTROLLERS):
        raise PermissionDenied(
            _("Only the school's deputy director or director may arrange substitutions.")
        )
    assignment = lesson.assignment
    class_group = assignment.class_group
    if class_group.year_id == assignment.year_id:
        class_group.year = assignment.year  # loaded already: no query for it
    ensure_class_open(class_group)


def _works_as_teacher(user: User, school_id: int) -> bool:
    return (
        RoleAssignment.objects.filter(user=user, school_id=school_id, role=Role.TEACHER).exists()
        and StaffMember.objects.filter(user=user, school_id=school_id, is_active=True).exists()
    )


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = " ".join(reason.split())
    if required and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("The reason may be at most %(n)d characters long.")
                % {"n": REASON_MAX_LENGTH}
            }
        )
    return reason


def _save_lesson(
    *,
    actor: User,
    lesson: Lesson,
    action: str,
    before: dict[str, Any],
    fields: list[str],
    reason: str = "",
) -> None:
    lesson.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=lesson,
        before=before,
        after=snapshot(lesson),
        reason=reason,
        school_id=_lesson_school_id(lesson),
    )
    # Substitutions and lessons not held show in the diary (after the write: never stale).
    read_versions_bump(class_group_ids=[lesson.assignment.class_group_id])


def lesson_substitute(*, actor: User, lesson: Lesson, substitute: User, reason: str) -> Lesson:
    """Have another teacher of the school give the lesson (заміна), with the reason the
    lesson's own teacher is away. The substitute must be free at that date and lesson
    number: neither their own lesson (unless someone substitutes it) nor another
    substitution. Replaces an earlier substitute of the same lesson."""
    _lesson_controller(actor, lesson)
    reason = _clean_reason(reason, required=False)
    school_id = _lesson_school_id(lesson)
    if lesson.is_cancelled:
        raise ValidationError(
            _("The lesson is marked as not held; undo that before arranging a substitution.")
        )
    if substitute.pk == lesson.assignment.teacher_id:
        raise ValidationError(
            {"substitute": _("A teacher cannot substitute their own lesson; choose someone else.")}
        )
    if not _works_as_teacher(substitute, school_id):
        raise ValidationError({"substitute": _("Choose a teacher of this school.")})
    with transaction.atomic():
        # Serialise substitutions of one teacher, so that two deputies at once cannot
        # put them into two classes at the same time.
        User.objects.select_for_update().filter(pk=substitute.pk).first()
        busy = (
            Lesson.objects.filter(date=lesson.date, period=lesson.period, is_cancelled=False)
            .exclude(pk=lesson.pk)
            .filter(
                Q(assignment__teacher=substitute, substitute__isnull=True)
                | Q(substitute=substitute)
            )
            .select_related("assignment__subject", "assignment__class_group")
            .first()
        )
        if busy is not None:
            raise ValidationError(
                {
                    "substitute": _(
                        "%(teacher)s already teaches %(lesson)s at this time "
                        "(%(date)s, lesson %(number)s)."
                    )
                    % {
                        "teacher": substitute.short_name,
                        "lesson": busy.assignment,
                        "date": date_ua(lesson.date),
                        "number": lesson.period.number,
                    }
                }
            )
        before = snapshot(lesson)
        lesson.substitute = substitute
        lesson.substitution_reason = reason
        _save_lesson(
            actor=actor,
            lesson=lesson,
            action="lesson.substitute",
            before=before,
            fields=["substitute", "substitution_reason"],
            reason=reason,
        )
    return lesson


def lesson_substitute_clear(*, actor: User, lesson: Lesson) -> Lesson:
    """Take the substitution back: the lesson is again its own teacher's."""
    _lesson_controller(actor, lesson)
    if lesson.substitute_id is None:
        raise ValidationError(_("The lesson has no substitute."))
    with transaction.atomic():
        before = snapshot(lesson)
        lesson.substitute = None
        lesson.substitution_reason = ""
        _save_lesson(
            actor=actor,
            lesson=lesson,
            action="lesson.substitute_clear",
            before=before,
            fields=["substitute", "substitution_reason"],
        )
    return lesson


def lesson_cancel(*, actor: User, lesson: Lesson, reason: str) -> Lesson:
    """Mark the lesson as not held (for the register of missed lessons); the reason is
    required. A substitution of the lesson is dropped. A lesson that already has
    attendance or marks was held, and is refused."""
    _lesson_controller(actor, lesson)
    reason = _clean_reason(reason, required=True)
    if lesson.is_cancelled:
        raise ValidationError(_("The lesson is already marked as not held."))
    recorded = (
        lesson.attendance_taken_at is not None
        or Lesson.objects.filter(pk=lesson.pk, marks__isnull=False).exists()
    )
    if recorded:
        raise ValidationError(
            _(
                "Attendance or marks are already recorded for this lesson, so it was held; "
                "it cannot be marked as not held."
            )
        )
    with transaction.atomic():
        before = snapshot(lesson)
        lesson.is_cancelled = True
        lesson.cancel_reason = reason
        lesson.substitute = None
        lesson.substitution_reason = ""
        _save_lesson(
            actor=actor,
            lesson=lesson,
            action="lesson.cancel",
            before=before,
            fields=["is_cancelled", "cancel_reason", "substitute", "substitution_reason"],
            reason=reason,
        )
    return lesson


def lesson_cancel_undo(*, actor: User, lesson: Lesson) -> Lesson:
    """The lesson was held after all: it leaves the register of missed lessons."""
    _lesson_controller(actor, lesson)
    if not lesson.is_cancelled:
        raise ValidationError(_("The lesson is not marked as not held."))
    with transaction.atomic():
        before = snapshot(lesson)
        lesson.is_cancelled = False
        lesson.cancel_reason = ""
        _save_lesson(
            actor=actor,
            lesson=lesson,
            action="lesson.cancel_undo",
            before=before,
            fields=["is_cancelled", "cancel_reason"],
        )
    return lesson


# --- teachers away --------------------------------------------------------------------

# Longer than a year away is not an absence to arrange substitutions for.
ABSENCE_MAX_DAYS = 366
ONE_DAY = dt.timedelta(days=1)


def _absence_controller(actor: User, school: School, start: dt.date, end: dt.date) -> None:
    """The school's deputy director or director records who is away; not in a closed year."""
    if not has_school_role(actor, school.pk, LESSON_CONTROLLERS):
        raise PermissionDenied(
            _("Only the school's deputy director or director may arrange substitutions.")
        )
    closed = (
        AcademicYear.objects.filter(school=school, starts_on__lte=end, ends_on__gte=start)
        .exclude(closed_at=None)
        .first()
    )
    if closed is not None:
        ensure_year_open(closed)


def _audit_absence(
    actor: User, absence: TeacherAbsence, action: str, before: dict[str, Any] | None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=absence,
        before=before,
        after=snapshot(absence),
        reason=absence.reason,
        school_id=absence.school_id,
    )


def teacher_absence_record(
    *,
    actor: User,
    school: School,
    teacher: User,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
) -> TeacherAbsence:
    """Record a teacher of the school as away from `starts_on` to `ends_on` (inclusive).
    An absence that overlaps or touches one already recorded joins it: one teacher has
    one absence for any day."""
    _absence_controller(actor, school, starts_on, ends_on)
    reason = _clean_reason(reason, required=False)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot come before the start.")})
    if (ends_on - starts_on).days >= ABSENCE_MAX_DAYS:
        raise ValidationError({"ends_on": _("Choose at most a year.")})
    if not _works_as_teacher(teacher, school.pk):
        raise ValidationError({"teacher": _("Choose a teacher of this school.")})
    with transaction.atomic():
        touching = list(
            TeacherAbsence.objects.select_for_update()
            .filter(
                school=school,
                teacher=teacher,
                starts_on__lte=ends_on + ONE_DAY,
                ends_on__gte=starts_on - ONE_DAY,
            )
            .order_by("starts_on")
        )
        if not touching:
            absence = TeacherAbsence(
                school=school,
                teacher=teacher,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=reason,
                recorded_by=actor,
            )
            absence.save()
            _audit_absence(actor, absence, "teacher_absence.create", None)
            return absence
        absence, *others = touching
        before = snapshot(absence)
        absence.starts_on = min(starts_on, *(a.starts_on for a in touching))
        absence.ends_on = max(ends_on, *(a.ends_on for a in touching))
        absence.reason = reason or absence.reason
        for other in others:
            delete_audited(
                actor=actor,
                instance=other,
                action="teacher_absence.delete",
                school_id=school.pk,
                reason=_("joined to the absence from %(date)s")
                % {"date": date_ua(absence.starts_on)},
            )
        absence.save()
        _audit_absence(actor, absence, "teacher_absence.update", before)
    return absence


def teacher_absence_cancel_day(*, actor: User, absence: TeacherAbsence, day: dt.date) -> None:
    """The teacher is at school on `day` after all: the day leaves the absence (which
    ends, shortens, or splits in two around it). Substitutions already arranged stay
    until the deputy takes them back."""
    if not absence.starts_on <= day <= absence.ends_on:
        raise ValidationError(_("The teacher is not recorded as away on that day."))
    _absence_controller(actor, absence.school, day, day)
    with transaction.atomic():
        if absence.starts_on == absence.ends_on:
            delete_audited(
                actor=actor,
                instance=absence,
                action="teacher_absence.delete",
                school_id=absence.school_id,
            )
            return
        before = snapshot(absence)
        if day == absence.starts_on:
            absence.starts_on = day + ONE_DAY
        elif day == absence.ends_on:
            absence.ends_on = day - ONE_DAY
        else:
            rest = TeacherAbsence(
                school=absence.school,
                teacher=absence.teacher,
                starts_on=day + ONE_DAY,
                ends_on=absence.ends_on,
                reason=absence.reason,
                recorded_by=actor,
            )
            rest.save()
            _audit_absence(actor, rest, "teacher_absence.create", None)
            absence.ends_on = day - ONE_DAY
        absence.save()
        _audit_absence(actor, absence, "teacher_absence.update", before)
