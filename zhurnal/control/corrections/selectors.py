"""Reads for the deputy director's control: the register of corrections and term locks.

Every function here runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import end_of_day, school_tz
from zhurnal.journal.models import (
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    MarkKind,
    TermLock,
)
from zhurnal.journal.scales import ABSENT
from zhurnal.schools.models import AcademicYear, ClassGroup, School, Subject, Term

CORRECTION_RELATED = (
    "assignment__subject",
    "assignment__class_group",
    "assignment__subgroup",
    "lesson__period",
    "term",
    "mark",
    "student",
    "requested_by",
    "decided_by",
)


# --- years --------------------------------------------------------------------------------


def school_years(school: School) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))


def default_year(years: list[AcademicYear], today: dt.date) -> AcademicYear | None:
    """The year a controller works in: the open year that contains `today`, else the
    newest open year, else the newest year (read-only, the school has closed them all)."""
    open_years = [year for year in years if not year.is_closed]
    for year in open_years:
        if year.starts_on <= today <= year.ends_on:
            return year
    if open_years:
        return open_years[0]
    return years[0] if years else None


def year_from_query(
    years: list[AcademicYear], raw: str | None, today: dt.date
) -> AcademicYear | None:
    """The year asked for in the query string if it is one of the school's, else the default."""
    by_id = {str(year.pk): year for year in years}
    if raw and raw in by_id:
        return by_id[raw]
    return default_year(years, today)


# --- choices of the filters and forms -----------------------------------------------------


def classes_of(year: AcademicYear | None) -> QuerySet[ClassGroup]:
    if year is None:
        return ClassGroup.objects.none()
    return ClassGroup.objects.filter(year=year).order_by("grade", "letter")


def terms_of(year: AcademicYear | None) -> QuerySet[Term]:
    if year is None:
        return Term.objects.none()
    return Term.objects.filter(year=year).order_by("grade_from", "number")


def subjects_of(school: School) -> QuerySet[Subject]:
    return Subject.objects.filter(school=school).order_by("name")


# --- the register of corrections ----------------------------------------------------------


def corrections_register(
    *,
    year: AcademicYear,
    tz_name: str,
    teacher: User | None = None,
    class_group: ClassGroup | None = None,
    status: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Correction]:
    """The register of corrections of one academic year, filtered: by who made the change,
    class, status and the dates it was made (in the school's time zone). Changes waiting
    for approval come first, then the newest."""
    corrections = Correction.objects.filter(assignment__year=year)
    if teacher is not None:
        corrections = corrections.filter(requested_by=teacher)
    if class_group is not None:
        corrections = corrections.filter(assignment__class_group=class_group)
    if status:
        corrections = corrections.filter(status=status)
    if start is not None:
        corrections = corrections.filter(
            created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=school_tz(tz_name))
        )
    if end is not None:
        corrections = corrections.filter(created_at__lt=end_of_day(end, tz_name))
    return corrections.select_related(*CORRECTION_RELATED).order_by(
        Case(
            When(status=CorrectionStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "-created_at",
        "-pk",
    )


def pending_count(year: AcademicYear) -> int:
    return Correction.objects.filter(assignment__year=year, status=CorrectionStatus.PENDING).count()


@dataclass(frozen=True)
class CorrectionRow:
    """One line of the register, in the words of the paper journal."""

    correction: Correction
    teacher: str
    class_name: str
    subject: str
    student: str
    column: str
    before: str
    after: str

    @property
    def is_pending(self) -> bool:
        return self.correction.status == CorrectionStatus.PENDING


def correction_rows(corrections: list[Correction]) -> list[CorrectionRow]:
    """Human-readable lines for corrections fetched by `corrections_register` (no query)."""
    rows = []
    for correction in corrections:
        assignment = correction.assignment
        group = f" ({assignment.subgroup.name})" if assignment.subgroup is not None else ""
        rows.append(
            CorrectionRow(
                correction=correction,
                teacher=correction.requested_by.full_name,
                class_name=f"{assignment.class_group}{group}",
                subject=assignment.subject.name,
                student=correction.student.full_name,
                column=correction_column(correction),
                before=describe_state(correction.target, correction.before),
                after=describe_state(correction.target, correction.after),
            )
        )
    return rows


def _kind_of(correction: Correction) -> str:
    for state in (correction.after, correction.before):
        if state and state.get("kind"):
            return str(state["kind"])
    return correction.mark.kind if correction.mark is not None else ""


def correction_column(correction: Correction) -> str:
    """Where the change is: the lesson's date and number, or the undated column by the name
    the paper journal prints (І семестр, Скоригована, Річна, …)."""
    lesson = correction.lesson
    if lesson is not None:
        return _("%(date)s, lesson %(number)s") % {
            "date": date_ua(lesson.date),
            "number": lesson.period.number,
        }
    kind = _kind_of(correction)
    term_name = correction.term.name if correction.term is not None else ""
    if kind == MarkKind.TERM:
        return term_name or str(MarkKind.TERM.label)
    if kind == MarkKind.THEMATIC:
        number = (correction.after or {}).get("theme_number")
        if number is None and correction.mark is not None:
            number = correction.mark.theme_number
        label = f"{MarkKind.THEMATIC.label} {number}" if number else str(MarkKind.THEMATIC.label)
        return f"{label} ({term_name})" if term_name else label
    if kind == MarkKind.CORRECTED:
        label = str(MarkKind.CORRECTED.label)
        return f"{label} ({term_name})" if term_name else label
    if kind in MarkKind.values:
        return str(MarkKind(kind).label)
    return "—"


def describe_state(target: str, state: dict[str, Any] | None) -> str:
    """A stored before/after state as the journal shows it: «10», «н», «запізнення (5 хв)»,
    a comment, «deleted» or «—» for nothing."""
    if target == "attendance":
        status = (state or {}).get("status")
        if status is None:
            return _("present")
        if status == AttendanceStatus.ABSENT:
            return ABSENT
        label = str(AttendanceStatus(status).label) if status in AttendanceStatus.values else status
        minutes = (state or {}).get("late_minutes")
        if status == AttendanceStatus.LATE and minutes:
            return _("%(status)s (%(minutes)s min)") % {"status": label, "minutes": minutes}
        return label
    if state is None or state.get("delete"):
        return _("deleted") if state else "—"
    value = str(state.get("value") or "")
    comment = str(state.get("comment") or "")
    kind = str(state.get("kind") or "")
    text = " — ".join(part for part in (value, comment) if part) or "—"
    if kind and kind != MarkKind.CURRENT and kind in MarkKind.values and state.get("lesson"):
        text = f"{text} ({MarkKind(kind).label})"
    return text


# --- term locks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LockRow:
    lock: TermLock
    pending: int


def locks_of_year(year: AcademicYear) -> list[LockRow]:
    """The year's term locks, by term, class and subject, with how many changes in each
    are waiting for approval (two queries)."""
    locks = list(
        TermLock.objects.filter(term__year=year)
        .select_related("term", "class_group", "subject", "locked_by")
        .order_by(
            "term__grade_from",
            "term__number",
            "class_group__grade",
            "class_group__letter",
            "subject__name",
        )
    )
    counts = {
        (row["term_id"], row["assignment__class_group_id"], row["assignment__subject_id"]): row[
            "total"
        ]
        for row in Correction.objects.filter(
            assignment__year=year, status=CorrectionStatus.PENDING, term__isnull=False
        )
        .values("term_id", "assignment__class_group_id", "assignment__subject_id")
        .annotate(total=Count("pk"))
    }
    rows = []
    for lock in locks:
        if lock.subject_id is not None:
            pending = counts.get((lock.term_id, lock.class_group_id, lock.subject_id), 0)
        else:
            pending = sum(
                total
                for (term_id, class_id, _subject), total in counts.items()
                if term_id == lock.term_id and class_id == lock.class_group_id
            )
        rows.append(LockRow(lock=lock, pending=pending))
    return rows


def classes_for_term(term: Term) -> list[ClassGroup]:
    """The classes of the term's year in the grades the term covers."""
    return list(
        ClassGroup.objects.filter(
            year_id=term.year_id, grade__gte=term.grade_from, grade__lte=term.grade_to
        ).order_by("grade", "letter")
    )


def whole_class_locked(term: Term) -> set[int]:
    return set(
        TermLock.objects.filter(term=term, subject__isnull=True).values_list(
            "class_group_id", flat=True
        )
    )


def covering_lock(
    *, term: Term, class_group: ClassGroup, subject: Subject | None
) -> TermLock | None:
    """The lock that already covers this term, class and subject: the class's whole-term
    lock, or the same subject's."""
    locks = TermLock.objects.filter(term=term, class_group=class_group).select_related(
        "term", "class_group", "subject"
    )
    if subject is None:
        return locks.filter(subject__isnull=True).first()
    return (
        locks.filter(Q(subject__isnull=True) | Q(subject=subject))
        .order_by(F("subject").asc(nulls_first=True))
        .first()
    )
