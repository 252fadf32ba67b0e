"""The pre-closing check: what is missing in a class's journal before the director closes
its year, per class and subject, each item to fix (`fix_url` says where) or to accept
consciously.

Marks are due only where the school's rules give marks: a subject on a comments-only scale
(grades 1–2 by default, and any grade and subject the pedagogical council put on verbal
assessment) owes no term and no annual mark. «н/а», «зв.» and «зарах.» are marks given.
A term counts once its last day has come; the annual mark is owed by the students enrolled
on the last day of the class's last term, a term mark by those enrolled on that term's last
day (and, for a group's journal, members of the group). The state exam is not checked: who
sits it is decided outside the journal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhurnal.audit.integrity import integrity_check

# The one resolution of the school's scale rules for many journals at once (two queries).
from zhurnal.control.metrics import _marks_expected as marks_expected
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import school_tz
from zhurnal.journal.models import Correction, CorrectionStatus, Mark, MarkKind, TermLock
from zhurnal.people.models import Enrollment, Student, SubgroupMember
from zhurnal.people.selectors import alphabetical_key, in_class_order
from zhurnal.schools.models import AcademicYear, ClassGroup, School, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment

NAMES_SHOWN = 3
FINDINGS_SHOWN = 3
Spans = list[tuple[dt.date, dt.date | None]]


class ItemKind(models.TextChoices):
    ANNUAL_MISSING = "annual_missing", gettext_lazy("annual marks missing")
    TERM_MISSING = "term_missing", gettext_lazy("term marks missing")
    CORRECTION_PENDING = "correction_pending", gettext_lazy("corrections waiting for approval")
    TERM_UNLOCKED = "term_unlocked", gettext_lazy("term not locked")
    TOPIC_MISSING = "topic_missing", gettext_lazy("lessons without a topic")
    YEAR_NOT_OVER = "year_not_over", gettext_lazy("the year is not over")
    INTEGRITY = "integrity", gettext_lazy("data changed outside the application")


@dataclass(frozen=True)
class CheckItem:
    """One thing missing in a class's journal. `code` is stable from one run of the check
    to the next (the kind, class, teaching assignment and term), so that what the director
    accepted on the page is recognised when the closing runs the check again."""

    code: str
    kind: str
    class_group_id: int
    class_name: str
    subject: str  # "" for an item of the whole class
    text: str
    count: int
    fix_url: str  # where to put it right; "" when there is no page for it
    acceptable: bool  # False: it must be put right (the reconciliation of live data)

    @property
    def kind_label(self) -> str:
        return str(ItemKind(self.kind).label)


def item_code(
    kind: str, class_group_id: int, assignment_id: int | None = None, term_id: int | None = None
) -> str:
    return f"{kind}:{class_group_id}:{assignment_id or 0}:{term_id or 0}"


def _names(students: Sequence[Student]) -> str:
    shown = ", ".join(student.short_name for student in students[:NAMES_SHOWN])
    if len(students) > NAMES_SHOWN:
        return _("%(names)s and %(count)s more") % {
            "names": shown,
            "count": len(students) - NAMES_SHOWN,
        }
    return shown


def _grid_url(assignment_id: int, term_id: int) -> str:
    return f"{reverse('journal:grid', args=[assignment_id])}?{urlencode({'term': term_id})}"


def _covers(spans: Spans, day: dt.date) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in spans)


def _subject_label(assignment: TeachingAssignment) -> str:
    if assignment.subgroup_id and assignment.subgroup is not None:
        return f"{assignment.subject.name} ({assignment.subgroup.name})"
    return assignment.subject.name


@dataclass
class _YearData:
    """Everything the check reads, fetched once for all the classes checked."""

    school: School
    today: dt.date
    terms: list[Term]
    assignments: dict[int, list[TeachingAssignment]]  # by class id
    marks_due: dict[int, bool]  # by assignment id: the scale gives marks
    enrolled: dict[int, dict[int, Spans]]  # class id → student id → enrollment spans
    students: dict[int, Student]
    members: dict[int, set[int]]  # subgroup id → student ids
    given: set[tuple[int, int, str, int | None]]  # (assignment, student, "term"/"annual", term)
    pending: dict[int, int]  # assignment id → corrections waiting
    locks: set[tuple[int, int, int | None]]  # (term, class, subject or None)
    topicless: dict[int, tuple[int, dt.date, dt.date]]  # assignment → (count, first, last)
    last_lesson: dict[int, dt.date]  # class id → its last lesson day


def _read(year: AcademicYear, classes: Sequence[ClassGroup], now: dt.datetime) -> _YearData:
    """Twelve queries, whatever the number of classes, students and lessons."""
    school = School.objects.select_related("municipality").get(pk=year.school_id)
    local_now = timezone.localtime(now, school_tz(school.municipality.time_zone))
    today = local_now.date()
    class_ids = [class_group.pk for class_group in classes]
    by_id = {class_group.pk: class_group for class_group in classes}
    terms = list(Term.objects.filter(year=year).order_by("starts_on", "number"))
    assignment_list = list(
        TeachingAssignment.objects.filter(class_group_id__in=class_ids)
        .select_related("subject", "subgroup")
        .order_by("pk")
    )
    assignments: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for assignment in assignment_list:
        assignment.class_group = by_id[assignment.class_group_id]
        assignments[assignment.class_group_id].append(assignment)
    assignment_ids = [assignment.pk for assignment in assignment_list]

    enrolled: dict[int, dict[int, Spans]] = defaultdict(dict)
    students: dict[int, Student] = {}
    for enrollment in Enrollment.objects.filter(class_group_id__in=class_ids).select_related(
        "student"
    ):
        students[enrollment.student_id] = enrollment.student
        spans = enrolled[enrollment.class_group_id].setdefault(enrollment.student_id, [])
        spans.append((enrollment.starts_on, enrollment.ends_on))
    members: dict[int, set[int]] = defaultdict(set)
    subgroup_ids = {a.subgroup_id for a in assignment_list if a.subgroup_id is not None}
    for subgroup_id, student_id in SubgroupMember.objects.filter(
        subgroup_id__in=subgroup_ids
    ).values_list("subgroup_id", "student_id"):
        members[subgroup_id].add(student_id)

    given: set[tuple[int, int, str, int | None]] = set()
    for assignment_id, student_id, kind, term_id in (
        Mark.objects.filter(
            assignment_id__in=assignment_ids,
            kind__in=[MarkKind.TERM, MarkKind.CORRECTED, MarkKind.ANNUAL],
        )
        .exclude(value="")
        .values_list("assignment_id", "student_id", "kind", "term_id")
    ):
        if kind == MarkKind.ANNUAL:
            given.add((assignment_id, student_id, "annual", None))
        else:
            given.add((assignment_id, student_id, "term", term_id))
    pending = dict(
        Correction.objects.filter(assignment_id__in=assignment_ids, status=CorrectionStatus.PENDING)
        .order_by()
        .values("assignment_id")
        .annotate(waiting=Count("pk"))
        .values_list("assignment_id", "waiting")
    )
    locks: set[tuple[int, int, int | None]] = set(
        TermLock.objects.filter(class_group_id__in=class_ids).values_list(
            "term_id", "class_group_id", "subject_id"
        )
    )
    held = Q(date__lt=today) | Q(date=today, period__ends_at__lte=local_now.time())
    topicless = {
        assignment_id: (count, first, last)
        for assignment_id, count, first, last in Lesson.objects.filter(
            assignment_id__in=assignment_ids, is_cancelled=False, topic=""
        )
        .filter(held)
        .order_by()
        .values("assignment_id")
        .annotate(count=Count("pk"), first=Min("date"), last=Max("date"))
        .values_list("assignment_id", "count", "first", "last")
    }
    last_lesson = dict(
        Lesson.objects.filter(assignment_id__in=assignment_ids, is_cancelled=False)
        .order_by()
        .values("assignment__class_group_id")
        .annotate(last=Max("date"))
        .values_list("assignment__class_group_id", "last")
    )
    return _YearData(
        school=school,
        today=today,
        terms=terms,
        assignments=assignments,
        marks_due=marks_expected(school, assignment_list),
        enrolled=enrolled,
        students=students,
        members=members,
        given=given,
        pending=pending,
        locks=locks,
        topicless=topicless,
        last_lesson=last_lesson,
    )


def closing_check(
    year: AcademicYear,
    class_groups: Sequence[ClassGroup] | None = None,
    *,
    now: dt.datetime | None = None,
    integrity: bool = True,
) -> dict[int, list[CheckItem]]:
    """What is missing before the year of these classes (every class of the year by
    default) can be closed, per class id in class order: for each class the whole-class
    items (the year not over, data changed outside the application, terms not locked),
    then per subject the missing term and annual marks, the corrections waiting for
    approval and the held lessons without a topic. An empty list: nothing is missing.

    `now` (default: this moment) decides, in the school's time zone, which terms are over,
    which lessons were held and whether the year is over.

    Twelve queries whatever the number of classes, students and lessons (thirteen when
    the classes are not given) — except the reconciliation of live data, which
    `integrity=False` leaves out: it verifies the audit chain and its signed heads once,
    then reconciles the rows of each class (`integrity_check(class_group=…)`: a fixed
    number of queries per class, but each one streams the school's audit events and
    seals). For several classes it reconciles the whole school once instead, and goes
    class by class only when that finds something, to name the class. On the demo's
    lyceum (29 classes, in December) the check takes about 0.5 s without it and 4–7 s
    with it; one class about 1–2.5 s with it."""
    now = now or timezone.now()
    if class_groups is None:
        classes = list(ClassGroup.objects.filter(year=year).order_by("grade", "letter"))
    else:
        classes = sorted(class_groups, key=lambda group: (group.grade, group.letter))
    if any(class_group.year_id != year.pk for class_group in classes):
        raise ValueError("every class checked must belong to the year")
    if not classes:
        return {}
    data = _read(year, classes, now)
    findings = _integrity_findings(data.school, classes) if integrity else {}
    return {
        class_group.pk: _class_items(year, class_group, data, findings.get(class_group.pk, []))
        for class_group in classes
    }


def _class_items(
    year: AcademicYear, class_group: ClassGroup, data: _YearData, findings: list[str]
) -> list[CheckItem]:
    grade = class_group.grade
    terms = [term for term in data.terms if term.grade_from <= grade <= term.grade_to]
    finished = [term for term in terms if term.ends_on <= data.today]
    last_term = max(terms, key=lambda term: (term.ends_on, term.number)) if terms else None
    class_name = str(class_group)

    def item(
        kind: str,
        text: str,
        *,
        count: int,
        subject: str = "",
        assignment_id: int | None = None,
        term_id: int | None = None,
        fix_url: str = "",
    ) -> CheckItem:
        return CheckItem(
            code=item_code(kind, class_group.pk, assignment_id, term_id),
            kind=kind,
            class_group_id=class_group.pk,
            class_name=class_name,
            subject=subject,
            text=text,
            count=count,
            fix_url=fix_url,
            acceptable=kind != ItemKind.INTEGRITY,
        )

    items: list[CheckItem] = []
    # The class's last lesson day, or its last term's end if lessons are not made that far.
    ends = (data.last_lesson.get(class_group.pk), last_term.ends_on if last_term else None)
    last_day = max((day for day in ends if day is not None), default=year.ends_on)
    if last_day > data.today:
        items.append(
            item(
                ItemKind.YEAR_NOT_OVER,
                _("The year is not over: the last lesson day is %(date)s.")
                % {"date": date_ua(last_day)},
                count=1,
            )
        )
    if findings:
        items.append(item(ItemKind.INTEGRITY, _integrity_text(findings), count=len(findings)))

    assignments = sorted(
        data.assignments.get(class_group.pk, []),
        key=lambda a: (alphabetical_key(_subject_label(a)), a.pk),
    )
    subjects: dict[int, str] = {}
    for assignment in assignments:
        subjects.setdefault(assignment.subject_id, assignment.subject.name)
    locks_url = _locks_url(data.school, year)
    for term in finished:
        if not subjects or (term.pk, class_group.pk, None) in data.locks:
            continue
        unlocked = [
            name
            for subject_id, name in subjects.items()
            if (term.pk, class_group.pk, subject_id) not in data.locks
        ]
        if not unlocked:
            continue
        if len(unlocked) == len(subjects):
            text = _("%(term)s is not locked.") % {"term": term.name}
        else:
            text = _("%(term)s is not locked for: %(subjects)s.") % {
                "term": term.name,
                "subjects": ", ".join(unlocked),
            }
        items.append(
            item(
                ItemKind.TERM_UNLOCKED,
                text,
                count=len(unlocked),
                term_id=term.pk,
                fix_url=locks_url,
            )
        )

    enrolled = data.enrolled.get(class_group.pk, {})
    class_list = in_class_order(data.students[sid] for sid in enrolled)
    place = {student.pk: index for index, student in enumerate(class_list)}
    for assignment in assignments:
        subject = _subject_label(assignment)

        def due(day: dt.date, assignment: TeachingAssignment = assignment) -> list[int]:
            ids = [sid for sid, spans in enrolled.items() if _covers(spans, day)]
            if assignment.subgroup_id is not None:
                group = data.members.get(assignment.subgroup_id, set())
                ids = [sid for sid in ids if sid in group]
            return ids

        def missing(ids: Iterable[int]) -> list[Student]:
            return [data.students[sid] for sid in sorted(ids, key=place.__getitem__)]

        if data.marks_due.get(assignment.pk, True):
            for term in finished:
                absent = missing(
                    sid
                    for sid in due(term.ends_on)
                    if (assignment.pk, sid, "term", term.pk) not in data.given
                )
                if absent:
                    items.append(
                        item(
                            ItemKind.TERM_MISSING,
                            ngettext(
                                "%(term)s: the term mark is missing for %(count)s student: "
                                "%(names)s",
                                "%(term)s: term marks are missing for %(count)s students: "
                                "%(names)s",
                                len(absent),
                            )
                            % {"term": term.name, "count": len(absent), "names": _names(absent)},
                            count=len(absent),
                            subject=subject,
                            assignment_id=assignment.pk,
                            term_id=term.pk,
                            fix_url=_grid_url(assignment.pk, term.pk),
                        )
                    )
            if last_term is not None:
                absent = missing(
                    sid
                    for sid in due(last_term.ends_on)
                    if (assignment.pk, sid, "annual", None) not in data.given
                )
                if absent:
                    items.append(
                        item(
                            ItemKind.ANNUAL_MISSING,
                            ngettext(
                                "The annual mark is missing for %(count)s student: %(names)s",
                                "Annual marks are missing for %(count)s students: %(names)s",
                                len(absent),
                            )
                            % {"count": len(absent), "names": _names(absent)},
                            count=len(absent),
                            subject=subject,
                            assignment_id=assignment.pk,
                            fix_url=_grid_url(assignment.pk, last_term.pk),
                        )
                    )
        waiting = data.pending.get(assignment.pk, 0)
        if waiting:
            items.append(
                item(
                    ItemKind.CORRECTION_PENDING,
                    ngettext(
                        "%(count)s correction is waiting for approval in the register of "
                        "corrections.",
                        "%(count)s corrections are waiting for approval in the register of "
                        "corrections.",
                        waiting,
                    )
                    % {"count": waiting},
                    count=waiting,
                    subject=subject,
                    assignment_id=assignment.pk,
                    fix_url=_corrections_url(data.school, year, class_group),
                )
            )
        if assignment.pk in data.topicless:
            count, first, last = data.topicless[assignment.pk]
            dates = date_ua(first) if first == last else f"{date_ua(first)} – {date_ua(last)}"
            items.append(
                item(
                    ItemKind.TOPIC_MISSING,
                    ngettext(
                        "%(count)s held lesson has no topic (%(dates)s).",
                        "%(count)s held lessons have no topic (%(dates)s).",
                        count,
                    )
                    % {"count": count, "dates": dates},
                    count=count,
                    subject=subject,
                    assignment_id=assignment.pk,
                    fix_url=_lessons_url(data.school, year, assignment),
                )
            )
    return items


def _integrity_text(findings: list[str]) -> str:
    shown = "; ".join(findings[:FINDINGS_SHOWN])
    if len(findings) > FINDINGS_SHOWN:
        shown = _("%(names)s and %(count)s more") % {
            "names": shown,
            "count": len(findings) - FINDINGS_SHOWN,
        }
    return ngettext(
        "The journal was changed outside the application, which must be put right before "
        "closing (%(count)s finding): %(findings)s",
        "The journal was changed outside the application, which must be put right before "
        "closing (%(count)s findings): %(findings)s",
        len(findings),
    ) % {"count": len(findings), "findings": shown}


def _integrity_findings(school: School, classes: Sequence[ClassGroup]) -> dict[int, list[str]]:
    """Per class, what `zhurnal audit verify` would name: the broken chain and bad signed
    heads (the whole log, checked once, named for every class) and the rows of the class
    that differ from their audited state."""
    chain = integrity_check(tables=())
    common = [str(finding) for finding in chain.findings]
    if chain.chain is not None and chain.chain.broken_id is not None:
        common.insert(
            0,
            _("the audit log is broken at event #%(event)s (%(problem)s)")
            % {"event": chain.chain.broken_id, "problem": chain.chain.problem},
        )
    if len(classes) > 1 and integrity_check(school=school, chain=False).ok:
        return {class_group.pk: list(common) for class_group in classes}
    return {
        class_group.pk: common
        + [
            str(finding)
            for finding in integrity_check(
                school=school, class_group=class_group, chain=False
            ).findings
        ]
        for class_group in classes
    }


def _locks_url(school: School, year: AcademicYear) -> str:
    return f"{reverse('control:locks', args=[school.pk])}?{urlencode({'year': year.pk})}"


def _corrections_url(school: School, year: AcademicYear, class_group: ClassGroup) -> str:
    query = {"year": year.pk, "class_group": class_group.pk, "status": CorrectionStatus.PENDING}
    return f"{reverse('control:corrections', args=[school.pk])}?{urlencode(query)}"


def _lessons_url(school: School, year: AcademicYear, assignment: TeachingAssignment) -> str:
    """The fill page of the journal over the whole year: its lessons with gaps, each
    linking to the lesson page."""
    query = {
        "period": "custom",
        "start": year.starts_on.isoformat(),
        "end": year.ends_on.isoformat(),
    }
    return (
        f"{reverse('control:fill_assignment', args=[school.pk, assignment.pk])}?{urlencode(query)}"
    )
