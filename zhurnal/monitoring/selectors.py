"""The department's monitoring figures, read only from the summaries (FillWeek, SchoolDay,
TermMarkCount) with a fixed number of queries whatever the number of schools.

Aggregates only: a figure computed over fewer than MIN_GROUP students is suppressed, and
every total is a sum of shown groups only, so that a suppressed group can never be worked
out by subtracting shown figures from a total."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhurnal.control.metrics import FillCounts
from zhurnal.control.models import QUARTERLY_KINDS, FillWeek, Report, SchoolDay, TermMarkCount
from zhurnal.core.formats import date_ua, short_name
from zhurnal.core.timeutil import previous_week
from zhurnal.monitoring.charts import sparkline, stacked_bar
from zhurnal.schools.models import Municipality, School, TermKind

# The smallest group of students any figure may be computed over.
MIN_GROUP = 5

SPARK_WEEKS = 8
TREND_WEEKS = 12
FILL_WEEKS = 4  # the school page's tables by teacher and by class: the last four weeks
ATTENDANCE_DAYS = 30
# A "possible outbreak": the share of students ill that day is above OUTBREAK_FACTOR times
# the mean share of the previous OUTBREAK_BASELINE_DAYS school days (at least
# OUTBREAK_MIN_BASELINE of them known), and at least OUTBREAK_MIN_ILL students are ill.
OUTBREAK_FACTOR = 1.5
OUTBREAK_BASELINE_DAYS = 10
OUTBREAK_MIN_BASELINE = 5
OUTBREAK_MIN_ILL = 5

FILL_FIELDS = (
    "lessons",
    "topics",
    "attendance",
    "homework_expected",
    "homework",
    "on_time",
    "lesson_marks",
    "late_marks",
    "students",
    "student_months",
    "finals_due",
    "finals_present",
)
ANNUAL = "annual"


def plain(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Grouped query rows as plain dicts (their annotated keys are not in the stubs)."""
    return [dict(row) for row in rows]


def shown(size: int) -> bool:
    """Whether a figure over a group of `size` students may be shown."""
    return size >= MIN_GROUP


def fill_sums() -> dict[str, Any]:
    # "size" comes first: once "students" names the sum, Max("students") would refer to it
    sums: dict[str, Any] = {"size": Max("students")}
    sums |= {name: Sum(name) for name in FILL_FIELDS}
    sums["last_entry_at"] = Max("last_entry_at")
    return sums


def fill_counts(row: dict[str, Any]) -> FillCounts:
    """Counters of a grouped FillWeek row; the student-based figures (mark density,
    thematic and term marks present) are left out when its largest group of students
    is smaller than MIN_GROUP, so the level comes from the lesson-based rates only."""
    counts = FillCounts.from_summary(row)
    if not shown(int(row.get("size") or 0)):
        counts = replace(
            counts, lesson_marks=0, late_marks=0, student_months=0.0, finals_due=0, finals_present=0
        )
    return counts


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def fill_figures(counts: FillCounts, *, students_shown: bool = True) -> dict[str, Any]:
    """The figures a page or report shows of some counters: rates in per cent."""
    density = counts.density
    return {
        "lessons": counts.lessons,
        "level": counts.level,
        "topics": _percent(counts.topic_rate),
        "attendance": _percent(counts.attendance_rate),
        "homework": _percent(counts.homework_rate),
        "timeliness": _percent(counts.timeliness),
        "density": None if density is None else round(density, 2),
        "finals": _percent(counts.finals_rate),
        "students_shown": students_shown,
    }


@dataclass
class Weeks:
    """The weeks the monitoring looks at, as of a day: the last full week (Monday to
    Sunday, before the current one) and the weeks of the trend ending with it."""

    today: dt.date

    @property
    def last(self) -> dt.date:
        return previous_week(self.today)[0]

    def trend(self, count: int = TREND_WEEKS) -> list[dt.date]:
        return [self.last - dt.timedelta(days=7 * back) for back in range(count - 1, -1, -1)]


def week_label(monday: dt.date) -> str:
    return monday.strftime("%d.%m")


# --- attendance --------------------------------------------------------------------------


@dataclass
class Attendance:
    """Attendance figures of some school days; `students` is the largest number enrolled
    on one of the days (the group the figures are computed over)."""

    students: int = 0
    student_lessons: int = 0
    absences: int = 0
    illness_absences: int = 0
    students_ill: int = 0
    days: int = 0

    def add_day(self, row: dict[str, Any]) -> None:
        self.students = max(self.students, int(row["students"]))
        self.student_lessons += int(row["student_lessons"])
        self.absences += int(row["absences"])
        self.illness_absences += int(row["illness_absences"])
        self.students_ill += int(row["students_ill"])
        self.days += 1

    def add_school(self, row: dict[str, Any]) -> None:
        """Another school's figures of the same day."""
        self.students += int(row["students"])
        self.student_lessons += int(row["student_lessons"])
        self.absences += int(row["absences"])
        self.illness_absences += int(row["illness_absences"])
        self.students_ill += int(row["students_ill"])
        self.days = 1

    @property
    def suppressed(self) -> bool:
        return not shown(self.students)

    @property
    def rate(self) -> float | None:
        """Share of student-lessons attended, in per cent."""
        if self.suppressed or self.student_lessons <= 0:
            return None
        return round(100 * (1 - self.absences / self.student_lessons), 1)

    @property
    def illness_rate(self) -> float | None:
        """Share of student-lessons missed through illness, in per cent."""
        if self.suppressed or self.student_lessons <= 0:
            return None
        return round(100 * self.illness_absences / self.student_lessons, 1)

    @property
    def ill_share(self) -> float | None:
        """Students ill per day as a share of the students (0–1)."""
        if self.suppressed or self.days <= 0:
            return None
        return self.students_ill / self.days / self.students

    @property
    def ill_per_1000(self) -> float | None:
        share = self.ill_share
        return None if share is None else round(1000 * share, 1)


@dataclass
class Day:
    date: dt.date
    figures: Attendance
    outbreak: bool = False


def mark_outbreaks(days: Sequence[Day]) -> None:
    """Flag the days of a possible outbreak (see OUTBREAK_FACTOR): days are in date order
    and the earlier ones serve as the baseline of the later."""
    for index, day in enumerate(days):
        share = day.figures.ill_share
        if share is None or day.figures.students_ill < OUTBREAK_MIN_ILL:
            continue
        before = [
            earlier.figures.ill_share
            for earlier in days[max(0, index - OUTBREAK_BASELINE_DAYS) : index]
            if earlier.figures.ill_share is not None
        ]
        if len(before) < OUTBREAK_MIN_BASELINE:
            continue
        mean = sum(before) / len(before)
        day.outbreak = share > OUTBREAK_FACTOR * mean


# What a day's attendance is computed from (Attendance.add_school / add_day, one_day).
DAY_FIELDS = (
    "school_id",
    "date",
    "students",
    "student_lessons",
    "absences",
    "illness_absences",
    "students_ill",
)


def _school_days(school_ids: list[int], today: dt.date) -> QuerySet[SchoolDay]:
    # Enough calendar days for the shown school days and their baseline.
    since = today - dt.timedelta(days=2 * (ATTENDANCE_DAYS + OUTBREAK_BASELINE_DAYS) + 14)
    return SchoolDay.objects.filter(
        school_id__in=school_ids, date__gte=since, date__lte=today, student_lessons__gt=0
    ).order_by("date")


def attendance_days(rows: Iterable[dict[str, Any]], *, keep: int = ATTENDANCE_DAYS) -> list[Day]:
    """Days summed over the given SchoolDay rows, leaving out the schools too small to
    show; outbreaks flagged; the last `keep` days."""
    by_date: dict[dt.date, Attendance] = defaultdict(Attendance)
    for row in rows:
        if not shown(int(row["students"])):
            continue
        by_date[row["date"]].add_school(row)
    days = [Day(date=day, figures=by_date[day]) for day in sorted(by_date)]
    mark_outbreaks(days)
    return days[-keep:]


# --- the dashboard -----------------------------------------------------------------------


@dataclass
class SchoolRow:
    school: School
    week: FillCounts
    trend: list[FillCounts]
    classes: int = 0
    classes_with_entries: int = 0
    teachers: int = 0
    teachers_with_entries: int = 0
    last_entry_at: dt.datetime | None = None
    attendance: Attendance = field(default_factory=Attendance)
    outbreak_days: list[dt.date] = field(default_factory=list)
    rank: int | None = None
    spark: SafeString | None = None

    @property
    def level(self) -> float | None:
        return self.week.level

    @property
    def figures(self) -> dict[str, Any]:
        return fill_figures(self.week)

    @property
    def class_share(self) -> float | None:
        return None if not self.classes else round(100 * self.classes_with_entries / self.classes)

    @property
    def teacher_share(self) -> float | None:
        if not self.teachers:
            return None
        return round(100 * self.teachers_with_entries / self.teachers)

    @property
    def timeliness(self) -> float | None:
        rate = self.week.timeliness
        return None if rate is None else round(100 * rate, 1)


SORTS = ("rank", "name", "classes", "teachers", "timeliness", "attendance", "last_entry")


def _worst_first(value: float | None) -> tuple[bool, float]:
    return (value is not None, value if value is not None else 0.0)


def sort_rows(rows: list[SchoolRow], sort: str) -> list[SchoolRow]:
    """Worst first by the chosen column; schools without the figure come first (they
    are the ones to ask about)."""
    keys: dict[str, Any] = {
        "rank": lambda row: _worst_first(row.level),
        "name": lambda row: (True, 0.0),
        "classes": lambda row: _worst_first(row.class_share),
        "teachers": lambda row: _worst_first(row.teacher_share),
        "timeliness": lambda row: _worst_first(row.timeliness),
        "attendance": lambda row: _worst_first(row.attendance.rate),
        "last_entry": lambda row: (
            row.last_entry_at is not None,
            row.last_entry_at.timestamp() if row.last_entry_at else 0.0,
        ),
    }
    key = keys.get(sort, keys["rank"])
    return sorted(rows, key=lambda row: (*key(row), row.school.short_name))


def rank_rows(rows: list[SchoolRow]) -> None:
    """Rank 1 is the highest fill level last week; equal levels share a rank; schools
    without lessons last week have none."""
    levels = sorted((row.level for row in rows if row.level is not None), reverse=True)
    for row in rows:
        row.rank = None if row.level is None else levels.index(row.level) + 1


def _entries(school_ids: list[int], week: dt.date, *, by: str) -> dict[Any, dict[str, Any]]:
    held = Q(lessons__gt=0)
    entered = held & (Q(topics__gt=0) | Q(attendance__gt=0) | Q(lesson_marks__gt=0))
    return {
        row[by]: row
        for row in FillWeek.objects.filter(school_id__in=school_ids, week_start=week)
        .values(by)
        .annotate(
            classes=Count("class_group", filter=held, distinct=True),
            classes_with_entries=Count("class_group", filter=entered, distinct=True),
            teachers=Count("teacher", filter=held, distinct=True),
            teachers_with_entries=Count("teacher", filter=entered, distinct=True),
        )
    }


@dataclass
class Dashboard:
    weeks: Weeks
    rows: list[SchoolRow]
    community_trend: list[FillCounts]
    days: list[Day]
    ranked: int

    @property
    def trend_labels(self) -> list[str]:
        return [week_label(monday) for monday in self.weeks.trend()]


def department_dashboard(*, schools: Sequence[School], today: dt.date, sort: str) -> Dashboard:
    """Every school's journal keeping and attendance in the last full week, its trend,
    and the community's; five queries whatever the number of schools."""
    weeks = Weeks(today)
    trend_weeks = weeks.trend()
    school_ids = [school.pk for school in schools]

    per_week: dict[tuple[int, dt.date], FillCounts] = {}
    for week_row in plain(
        FillWeek.objects.filter(school_id__in=school_ids, week_start__in=trend_weeks)
        .values("school_id", "week_start")
        .annotate(**fill_sums())
    ):
        per_week[(week_row["school_id"], week_row["week_start"])] = fill_counts(week_row)
    entries = _entries(school_ids, weeks.last, by="school_id")
    last_entries = dict(
        FillWeek.objects.filter(school_id__in=school_ids)
        .values("school_id")
        .annotate(last=Max("last_entry_at"))
        .values_list("school_id", "last")
    )
    day_rows = plain(_school_days(school_ids, today).values(*DAY_FIELDS))

    last_week_days = {weeks.last + dt.timedelta(days=offset) for offset in range(7)}
    days_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for day in day_rows:
        days_of[day["school_id"]].append(day)
    rows: list[SchoolRow] = []
    community = [FillCounts() for _ in trend_weeks]
    for school in schools:
        trend = [per_week.get((school.pk, monday), FillCounts()) for monday in trend_weeks]
        for total, counts in zip(community, trend, strict=True):
            total.add(counts)
        row = SchoolRow(school=school, week=trend[-1], trend=trend)
        for name in ("classes", "classes_with_entries", "teachers", "teachers_with_entries"):
            setattr(row, name, int(entries.get(school.pk, {}).get(name) or 0))
        row.last_entry_at = last_entries.get(school.pk)
        own_days = days_of.get(school.pk, [])
        for day in own_days:
            if day["date"] in last_week_days:
                row.attendance.add_day(day)
        school_days = [Day(date=day["date"], figures=one_day(day)) for day in own_days]
        mark_outbreaks(school_days)
        row.outbreak_days = [day.date for day in school_days[-ATTENDANCE_DAYS:] if day.outbreak]
        spark_values = [counts.level for counts in trend[-SPARK_WEEKS:]]
        row.spark = sparkline(
            title=ngettext(
                "Fill level of %(school)s, last %(count)s week",
                "Fill level of %(school)s, last %(count)s weeks",
                SPARK_WEEKS,
            )
            % {"school": school.short_name, "count": SPARK_WEEKS},
            values=spark_values,
        )
        rows.append(row)
    rank_rows(rows)
    return Dashboard(
        weeks=weeks,
        rows=sort_rows(rows, sort),
        community_trend=community,
        days=attendance_days(day_rows),
        ranked=sum(1 for row in rows if row.rank is not None),
    )


def one_day(row: dict[str, Any]) -> Attendance:
    figures = Attendance()
    figures.add_day(row)
    return figures


# --- one school --------------------------------------------------------------------------


# The teacher of a FillWeek row, for `teacher_name`.
TEACHER_FIELDS = (
    "teacher_id",
    "teacher__last_name",
    "teacher__first_name",
    "teacher__patronymic",
    "teacher__username",
)


def teacher_name(row: Mapping[str, Any]) -> str:
    """The short name of the teacher of a row with TEACHER_FIELDS."""
    name = short_name(
        row["teacher__last_name"], row["teacher__first_name"], row["teacher__patronymic"]
    )
    return name or str(row["teacher__username"])


@dataclass
class FillRow:
    label: str
    counts: FillCounts
    size: int

    @property
    def students_shown(self) -> bool:
        return shown(self.size)

    @property
    def figures(self) -> dict[str, Any]:
        return fill_figures(self.counts, students_shown=self.students_shown)


@dataclass
class SchoolPage:
    school: School
    weeks: Weeks
    trend: list[FillCounts]
    by_teacher: list[FillRow]
    by_class: list[FillRow]
    last_week: FillCounts
    classes: int
    classes_with_entries: int
    teachers: int
    teachers_with_entries: int
    days: list[Day]
    fill_start: dt.date
    fill_end: dt.date

    @property
    def trend_labels(self) -> list[str]:
        return [week_label(monday) for monday in self.weeks.trend()]


def _by_level(rows: list[FillRow]) -> list[FillRow]:
    return sorted(rows, key=lambda row: (*_worst_first(row.counts.level), row.label))


def department_school(*, school: School, today: dt.date) -> SchoolPage:
    """One school for the department: the weekly trend, the last weeks by teacher and by
    class (worst first), and attendance by day. Five queries."""
    weeks = Weeks(today)
    trend_weeks = weeks.trend()
    fill_start = weeks.last - dt.timedelta(days=7 * (FILL_WEEKS - 1))
    fill_end = weeks.last + dt.timedelta(days=6)
    own = FillWeek.objects.filter(school=school)
    per_week = {
        row["week_start"]: fill_counts(row)
        for row in plain(
            own.filter(week_start__in=trend_weeks).values("week_start").annotate(**fill_sums())
        )
    }
    recent = own.filter(week_start__gte=fill_start, week_start__lte=weeks.last)
    by_teacher = [
        FillRow(label=teacher_name(row), counts=fill_counts(row), size=int(row["size"] or 0))
        for row in plain(recent.values(*TEACHER_FIELDS).annotate(**fill_sums()))
    ]
    by_class = [
        FillRow(
            label=f"{row['class_group__grade']}-{row['class_group__letter']}",
            counts=fill_counts(row),
            size=int(row["size"] or 0),
        )
        for row in plain(
            recent.values("class_group_id", "class_group__grade", "class_group__letter").annotate(
                **fill_sums()
            )
        )
    ]
    entries = _entries([school.pk], weeks.last, by="school_id").get(school.pk, {})
    day_rows = plain(_school_days([school.pk], today).values(*DAY_FIELDS))
    days = [Day(date=row["date"], figures=one_day(row)) for row in day_rows]
    mark_outbreaks(days)
    trend = [per_week.get(monday, FillCounts()) for monday in trend_weeks]
    return SchoolPage(
        school=school,
        weeks=weeks,
        trend=trend,
        by_teacher=_by_level(by_teacher),
        by_class=_by_level(by_class),
        last_week=trend[-1],
        classes=int(entries.get("classes") or 0),
        classes_with_entries=int(entries.get("classes_with_entries") or 0),
        teachers=int(entries.get("teachers") or 0),
        teachers_with_entries=int(entries.get("teachers_with_entries") or 0),
        days=days[-ATTENDANCE_DAYS:],
        fill_start=fill_start,
        fill_end=fill_end,
    )


# --- term marks --------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkPeriod:
    """A choice of term marks: an academic year (by name, the same in every school) and
    a term (kind and number) or the annual marks."""

    year_name: str
    kind: str  # a TermKind value, or ANNUAL
    number: int = 0

    @property
    def key(self) -> str:
        if self.kind == ANNUAL:
            return f"{self.year_name}|{ANNUAL}"
        return f"{self.year_name}|{self.kind}|{self.number}"

    @property
    def label(self) -> str:
        if self.kind == ANNUAL:
            return _("%(year)s, annual marks") % {"year": self.year_name}
        kinds = dict(TermKind.choices)
        return _("%(year)s, %(kind)s %(number)s") % {
            "year": self.year_name,
            "kind": kinds.get(self.kind, self.kind),
            "number": self.number,
        }

    def filter(self) -> Q:
        if self.kind == ANNUAL:
            return Q(year__name=self.year_name, kind=ANNUAL)
        return Q(
            year__name=self.year_name, kind="term", term__kind=self.kind, term__number=self.number
        )


def mark_periods(
    school_ids: list[int], *, ending: tuple[dt.date, dt.date] | None = None
) -> list[MarkPeriod]:
    """The periods with term marks in these schools, the latest first; with `ending`, only
    the terms (and academic years, for annual marks) that end within those days. One query."""
    counts = TermMarkCount.objects.filter(school_id__in=school_ids)
    if ending is not None:
        counts = counts.filter(
            Q(kind="term", term__ends_on__range=ending)
            | Q(kind=ANNUAL, year__ends_on__range=ending)
        )
    found = set()
    for year_name, kind, term_kind, number in counts.values_list(
        "year__name", "kind", "term__kind", "term__number"
    ).distinct():
        if kind == ANNUAL:
            found.add(MarkPeriod(year_name, ANNUAL))
        elif term_kind:
            found.add(MarkPeriod(year_name, term_kind, int(number or 0)))
    return sorted(
        found,
        key=lambda p: (p.year_name, p.kind == ANNUAL, p.kind, p.number),
        reverse=True,
    )


def value_order(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value.replace(",", ".")), value)
    except ValueError:
        return (1, 0.0, value)


@dataclass
class MarkRow:
    """Counts per mark value of a row of the distribution: the sum of its groups of
    MIN_GROUP students or more; `left_out` groups were smaller and are not counted."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)
    groups: int = 0
    left_out: int = 0
    bar: SafeString | None = None
    cells: list[int] = field(default_factory=list)  # counts in the order of the values

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def suppressed(self) -> bool:
        return self.groups == 0


@dataclass
class Distribution:
    values: list[str]
    rows: list[MarkRow]
    total: MarkRow

    def cells(self, row: MarkRow) -> list[int]:
        return [row.counts.get(value, 0) for value in self.values]


BREAKDOWNS = ("school", "grade", "subject", "grade_subject")


def mark_distribution(
    *,
    schools: Sequence[School],
    period: MarkPeriod,
    by: str,
    grade: int | None = None,
    subject: str | None = None,
) -> Distribution:
    """Term marks of the period counted per value, in rows by school, grade, subject or
    grade and subject. A group — one school's grade in one subject — smaller than
    MIN_GROUP is left out of every figure, totals included. One query."""
    names = {school.pk: school.short_name for school in schools}
    query = TermMarkCount.objects.filter(period.filter(), school_id__in=list(names))
    if grade is not None:
        query = query.filter(grade=grade)
    if subject:
        query = query.filter(subject_name=subject)
    groups: dict[tuple[int, int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for school_id, row_grade, row_subject, value, count in query.values_list(
        "school_id", "grade", "subject_name", "value"
    ).annotate(n=Sum("count")):
        groups[(school_id, row_grade, row_subject)][value] += int(count or 0)

    def row_key(key: tuple[int, int, str]) -> tuple[Any, ...]:
        school_id, row_grade, row_subject = key
        if by == "school":
            return (names[school_id],)
        if by == "grade":
            return (row_grade,)
        if by == "subject":
            return (row_subject,)
        return (row_grade, row_subject)

    def row_label(key: tuple[Any, ...]) -> str:
        if by == "grade":
            return _("grade %(grade)s") % {"grade": key[0]}
        if by == "grade_subject":
            return _("grade %(grade)s, %(subject)s") % {"grade": key[0], "subject": key[1]}
        return str(key[0])

    rows: dict[tuple[Any, ...], MarkRow] = {}
    total = MarkRow(label=_("All shown groups"))
    values: set[str] = set()
    for key, counts in groups.items():
        row = rows.setdefault(row_key(key), MarkRow(label=row_label(row_key(key))))
        if not shown(sum(counts.values())):
            row.left_out += 1
            total.left_out += 1
            continue
        row.groups += 1
        total.groups += 1
        for value, count in counts.items():
            values.add(value)
            row.counts[value] = row.counts.get(value, 0) + count
            total.counts[value] = total.counts.get(value, 0) + count
    ordered = sorted(values, key=value_order)
    result = Distribution(values=ordered, rows=[rows[key] for key in sorted(rows)], total=total)
    for row in [*result.rows, total]:
        row.cells = result.cells(row)
        if row.suppressed:
            continue
        row.bar = stacked_bar(
            title=_("Term marks: %(row)s") % {"row": row.label},
            desc=", ".join(f"{value}: {row.counts.get(value, 0)}" for value in ordered),
            parts=[(value, row.counts.get(value, 0)) for value in ordered],
        )
    return result


def mark_filters(school_ids: list[int], period: MarkPeriod | None) -> tuple[list[int], list[str]]:
    """The grades and subjects with term marks in the period, for the filter form.
    One query."""
    if period is None:
        return [], []
    grades: set[int] = set()
    subjects: set[str] = set()
    for row_grade, row_subject in (
        TermMarkCount.objects.filter(period.filter(), school_id__in=school_ids)
        .values_list("grade", "subject_name")
        .distinct()
    ):
        grades.add(row_grade)
        subjects.add(row_subject)
    return sorted(grades), sorted(subjects)


def day_label(day: dt.date) -> str:
    return date_ua(day)[:5]


def community_schools(municipality: Municipality) -> list[School]:
    return list(School.objects.filter(municipality=municipality).order_by("short_name"))


def quarterly_reports(municipality: Municipality) -> list[Report]:
    """The community's kept quarterly reports and its schools', the newest quarter first."""
    return list(
        Report.objects.filter(municipality=municipality, kind__in=QUARTERLY_KINDS)
        .select_related("school", "requested_by")
        .order_by("-period_start", "school__short_name", "pk")
    )
