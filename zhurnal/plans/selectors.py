"""Reads of calendar plans: a plan with its themes, the theme names of the journal's
thematic columns, the planned topic of a lesson, the school's progress against the plans
and the shared templates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, Sum

from zhurnal.plans.models import Plan, PlanStatus, PlanTemplate, PlanTheme, PlanTopic
from zhurnal.schools.models import AcademicYear, School, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment


def terms_of(assignment: TeachingAssignment) -> list[Term]:
    """The terms of the assignment's year that apply to its class's grade, in order."""
    grade = assignment.class_group.grade
    return list(
        Term.objects.filter(
            year_id=assignment.year_id, grade_from__lte=grade, grade_to__gte=grade
        ).order_by("starts_on", "number")
    )


def term_on(terms: list[Term], day: dt.date) -> Term | None:
    """The term holding the day, else the last one begun before it, else the first."""
    begun = [term for term in terms if term.starts_on <= day]
    for term in begun:
        if day <= term.ends_on:
            return term
    if begun:
        return begun[-1]
    return terms[0] if terms else None


def plan_of(assignment: TeachingAssignment, term: Term) -> Plan | None:
    """The assignment's plan for the term with its themes and topics (two more queries)."""
    plan = (
        Plan.objects.filter(assignment=assignment, term=term)
        .select_related("decided_by")
        .prefetch_related(
            Prefetch("themes", queryset=PlanTheme.objects.order_by("number")),
            Prefetch("topics", queryset=PlanTopic.objects.order_by("position")),
        )
        .first()
    )
    if plan is not None:
        plan.assignment = assignment
        plan.term = term
    return plan


def theme_names(assignment: TeachingAssignment, term: Term) -> dict[int, str]:
    """{theme number: «Тема 2. Звичайні дроби»-style name} for the grid's thematic columns."""
    rows = PlanTheme.objects.filter(plan__assignment=assignment, plan__term=term).exclude(name="")
    return dict(rows.values_list("number", "name"))


@dataclass(frozen=True)
class PlannedTopic:
    title: str
    theme_number: int
    theme_name: str
    lesson_number: int  # the lesson's number in the term (1-based, cancelled ones skipped)


def planned_topic(lesson: Lesson) -> PlannedTopic | None:
    """The plan's topic for the lesson: the n-th held lesson of its assignment in its term
    (cancelled lessons skipped, in date and bell order) takes the topic covering the n-th
    hour of the plan. Two queries: the plan's topics, then the lessons before this one."""
    topics = list(
        PlanTopic.objects.filter(
            plan__assignment_id=lesson.assignment_id,
            plan__term__starts_on__lte=lesson.date,
            plan__term__ends_on__gte=lesson.date,
        )
        .order_by("position")
        .values_list("title", "hours", "theme__number", "theme__name", "plan__term__starts_on")
    )
    if not topics:
        return None
    starts_on = topics[0][4]
    before = (
        Lesson.objects.filter(
            assignment_id=lesson.assignment_id,
            is_cancelled=False,
            date__gte=starts_on,
        )
        .filter(
            Q(date__lt=lesson.date) | Q(date=lesson.date, period__number__lt=lesson.period.number)
        )
        .count()
    )
    covered = 0
    for title, hours, number, name, _starts in topics:
        covered += hours
        if before < covered:
            return PlannedTopic(title, number, name, before + 1)
    return None


# --- the school's progress against the plans ---------------------------------------------


@dataclass
class ProgressRow:
    assignment: TeachingAssignment
    term: Term
    plan_id: int | None = None
    status: str = ""
    planned_hours: int = 0
    held: int = 0
    with_topic: int = 0
    reached: int = 0  # the plan's hours up to the furthest topic recorded in a held lesson
    matched: bool = False  # some recorded topic is one of the plan's

    @property
    def behind(self) -> int:
        """How many lessons the recorded topics lag behind the lessons held."""
        if not self.plan_id or not self.planned_hours:
            return 0
        reached = self.reached if self.matched else self.with_topic
        return max(0, min(self.held, self.planned_hours) - reached)

    @property
    def status_label(self) -> str:
        return str(PlanStatus(self.status).label) if self.status else ""


@dataclass
class SchoolProgress:
    year: AcademicYear | None
    rows: list[ProgressRow] = field(default_factory=list)

    @property
    def without_plan(self) -> list[ProgressRow]:
        return [row for row in self.rows if row.plan_id is None]

    @property
    def waiting(self) -> list[ProgressRow]:
        return [row for row in self.rows if row.status == PlanStatus.SUBMITTED]

    @property
    def behind(self) -> list[ProgressRow]:
        """The assignments behind their plans, the furthest behind first."""
        return sorted((row for row in self.rows if row.behind > 0), key=lambda r: -r.behind)

    @property
    def with_plan(self) -> list[ProgressRow]:
        return [row for row in self.rows if row.plan_id is not None]


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


def school_progress(
    school: School, today: dt.date, *, now_time: dt.time | None = None
) -> SchoolProgress:
    """Every assignment of the school's current year in its current term: the plan's
    status and hours, the lessons held so far (not cancelled; of today only those begun
    by `now_time`, all of them without it), those with a topic, and how far into the plan
    the recorded topics reached — followed in the order the lessons were given, so that a
    topic the plan repeats counts at its next place, not its first. Six queries whatever
    the size of the school."""
    year = (
        AcademicYear.objects.filter(school=school, starts_on__lte=today)
        .order_by("-starts_on")
        .first()
    )
    progress = SchoolProgress(year=year)
    if year is None:
        return progress
    terms = list(Term.objects.filter(year=year).order_by("starts_on", "number"))
    assignments = list(
        TeachingAssignment.objects.filter(year=year).select_related(
            "subject", "class_group", "subgroup", "teacher"
        )
    )
    for assignment in assignments:
        grade = assignment.class_group.grade
        term = term_on([t for t in terms if t.grade_from <= grade <= t.grade_to], today)
        if term is not None:
            progress.rows.append(ProgressRow(assignment=assignment, term=term))
    by_key = {(row.assignment.pk, row.term.pk): row for row in progress.rows}
    plans = (
        Plan.objects.filter(assignment__year=year)
        .annotate(planned=Sum("topics__hours"))
        .values_list("pk", "assignment_id", "term_id", "status", "planned")
    )
    plan_rows: dict[int, ProgressRow] = {}
    for pk, assignment_id, term_id, status, planned in plans:
        row = by_key.get((assignment_id, term_id))
        if row is not None:
            row.plan_id, row.status, row.planned_hours = pk, status, planned or 0
            plan_rows[pk] = row
    # Where every topic of the plan ends, in hours from its start (a topic the plan
    # repeats ends at several places).
    ends: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    covered: dict[int, int] = defaultdict(int)
    for plan_id, title, hours in (
        PlanTopic.objects.filter(plan_id__in=list(plan_rows))
        .order_by("plan_id", "position")
        .values_list("plan_id", "title", "hours")
    ):
        covered[plan_id] += hours
        ends[plan_id][_norm(title)].append(covered[plan_id])
    first_day = min((row.term.starts_on for row in progress.rows), default=today)
    held = Lesson.objects.filter(
        assignment__year=year, is_cancelled=False, date__gte=first_day, date__lte=today
    )
    if now_time is not None:
        held = held.exclude(date=today, period__starts_at__gt=now_time)
    rows_by_assignment = {row.assignment.pk: row for row in progress.rows}
    for assignment_id, day, topic in held.order_by("date", "period__number").values_list(
        "assignment_id", "date", "topic"
    ):
        row = rows_by_assignment.get(assignment_id)
        if row is None or not row.term.starts_on <= day <= row.term.ends_on:
            continue
        row.held += 1
        if not topic:
            continue
        row.with_topic += 1
        places = ends[row.plan_id].get(_norm(topic)) if row.plan_id else None
        if places:
            row.matched = True
            # the topic's next place in the plan after where the class has got to
            row.reached = next((end for end in places if end > row.reached), row.reached)
    return progress


def templates_list(
    templates: QuerySet[PlanTemplate], *, subject: str = "", grade: int | None = None
) -> list[PlanTemplate]:
    """The templates filtered by subject (its name, any case) and grade."""
    if subject:
        templates = templates.filter(subject_name__icontains=subject)
    if grade:
        templates = templates.filter(grade=grade)
    return list(templates.select_related("school", "author")[:200])
