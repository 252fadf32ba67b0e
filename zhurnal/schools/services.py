"""Writes on a school's set-up: years, terms, holidays, classes, subjects, curriculum.

Each service validates with the school's words, writes inside one transaction and appends
an audit event. A closed academic year refuses every write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, delete_audited, snapshot
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import week_range
from zhurnal.schools.curriculum_templates import (
    curriculum_for_grade,
    homework_expected_by_default,
    is_physical_education,
)
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    Holiday,
    Profile,
    School,
    Subgroup,
    Subject,
    Term,
    TermKind,
)
from zhurnal.schools.versions import read_versions_bump, read_versions_bump_where

YEAR_NAME = re.compile(r"^(\d{4})/(\d{4})$")


# --- shared helpers -------------------------------------------------------------------


def ensure_year_open(year: AcademicYear) -> None:
    """Refuse any write to a closed academic year: the one closed-year rule of every service."""
    if year.closed_at is not None:
        raise ValidationError(
            _("The academic year %(year)s is closed: its data can only be read.")
            % {"year": year.name}
        )


def ensure_class_open(class_group: ClassGroup) -> None:
    """Refuse any write to a class whose year is closed: the whole school's year, or this
    class's own (the director may close classes one by one before the school)."""
    ensure_year_open(class_group.year)
    if class_group.closed_at is not None:
        raise ValidationError(
            _("The year of class %(class)s is closed: its journal can only be read.")
            % {"class": class_group}
        )


def delete_in_year(*, actor: User, instance: models.Model, year: AcademicYear, action: str) -> None:
    """Delete one set-up row of an open academic year, audited (a refused delete, e.g. of a
    row still in use, leaves everything as it was)."""
    ensure_year_open(year)
    with transaction.atomic():
        delete_audited(actor=actor, instance=instance, action=action, school_id=year.school_id)


def save_audited(
    *,
    actor: User,
    instance: models.Model,
    action: str,
    school_id: int,
    before: dict[str, Any] | None = None,
) -> None:
    # Services check their rules with readable messages first; full_clean is the backstop.
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=action,
        obj=instance,
        before=before,
        after=snapshot(instance),
        school_id=school_id,
    )


def dates_inside_year(year: AcademicYear, starts_on: dt.date, ends_on: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if starts_on < year.starts_on or starts_on > year.ends_on:
        errors["starts_on"] = _("The date must lie inside the academic year (%(start)s–%(end)s).")
    if ends_on > year.ends_on or ends_on < year.starts_on:
        errors["ends_on"] = _("The date must lie inside the academic year (%(start)s–%(end)s).")
    return {
        field: message % {"start": date_ua(year.starts_on), "end": date_ua(year.ends_on)}
        for field, message in errors.items()
    }


# --- academic years -------------------------------------------------------------------


def _check_year(
    *,
    school: School,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    year: AcademicYear | None = None,
) -> None:
    errors: dict[str, str] = {}
    match = YEAR_NAME.match(name)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        errors["name"] = _("Write the year as two consecutive years, for example 2026/2027.")
    else:
        first = int(match.group(1))
        if starts_on < dt.date(first, 9, 1) or starts_on > dt.date(first, 12, 31):
            errors["starts_on"] = _("The year %(name)s starts on or after 1 September %(first)s.")
        if ends_on > dt.date(first + 1, 7, 1):
            errors["ends_on"] = _("The year %(name)s ends no later than 1 July %(next)s.")
        errors = {
            field: message % {"name": name, "first": first, "next": first + 1}
            for field, message in errors.items()
        }
    if ends_on <= starts_on:
        errors["ends_on"] = _("The end must come after the start.")
    others = AcademicYear.objects.filter(school=school, name=name)
    if year is not None:
        others = others.exclude(pk=year.pk)
    if others.exists():
        errors["name"] = _("The school already has the academic year %(name)s.") % {"name": name}
    if year is not None and not errors:
        outside = [
            *year.terms.exclude(starts_on__gte=starts_on, ends_on__lte=ends_on),
            *year.holidays.exclude(starts_on__gte=starts_on, ends_on__lte=ends_on),
        ]
        if outside:
            errors["ends_on"] = _(
                "“%(name)s” would fall outside the year; change its dates first."
            ) % {"name": outside[0]}
    if errors:
        raise ValidationError(errors)


def year_create(
    *, actor: User, school: School, name: str, starts_on: dt.date, ends_on: dt.date
) -> AcademicYear:
    """Create an academic year (1 September to no later than 1 July)."""
    name = name.strip()
    _check_year(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        year = AcademicYear(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
        save_audited(actor=actor, instance=year, action="year.create", school_id=school.pk)
    return year


def year_update(
    *, actor: User, year: AcademicYear, name: str, starts_on: dt.date, ends_on: dt.date
) -> AcademicYear:
    ensure_year_open(year)
    name = name.strip()
    _check_year(school=year.school, name=name, starts_on=starts_on, ends_on=ends_on, year=year)
    with transaction.atomic():
        before = snapshot(year)
        year.name, year.starts_on, year.ends_on = name, starts_on, ends_on
        save_audited(
            actor=actor,
            instance=year,
            action="year.update",
            school_id=year.school_id,
            before=before,
        )
    return year


@dataclass(frozen=True)
class PlannedTerm:
    name: str
    kind: str
    number: int
    starts_on: dt.date
    ends_on: dt.date
    grade_from: int
    grade_to: int


@dataclass(frozen=True)
class StandardCalendar:
    starts_on: dt.date
    ends_on: dt.date
    terms: list[PlannedTerm]
    holidays: list[tuple[str, dt.date, dt.date]]


def standard_calendar(
    *, profile: str, first_year: int, grade_min: int, grade_max: int
) -> StandardCalendar:
    """The typical calendar of a year: terms by the municipality's profile and the usual
    autumn, winter and spring holidays. The school edits it afterwards."""
    second = first_year + 1
    starts_on, ends_on = dt.date(first_year, 9, 1), dt.date(second, 6, 30)
    autumn = week_range(dt.date(first_year, 10, 28))
    spring = week_range(dt.date(second, 3, 25))
    # The second half starts on the Monday on or after 11 January.
    january = dt.date(second, 1, 11)
    second_half = january + dt.timedelta(days=(7 - january.weekday()) % 7)
    first_end, last_day = dt.date(first_year, 12, 24), dt.date(second, 5, 31)
    day = dt.timedelta(days=1)
    holidays = [
        ("Осінні канікули", *autumn),
        ("Зимові канікули", dt.date(first_year, 12, 25), second_half - day),
        ("Весняні канікули", *spring),
    ]
    terms: list[PlannedTerm] = []
    if profile == Profile.RUSSIAN:
        if grade_min <= 9:
            quarters = [
                (starts_on, autumn[0] - day),
                (autumn[1] + day, first_end),
                (second_half, spring[0] - day),
                (spring[1] + day, last_day),
            ]
            for number, (start, end) in enumerate(quarters, 1):
                terms.append(
                    PlannedTerm(
                        f"{'I' * number if number < 4 else 'IV'} четверть",
                        TermKind.QUARTER,
                        number,
                        start,
                        end,
                        grade_min,
                        min(grade_max, 9),
                    )
                )
        if grade_max >= 10:
            low = max(grade_min, 10)
            terms.append(
                PlannedTerm(
                    "I полугодие", TermKind.HALF_YEAR, 1, starts_on, first_end, low, grade_max
                )
            )
            terms.append(
                PlannedTerm(
                    "II полугодие", TermKind.HALF_YEAR, 2, second_half, last_day, low, grade_max
                )
            )
    else:
        terms = [
            PlannedTerm(
                "І семестр", TermKind.SEMESTER, 1, starts_on, first_end, grade_min, grade_max
            ),
            PlannedTerm(
                "ІІ семестр", TermKind.SEMESTER, 2, second_half, last_day, grade_min, grade_max
            ),
        ]
    return StandardCalendar(starts_on, ends_on, terms, holidays)


def year_create_standard(*, actor: User, school: School, first_year: int) -> AcademicYear:
    """Create the year `first_year/first_year+1` with typical terms and holidays."""
    calendar = standard_calendar(
        profile=school.municipality.profile,
        first_year=first_year,
        grade_min=school.grade_min,
        grade_max=school.grade_max,
    )
    with transaction.atomic():
        year = year_create(
            actor=actor,
            school=school,
            name=f"{first_year}/{first_year + 1}",
            starts_on=calendar.starts_on,
            ends_on=calendar.ends_on,
        )
        for planned in calendar.terms:
            term_create(
                actor=actor,
                year=year,
                number=planned.number,
                kind=planned.kind,
                name=planned.name,
                starts_on=planned.starts_on,
                ends_on=planned.ends_on,
                grade_from=planned.grade_from,
                grade_to=planned.grade_to,
            )
        for name, start, end in calendar.holidays:
            holiday_create(actor=actor, year=year, name=name, starts_on=start, ends_on=end)
    return year


# --- terms and holidays ---------------------------------------------------------------


def _check_term(
    *,
    year: AcademicYear,
    kind: str,
    number: int,
    starts_on: dt.date,
    ends_on: dt.date,
    grade_from: int,
    grade_to: int,
    term: Term | None = None,
) -> None:
    errors = dates_inside_year(year, starts_on, ends_on)
    if ends_on <= starts_on:
        errors["ends_on"] = _("The end must come after the start.")
    school = year.school
    if not (school.grade_min <= grade_from <= grade_to <= school.grade_max):
        errors["grade_to"] = _("Choose grades from %(low)s to %(high)s, the lower one first.") % {
            "low": school.grade_min,
            "high": school.grade_max,
        }
    others = year.terms.all()
    if term is not None:
        others = others.exclude(pk=term.pk)
    for other in others:
        grades_meet = other.grade_from <= grade_to and grade_from <= other.grade_to
        if not grades_meet:
            continue
        if other.starts_on <= ends_on and starts_on <= other.ends_on:
            errors["starts_on"] = _(
                "The dates overlap “%(name)s” (%(start)s–%(end)s) for the same grades."
            ) % {
                "name": other.name,
                "start": date_ua(other.starts_on),
                "end": date_ua(other.ends_on),
            }
        if other.kind == kind and other.number == number and other.grade_from == grade_from:
            errors["number"] = _("This year already has a term with this number for these grades.")
    if errors:
        raise ValidationError(errors)


def term_create(
    *,
    actor: User,
    year: AcademicYear,
    number: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str = TermKind.SEMESTER,
    grade_from: int = 1,
    grade_to: int = 11,
) -> Term:
    """Add a term (semester, quarter, half-year) for a range of grades."""
    ensure_year_open(year)
    _check_term(
        year=year,
        kind=kind,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        grade_from=grade_from,
        grade_to=grade_to,
    )
    with transaction.atomic():
        term = Term(
            year=year,
            number=number,
            kind=kind,
            name=name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            grade_from=grade_from,
            grade_to=grade_to,
        )
        save_audited(actor=actor, instance=term, action="term.create", school_id=year.school_id)
    return term


def term_update(
    *,
    actor: User,
    term: Term,
    number: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str,
    grade_from: int,
    grade_to: int,
) -> Term:
    year = term.year
    ensure_year_open(year)
    _check_term(
        year=year,
        kind=kind,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        grade_from=grade_from,
        grade_to=grade_to,
        term=term,
    )
    with transaction.atomic():
        before = snapshot(term)
        term.number, term.kind, term.name = number, kind, name.strip()
        term.starts_on, term.ends_on = starts_on, ends_on
        term.grade_from, term.grade_to = grade_from, grade_to
        save_audited(
            actor=actor,
            instance=term,
            action="term.update",
            school_id=year.school_id,
            before=before,
        )
    return term


def term_delete(*, actor: User, term: Term) -> None:
    delete_in_year(actor=actor, instance=term, year=term.year, action="term.delete")


def _check_holiday(year: AcademicYear, starts_on: dt.date, ends_on: dt.date) -> None:
    errors = dates_inside_year(year, starts_on, ends_on)
    if ends_on < starts_on:
        errors["ends_on"] = _("The end cannot come before the start.")
    if errors:
        raise ValidationError(errors)


def holiday_create(
    *, actor: User, year: AcademicYear, name: str, starts_on: dt.date, ends_on: dt.date
) -> Holiday:
    """Add holidays or another span without lessons (inclusive dates)."""
    ensure_year_open(year)
    _check_holiday(year, starts_on, ends_on)
    with transaction.atomic():
        holiday = Holiday(year=year, name=name.strip(), starts_on=starts_on, ends_on=ends_on)
        save_audited(
            actor=actor, instance=holiday, action="holiday.create", school_id=year.school_id
        )
    return holiday


def holiday_update(
    *, actor: User, holiday: Holiday, name: str, starts_on: dt.date, ends_on: dt.date
) -> Holiday:
    year = holiday.year
    ensure_year_open(year)
    _check_holiday(year, starts_on, ends_on)
    with transaction.atomic():
        before = snapshot(holiday)
        holiday.name, holiday.starts_on, holiday.ends_on = name.strip(), starts_on, ends_on
        save_audited(
            actor=actor,
            instance=holiday,
            action="holiday.update",
            school_id=year.school_id,
            before=before,
        )
    return holiday


def holiday_delete(*, actor: User, holiday: Holiday) -> None:
    delete_in_year(actor=actor, instance=holiday, year=holiday.year, action="holiday.delete")


# --- classes and subgroups ------------------------------------------------------------


def _check_class(
    *,
    year: AcademicYear,
    grade: int,
    letter: str,
    class_teacher: User | None,
    class_group: ClassGroup | None = None,
) -> None:
    school = year.school
    errors: dict[str, str] = {}
    if not school.grade_min <= grade <= school.grade_max:
        errors["grade"] = _("This school teaches grades %(low)s to %(high)s.") % {
            "low": school.grade_min,
            "high": school.grade_max,
        }
    if not letter:
        errors["letter"] = _("Give the class a letter, for example А.")
    others = ClassGroup.objects.filter(year=year, grade=grade, letter=letter)
    if class_group is not None:
        others = others.exclude(pk=class_group.pk)
    if letter and others.exists():
        errors["letter"] = _("The class %(name)s already exists in this year.") % {
            "name": f"{grade}-{letter}"
        }
    if (
        class_teacher is not None
        and not class_teacher.staff_posts.filter(school_id=year.school_id, is_active=True).exists()
    ):
        errors["class_teacher"] = _("The class teacher must work at this school.")
    if errors:
        raise ValidationError(errors)


def class_group_create(
    *,
    actor: User,
    year: AcademicYear,
    grade: int,
    letter: str,
    class_teacher: User | None = None,
) -> ClassGroup:
    """Create a class such as 5-А, with its class teacher chosen from the school's staff."""
    ensure_year_open(year)
    letter = letter.strip().upper()
    _check_class(year=year, grade=grade, letter=letter, class_teacher=class_teacher)
    with transaction.atomic():
        class_group = ClassGroup(year=year, grade=grade, letter=letter, class_teacher=class_teacher)
        save_audited(
            actor=actor, instance=class_group, action="class.create", school_id=year.school_id
        )
    return class_group


def class_group_update(
    *,
    actor: User,
    class_group: ClassGroup,
    grade: int,
    letter: str,
    class_teacher: User | None = None,
) -> ClassGroup:
    year = class_group.year
    ensure_class_open(class_group)
    letter = letter.strip().upper()
    _check_class(
        year=year, grade=grade, letter=letter, class_teacher=class_teacher, class_group=class_group
    )
    with transaction.atomic():
        before = snapshot(class_group)
        class_group.grade, class_group.letter = grade, letter
        class_group.class_teacher = class_teacher
        save_audited(
            actor=actor,
            instance=class_group,
            action="class.update",
            school_id=year.school_id,
            before=before,
        )
        read_versions_bump(class_group_ids=[class_group.pk])  # the diary shows its name
    return class_group


def subgroup_create(
    *, actor: User, class_group: ClassGroup, subject: Subject, name: str
) -> Subgroup:
    """Create a group of a class for one subject (поділ на групи)."""
    year = class_group.year
    ensure_class_open(class_group)
    name = name.strip()
    if subject.school_id != year.school_id:
        raise ValidationError({"subject": _("Choose a subject of this school.")})
    if Subgroup.objects.filter(class_group=class_group, subject=subject, name=name).exists():
        raise ValidationError(
            {"name": _("This class already has a group with this name for the subject.")}
        )
    with transaction.atomic():
        subgroup = Subgroup(class_group=class_group, subject=subject, name=name)
        save_audited(
            actor=actor, instance=subgroup, action="subgroup.create", school_id=year.school_id
        )
    return subgroup


def subgroup_delete(*, actor: User, subgroup: Subgroup) -> None:
    ensure_class_open(subgroup.class_group)
    delete_in_year(
        actor=actor, instance=subgroup, year=subgroup.class_group.year, action="subgroup.delete"
    )


# --- subjects and curriculum ----------------------------------------------------------


def _check_subject(*, school: School, name: str, subject: Subject | None = None) -> None:
    if not name:
        raise ValidationError({"name": _("Give the subject a name.")})
    others = Subject.objects.filter(school=school, name__iexact=name)
    if subject is not None:
        others = others.exclude(pk=subject.pk)
    if others.exists():
        raise ValidationError(
            {"name": _("The school already has the subject “%(name)s”.") % {"name": name}}
        )


def subject_create(
    *,
    actor: User,
    school: School,
    name: str,
    short_name: str = "",
    is_physical_education: bool = False,
    homework_expected: bool | None = None,
) -> Subject:
    """Add a subject; its name is the school's own wording. Whether it expects homework
    defaults by its name and kind (none for the arts, PE and labour training)."""
    name = name.strip()
    _check_subject(school=school, name=name)
    if homework_expected is None:
        homework_expected = not is_physical_education and homework_expected_by_default(name)
    with transaction.atomic():
        subject = Subject(
            school=school,
            name=name,
            short_name=short_name.strip(),
            is_physical_education=is_physical_education,
            homework_expected=homework_expected,
        )
        save_audited(actor=actor, instance=subject, action="subject.create", school_id=school.pk)
    return subject


def subject_update(
    *,
    actor: User,
    subject: Subject,
    name: str,
    short_name: str = "",
    is_physical_education: bool = False,
    homework_expected: bool | None = None,
) -> Subject:
    """Change a subject; `homework_expected` None keeps the school's current choice."""
    name = name.strip()
    _check_subject(school=subject.school, name=name, subject=subject)
    with transaction.atomic():
        before = snapshot(subject)
        subject.name, subject.short_name = name, short_name.strip()
        subject.is_physical_education = is_physical_education
        if homework_expected is not None:
            subject.homework_expected = homework_expected
        save_audited(
            actor=actor,
            instance=subject,
            action="subject.update",
            school_id=subject.school_id,
            before=before,
        )
        # The diary shows the subject's name: every class that learns it.
        read_versions_bump_where(ClassGroup.objects.filter(assignments__subject=subject))
    return subject


MAX_WEEKLY_HOURS = Decimal(20)


def curriculum_set(
    *,
    actor: User,
    year: AcademicYear,
    grade: int,
    subject: Subject,
    hours_per_week: Decimal | None,
    split_into_groups: bool = False,
) -> CurriculumEntry | None:
    """Set the weekly hours of a subject in a grade; no hours removes it from the plan.
    An unchanged value writes nothing."""
    ensure_year_open(year)
    school = year.school
    if subject.school_id != school.pk:
        raise ValidationError(_("Choose a subject of this school."))
    if not school.grade_min <= grade <= school.grade_max:
        raise ValidationError(
            _("This school teaches grades %(low)s to %(high)s.")
            % {"low": school.grade_min, "high": school.grade_max}
        )
    if hours_per_week is not None and not Decimal(0) < hours_per_week <= MAX_WEEKLY_HOURS:
        raise ValidationError(
            _("%(subject)s, grade %(grade)s: weekly hours must be more than 0 and at most 20.")
            % {"subject": subject.name, "grade": grade}
        )
    if hours_per_week is not None and hours_per_week != hours_per_week.quantize(Decimal("0.1")):
        raise ValidationError(
            _("%(subject)s, grade %(grade)s: use at most one decimal place, for example 1,5.")
            % {"subject": subject.name, "grade": grade}
        )
    with transaction.atomic():
        entry = CurriculumEntry.objects.filter(year=year, grade=grade, subject=subject).first()
        if entry is None and hours_per_week is None:
            return None
        if entry is not None and hours_per_week is None:
            delete_audited(
                actor=actor, instance=entry, action="curriculum.delete", school_id=school.pk
            )
            return None
        assert hours_per_week is not None
        if entry is None:
            entry = CurriculumEntry(
                year=year,
                grade=grade,
                subject=subject,
                hours_per_week=hours_per_week,
                split_into_groups=split_into_groups,
            )
            save_audited(
                actor=actor, instance=entry, action="curriculum.create", school_id=school.pk
            )
            return entry
        if entry.hours_per_week == hours_per_week and entry.split_into_groups == split_into_groups:
            return entry
        before = snapshot(entry)
        entry.hours_per_week, entry.split_into_groups = hours_per_week, split_into_groups
        save_audited(
            actor=actor,
            instance=entry,
            action="curriculum.update",
            school_id=school.pk,
            before=before,
        )
    return entry


def curriculum_save(
    *,
    actor: User,
    year: AcademicYear,
    cells: Iterable[tuple[int, Subject, Decimal | None, bool]],
) -> int:
    """Save a whole grid of (grade, subject, hours, split) at once; all or nothing.
    Returns the number of changed cells."""
    ensure_year_open(year)
    existing = {
        (entry.grade, entry.subject_id): entry
        for entry in CurriculumEntry.objects.filter(year=year)
    }
    changed = 0
    with transaction.atomic():
        for grade, subject, hours, split in cells:
            entry = existing.get((grade, subject.pk))
            same = (entry is None and hours is None) or (
                entry is not None
                and hours is not None
                and entry.hours_per_week == hours
                and entry.split_into_groups == split
            )
            if same:
                continue
            curriculum_set(
                actor=actor,
                year=year,
                grade=grade,
                subject=subject,
                hours_per_week=hours,
                split_into_groups=split,
            )
            changed += 1
    return changed


def curriculum_fill_typical(*, actor: User, year: AcademicYear) -> int:
    """Create the subjects and curriculum rows of the typical programme for the school's
    grades. Existing subjects and rows are kept as they are. Returns the rows created."""
    ensure_year_open(year)
    school = year.school
    subjects = {subject.name: subject for subject in Subject.objects.filter(school=school)}
    present = set(CurriculumEntry.objects.filter(year=year).values_list("grade", "subject_id"))
    created = 0
    with transaction.atomic():
        for grade in school.grades:
            for name, hours, split in curriculum_for_grade(grade):
                subject = subjects.get(name)
                if subject is None:
                    subject = subject_create(
                        actor=actor,
                        school=school,
                        name=name,
                        is_physical_education=is_physical_education(name),
                    )
                    subjects[name] = subject
                if (grade, subject.pk) in present:
                    continue
                curriculum_set(
                    actor=actor,
                    year=year,
                    grade=grade,
                    subject=subject,
                    hours_per_week=hours,
                    split_into_groups=split,
                )
                created += 1
    return created
