"""The student's and guardian's read side of the journal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from zhurnal.diary.models import CalendarFeed, DiaryVisit
from zhurnal.journal.models import (
    LESSON_MARK_KINDS,
    Attendance,
    AttendanceStatus,
    HomeworkFile,
    Mark,
    MarkKind,
    StudentRemark,
)
from zhurnal.journal.proposals import Proposal, annual_mark_proposal, term_mark_proposal
from zhurnal.people.models import Enrollment, Student, SubgroupMember
from zhurnal.schools.models import ClassGroup, Term, TermMarkMethod
from zhurnal.timetable.models import Lesson, TeachingAssignment


@dataclass
class DiaryLesson:
    lesson: Lesson
    marks: list[Mark] = field(default_factory=list)
    attendance: Attendance | None = None
    files: list[HomeworkFile] = field(default_factory=list)
    remarks: list[StudentRemark] = field(default_factory=list)
    new_mark_ids: set[int] = field(default_factory=set)
    attendance_is_new: bool = False


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson]


def _is_new(created_at: dt.datetime, since: dt.datetime | None) -> bool:
    return since is not None and created_at > since


def student_lessons(
    *, student: Student, start: dt.date, end: dt.date, related: tuple[str, ...] = ()
) -> list[Lesson]:
    """The student's lessons between two dates: only while enrolled, only their own
    subgroups, not cancelled; in date and period order. Three queries."""
    spans = list(
        Enrollment.objects.filter(student=student, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values_list("class_group_id", "starts_on", "ends_on")
    )
    subgroup_ids = set(
        SubgroupMember.objects.filter(student=student).values_list("subgroup_id", flat=True)
    )
    lessons = (
        Lesson.objects.filter(
            date__range=(start, end),
            assignment__class_group_id__in={class_id for class_id, _, _ in spans},
            is_cancelled=False,
        )
        .select_related(
            "period", "assignment__subject", "assignment__teacher", "substitute", *related
        )
        .order_by("date", "period__number")
    )

    def visible(lesson: Lesson) -> bool:
        if lesson.assignment.subgroup_id and lesson.assignment.subgroup_id not in subgroup_ids:
            return False
        return any(
            class_id == lesson.assignment.class_group_id
            and starts <= lesson.date
            and (ends is None or lesson.date <= ends)
            for class_id, starts, ends in spans
        )

    return [lesson for lesson in lessons if visible(lesson)]


def diary_week(
    *, student: Student, monday: dt.date, since: dt.datetime | None = None
) -> list[DiaryDay]:
    """Monday to Saturday of the week: the student's lessons with their own marks,
    attendance and remarks, and the homework files; entries made after `since` are
    flagged new. Seven queries."""
    sunday = monday + dt.timedelta(days=6)
    lessons = student_lessons(student=student, start=monday, end=sunday)
    entries = {lesson.pk: DiaryLesson(lesson=lesson) for lesson in lessons}
    for mark in Mark.objects.filter(student=student, lesson_id__in=list(entries)).order_by(
        "created_at"
    ):
        if mark.lesson_id is None:  # dated marks only: lesson_id__in above
            continue
        item = entries[mark.lesson_id]
        item.marks.append(mark)
        if _is_new(mark.created_at, since):
            item.new_mark_ids.add(mark.pk)
    for entry in Attendance.objects.filter(student=student, lesson_id__in=list(entries)):
        entries[entry.lesson_id].attendance = entry
        entries[entry.lesson_id].attendance_is_new = _is_new(entry.created_at, since)
    for attachment in HomeworkFile.objects.filter(lesson_id__in=list(entries)).order_by("pk"):
        entries[attachment.lesson_id].files.append(attachment)
    for remark in StudentRemark.objects.filter(
        student=student, lesson_id__in=list(entries)
    ).order_by("created_at", "pk"):
        entries[remark.lesson_id].remarks.append(remark)
    days: dict[dt.date, list[DiaryLesson]] = {}
    for item in entries.values():
        days.setdefault(item.lesson.date, []).append(item)
    return [
        DiaryDay(
            date=monday + dt.timedelta(days=offset),
            lessons=days.get(monday + dt.timedelta(days=offset), []),
        )
        for offset in range(6)
        if offset < 5 or days.get(monday + dt.timedelta(days=offset))
    ]


@dataclass(frozen=True)
class NewSince:
    since: dt.datetime | None
    marks: int
    absences: int


def diary_new_since(*, student: Student, since: dt.datetime | None) -> NewSince:
    """How many marks and absences were entered for the student after `since`."""
    if since is None:
        return NewSince(since=None, marks=0, absences=0)
    return NewSince(
        since=since,
        marks=Mark.objects.filter(student=student, created_at__gt=since).count(),
        absences=Attendance.objects.filter(
            student=student, created_at__gt=since, status=AttendanceStatus.ABSENT
        ).count(),
    )


def current_class(*, student: Student, day: dt.date) -> ClassGroup | None:
    """The class the student is enrolled in on `day`, else their latest class."""
    enrollments = Enrollment.objects.filter(student=student).select_related(
        "class_group__year__school__municipality"
    )
    enrollment = (
        enrollments.filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    ) or enrollments.order_by("-starts_on").first()
    return enrollment.class_group if enrollment else None


def current_class_name(*, student: Student, day: dt.date) -> str:
    class_group = current_class(student=student, day=day)
    if class_group is None:
        return ""
    return f"{class_group} · {class_group.year.school}"


def terms_for_class(class_group: ClassGroup) -> list[Term]:
    return list(
        Term.objects.filter(
            year_id=class_group.year_id,
            grade_from__lte=class_group.grade,
            grade_to__gte=class_group.grade,
        ).order_by("number")
    )


@dataclass
class Explanation:
    """How a term or annual mark was formed: the proposal from the marks, and what the
    teacher entered."""

    mark: Mark
    proposal: Proposal

    @property
    def teacher_decided(self) -> bool:
        return bool(self.proposal.value) and self.proposal.value != self.mark.value


@dataclass
class SubjectMarks:
    assignment: TeachingAssignment
    marks: list[Mark] = field(default_factory=list)
    thematic: list[Mark] = field(default_factory=list)
    term_mark: Explanation | None = None
    corrected: Mark | None = None
    annual: Explanation | None = None
    new_mark_ids: set[int] = field(default_factory=set)

    @property
    def average(self) -> Decimal | None:
        numbers = [m.numeric_value for m in self.marks if m.numeric_value is not None]
        if not numbers:
            return None
        return (sum(numbers, Decimal(0)) / len(numbers)).quantize(Decimal("0.01"))


def diary_marks(
    *, student: Student, class_group: ClassGroup, term: Term, since: dt.datetime | None = None
) -> list[SubjectMarks]:
    """Per subject of the student's class: the term's marks in date order, their average
    (numeric marks only), thematic, term, corrected and annual marks, each term and
    annual mark with how it was formed. Two queries."""
    assignments = (
        TeachingAssignment.objects.filter(class_group=class_group)
        .filter(
            Q(subgroup__isnull=True)
            | Q(subgroup__in=SubgroupMember.objects.filter(student=student).values("subgroup"))
        )
        .select_related("subject", "subgroup")
        .order_by("subject__name", "subgroup__name")
    )
    rows = {assignment.pk: SubjectMarks(assignment=assignment) for assignment in assignments}
    marks = (
        Mark.objects.filter(student=student, assignment_id__in=list(rows))
        .select_related("lesson", "term")
        .order_by("lesson__date", "lesson__period__number", "created_at")
    )
    year_term_marks: dict[int, list[Mark]] = defaultdict(list)
    weighted = class_group.year.school.term_mark_method == TermMarkMethod.WEIGHTED_MEAN
    lesson_kinds = {kind.value for kind in LESSON_MARK_KINDS}
    proposal_marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        row = rows[mark.assignment_id]
        if mark.kind in lesson_kinds:
            assert mark.lesson is not None
            if not term.starts_on <= mark.lesson.date <= term.ends_on:
                continue
            row.marks.append(mark)
            if weighted:
                proposal_marks[row.assignment.pk].append(mark)
        elif mark.kind == MarkKind.THEMATIC and mark.term_id == term.pk:
            row.thematic.append(mark)
            proposal_marks[row.assignment.pk].append(mark)
        elif mark.kind in (MarkKind.TERM, MarkKind.CORRECTED):
            year_term_marks[row.assignment.pk].append(mark)
            if mark.term_id == term.pk and mark.kind == MarkKind.TERM:
                row.term_mark = Explanation(mark=mark, proposal=Proposal("", None, ""))
            elif mark.term_id == term.pk:
                row.corrected = mark
        elif mark.kind == MarkKind.ANNUAL:
            row.annual = Explanation(mark=mark, proposal=Proposal("", None, ""))
        else:
            continue
        if _is_new(mark.created_at, since):
            row.new_mark_ids.add(mark.pk)
    method = class_group.year.school.term_mark_method
    for pk, row in rows.items():
        row.thematic.sort(key=lambda m: m.theme_number or 0)
        if row.term_mark is not None:
            row.term_mark.proposal = term_mark_proposal(
                marks=proposal_marks.get(pk, []), method=method
            )
        if row.annual is not None:
            row.annual.proposal = annual_mark_proposal(term_marks=year_term_marks.get(pk, []))
    return list(rows.values())


@dataclass(frozen=True)
class FeedEvent:
    lesson: Lesson
    starts: dt.datetime
    ends: dt.datetime


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of a token; a revoked or unknown token is None."""
    return (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("student")
        .first()
    )


def calendar_feed_events(*, student: Student, today: dt.date) -> list[FeedEvent]:
    """The student's lessons from a week back to four weeks ahead, with times from the
    bell schedule in the school's time zone. Three queries."""
    lessons = student_lessons(
        student=student,
        start=today - dt.timedelta(days=7),
        end=today + dt.timedelta(days=28),
        related=("assignment__year__school__municipality",),
    )
    events = []
    for lesson in lessons:
        zone = ZoneInfo(lesson.assignment.year.school.municipality.time_zone)
        events.append(
            FeedEvent(
                lesson=lesson,
                starts=dt.datetime.combine(lesson.date, lesson.period.starts_at, tzinfo=zone),
                ends=dt.datetime.combine(lesson.date, lesson.period.ends_at, tzinfo=zone),
            )
        )
    return events


def active_calendar_feed(*, user_id: int, student: Student) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        user_id=user_id, student=student, revoked_at__isnull=True
    ).first()


def diary_visit(*, user_id: int, student: Student) -> DiaryVisit | None:
    return DiaryVisit.objects.filter(user_id=user_id, student=student).first()
