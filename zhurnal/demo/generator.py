"""The synthetic community behind `zhurnal demo`.

One municipality with its education department and N schools (a lyceum 1–11, a gymnasium
5–9, a primary school 1–4, cycling): the year, terms, holidays and bells; classes with
students and their families; staff with realistic teaching loads; a conflict-free weekly
timetable; and the current term's lessons, filled in up to yesterday with topics,
homework, attendance and marks. Everything comes from one `random.Random(seed)` and a
fixed "today", so the same seed on the same day builds the same community.

Rows are written with `bulk_create` in batches; journal rows carry the times at which a
teacher would have entered them, so fill level and lateness look real. One audit event
("demo.generate") records the build instead of one per row, and one seal per school and
journal table records each row's digest, the baseline `zhurnal audit verify` checks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count

from zhurnal.accounts.models import User
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.audit.services import audit_record
from zhurnal.control import summaries
from zhurnal.core.formats import transliterate
from zhurnal.core.timeutil import week_range
from zhurnal.demo import names, topics
from zhurnal.demo.timetabling import Item, TimetableError, build_timetable
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    GradingScale,
    Mark,
    MarkKind,
    ScaleRule,
)
from zhurnal.people.models import (
    DerivedRole,
    Enrollment,
    Guardian,
    HealthGroup,
    PEGroup,
    Relation,
    Role,
    RoleAssignment,
    Sex,
    StaffMember,
    Student,
    StudentGuardian,
    SubgroupMember,
)
from zhurnal.people.privacy.selectors import notice_defaults
from zhurnal.people.privacy.services import privacy_notice_accept, privacy_notice_publish
from zhurnal.people.selectors import alphabetical_key
from zhurnal.plans.importing import ParsedPlan, ParsedTheme, ParsedTopic
from zhurnal.plans.services import plan_approve, plan_save, plan_submit
from zhurnal.schools.curriculum_templates import (
    curriculum_for_grade,
    homework_expected_by_default,
)
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    Holiday,
    Municipality,
    School,
    SchoolKind,
    SecondFactorPolicy,
    Subgroup,
    Subject,
    Term,
)
from zhurnal.timetable.models import (
    Lesson,
    Period,
    TeacherAbsence,
    TeachingAssignment,
    Timetable,
    TimetableEntry,
)
from zhurnal.timetable.selectors import school_days

# Lessons per theme of the demo's calendar plans (a theme is a few weeks of lessons).
PLAN_THEME_SIZE = 8
DEMO_PASSWORD = "zhurnal-demo"  # noqa: S105 - the demo's published shared password
MUNICIPALITY_NAME = "Зеленогірська міська територіальна громада"
DEPARTMENT_NAME = "Управління освіти Зеленогірської міської ради"
TOWN = "м. Зеленогірськ"
TIME_ZONE = "Europe/Kyiv"
BATCH = 2000

ProgressFn = Callable[[str], None]
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _SchoolType:
    kind: str
    grade_min: int
    grade_max: int
    name: str
    short_name: str


SCHOOL_TYPES = (
    _SchoolType(SchoolKind.GENERAL, 1, 11, "Зеленогірський ліцей № {n}", "Ліцей № {n}"),
    _SchoolType(SchoolKind.GYMNASIUM, 5, 9, "Зеленогірська гімназія № {n}", "Гімназія № {n}"),
    _SchoolType(
        SchoolKind.PRIMARY, 1, 4, "Зеленогірська початкова школа № {n}", "Початкова школа № {n}"
    ),
)

# Teachers are hired per subject family: one teacher of Ukrainian teaches the language and
# both literatures, a historian also teaches law and civics, and so on.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "ukr": ("Українська мова", "Українська література", "Зарубіжна література"),
    "foreign": ("Англійська мова", "Іноземна мова"),
    "math": (
        "Математика",
        "Алгебра",
        "Геометрія",
        "Математика (алгебра і початки аналізу, геометрія)",
    ),
    "history": (
        "Вступ до історії України та громадянської освіти",
        "Історія України",
        "Всесвітня історія",
        "Основи правознавства",
        "Громадянська освіта",
        "Етика",
    ),
    "science": (
        "Пізнаємо природу",
        "Біологія",
        "Біологія і екологія",
        "Географія",
        "Хімія",
        "Здоров’я, безпека та добробут",
        "Основи здоров’я",
    ),
    "physics": ("Фізика", "Фізика і астрономія", "STEM"),
    "informatics": ("Інформатика",),
    "tech": ("Технології", "Трудове навчання"),
    "arts": ("Музичне мистецтво", "Образотворче мистецтво", "Мистецтво"),
    "pe": ("Фізична культура", "Захист України"),
}
_FAMILY_OF = {subject: family for family, subjects in _FAMILIES.items() for subject in subjects}
_POSITIONS = {
    "ukr": "вчитель української мови та літератури",
    "foreign": "вчитель англійської мови",
    "math": "вчитель математики",
    "history": "вчитель історії",
    "science": "вчитель природничих дисциплін",
    "physics": "вчитель фізики",
    "informatics": "вчитель інформатики",
    "tech": "вчитель технологій",
    "arts": "вчитель мистецтва",
    "pe": "вчитель фізичної культури",
    "primary": "вчитель початкових класів",
}
_QUALIFICATIONS = (
    "спеціаліст",
    "спеціаліст другої категорії",
    "спеціаліст першої категорії",
    "спеціаліст вищої категорії",
    "спеціаліст вищої категорії, старший учитель",
    "спеціаліст вищої категорії, учитель-методист",
)
TEACHER_MAX_LOAD = 24  # weekly lessons; a new teacher is hired beyond it
TEACHER_TARGET_LOAD = 22  # weekly lessons a family's teachers are planned for
# Bells: 45-minute lessons from 8:30, breaks of 10 minutes and two long ones of 20.
_BREAKS_AFTER = {1: 10, 2: 20, 3: 20, 4: 10, 5: 10, 6: 10, 7: 10}
PERIODS = 8
_TEST_WORDS = ("контрольна", "test")
_PRACTICAL_WORDS = ("лабораторна", "практична робота", "практичне заняття", "практикум")


def family_of(subject: str, grade: int) -> str:
    """Which kind of teacher teaches a subject: in grades 1–4 the class's own primary
    teacher teaches everything but the foreign language and PE."""
    family = _FAMILY_OF.get(subject, "science")
    if grade <= 4 and family not in {"foreign", "pe"}:
        return "primary"
    return family


def term_hours(hours: Decimal, term_number: int) -> int:
    """Whole weekly lessons for fractional curriculum hours: the extra half hour is taught
    in the I semester (1,5 → 2 then 1; 0,5 → 1 then none)."""
    whole = math.floor(hours)
    return whole + 1 if hours != whole and term_number == 1 else whole


def school_year_start(today: dt.date) -> int:
    """The calendar year in which the school year containing `today` began; in summer, the
    year that has just ended."""
    return today.year if today.month >= 9 else today.year - 1


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    who: str


@dataclass
class DemoSummary:
    seed: int
    today: dt.date
    schools: int
    password: str
    logins: list[DemoLogin]
    counts: dict[str, int]
    seconds: float = 0.0


# --- the plan of one school, before and after its rows exist -----------------------------


@dataclass
class _Unit:
    """One teaching assignment to make: a subject in a class, or in one of its groups."""

    class_index: int
    subject: str
    hours: Decimal
    weekly: int
    group: int  # 0: whole class, 1 or 2: the group
    teacher: int = -1
    assignment: TeachingAssignment | None = None


@dataclass
class _TeacherSlot:
    family: str
    load: int = 0
    bundles: list[tuple[int, int]] = field(default_factory=list)  # (class_index, group)
    user: User | None = None
    room: str = ""


@dataclass
class _Family:
    """A household: children in the community's schools share surname and guardians."""

    surname: str
    father: str
    father_patronymic: str
    mother: str
    mother_patronymic: str
    has_mother: bool
    has_father: bool
    address: str
    children: list[tuple[Student, int]] = field(default_factory=list)  # (student, grade)
    guardians: list[tuple[Guardian, str]] = field(default_factory=list)


@dataclass
class _Pupil:
    student: Student
    class_index: int
    ability: float
    pe_exempt: bool


def _bulk(model_class: type[M], rows: Sequence[M]) -> list[M]:
    return model_class._default_manager.bulk_create(rows, batch_size=BATCH)


class _RawInsert:
    """INSERT … VALUES for the big journal tables, with values already in database form.

    bulk_create spends most of its time preparing each value of each row; marks, attendance
    and lessons are hundreds of thousands of rows. Columns not named take the model field's
    default, so a field added later with a default needs no change here.
    """

    def __init__(self, model_class: type[models.Model], attnames: str) -> None:
        given = attnames.split()
        fields = {f.attname: f for f in model_class._meta.concrete_fields}
        rest = [f for name, f in fields.items() if name not in given and not f.primary_key]
        columns = [str(fields[name].column) for name in given] + [str(f.column) for f in rest]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        quote = connection.ops.quote_name
        # Only quoted table and column names from the model's own metadata: no user input.
        table = quote(model_class._meta.db_table)
        column_list = ", ".join(quote(column) for column in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        self.sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608

    def __call__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        defaults = self.defaults
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 10 * BATCH):
                cursor.executemany(
                    self.sql, [row + defaults for row in rows[start : start + 10 * BATCH]]
                )


class _Builder:
    def __init__(
        self,
        *,
        seed: int,
        schools: int,
        today: dt.date,
        classes_per_grade: int | None,
        students_per_class: tuple[int, int],
        progress: ProgressFn,
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.school_count = schools
        self.today = today
        self.classes_per_grade = classes_per_grade
        self.students_per_class = students_per_class
        self.progress = progress
        self.tz = ZoneInfo(TIME_ZONE)
        self.password = make_password(DEMO_PASSWORD)
        self.counts: dict[str, int] = defaultdict(int)
        self.logins: list[DemoLogin] = []
        self.start_year = school_year_start(today)
        self.today_start = dt.datetime.combine(today, dt.time.min, tzinfo=self.tz)
        self.setup_time = dt.datetime(self.start_year, 8, 28, 10, 0, tzinfo=self.tz)
        self.scales = {
            scale.code: scale for scale in GradingScale.objects.prefetch_related("values")
        }
        self.level_numeric = {
            value.code: value.numeric_value for value in self.scales["nus-levels"].values.all()
        }
        self.points = {n: Decimal(n) for n in range(1, 13)}
        self.used_emails: set[str] = set()

    # --- helpers ------------------------------------------------------------------------

    def _count(self, label: str, number: int) -> None:
        self.counts[label] += number

    def _user(
        self,
        username: str,
        surname: str,
        given: str,
        patronymic: str,
        *,
        email: str = "",
        phone: str = "",
    ) -> User:
        return User(
            username=username,
            password=self.password,
            last_name=surname,
            first_name=given,
            patronymic=patronymic,
            email=email,
            phone=phone,
        )

    def _adult(self, *, female: bool) -> tuple[str, str, str]:
        surname = names.surname_for(self.rng.choice(names.SURNAMES), female=female)
        grandfather = self.rng.choice(names.MALE_ADULT_NAMES)[0]
        given = (
            self.rng.choice(names.FEMALE_ADULT_NAMES)
            if female
            else self.rng.choice(names.MALE_ADULT_NAMES)[0]
        )
        return surname, given, names.patronymic(grandfather, female=female)

    def _phone(self) -> str:
        digits = self.rng.randrange(10**7)
        return f"+380{self.rng.choice(names.MOBILE_CODES)}{digits:07d}"

    def _email(self, given: str, surname: str) -> str:
        while True:
            local = f"{transliterate(given)}.{transliterate(surname)}"
            if self.rng.random() < 0.5:
                local += str(self.rng.randint(1, 99))
            email = f"{local}@{self.rng.choice(names.MAIL_DOMAINS)}"
            if email not in self.used_emails:
                self.used_emails.add(email)
                return email

    def _address(self) -> str:
        flat = f", кв. {self.rng.randint(1, 120)}" if self.rng.random() < 0.6 else ""
        street = self.rng.choice(names.STREETS)
        return f"{TOWN}, {street}, {self.rng.randint(1, 90)}{flat}"

    def _at(self, day: dt.date, moment: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, moment, tzinfo=self.tz)

    # --- the community ------------------------------------------------------------------

    def build(self) -> DemoSummary:
        started = time.monotonic()
        with transaction.atomic():
            municipality = Municipality.objects.create(
                name=MUNICIPALITY_NAME,
                department_name=DEPARTMENT_NAME,
                time_zone=TIME_ZONE,
                # The demo's printed logins get in with the password alone; a visitor may
                # still set up a second factor on the sign-in security page.
                second_factor_policy=SecondFactorPolicy.OFF,
            )
            specialist = self._user(
                "department",
                "Литвиненко",
                "Алла",
                "Петрівна",
                email="department@osvita.zelenohirsk.gov.ua",
            )
            specialist.save()
            RoleAssignment.objects.create(
                user=specialist, role=Role.DEPARTMENT, municipality=municipality
            )
            self._count("users", 1)
            self.logins.append(
                DemoLogin(
                    str(Role.DEPARTMENT.label), "department", f"{specialist} — {DEPARTMENT_NAME}"
                )
            )
        for number in range(1, self.school_count + 1):
            school_type = SCHOOL_TYPES[(number - 1) % len(SCHOOL_TYPES)]
            with transaction.atomic():
                school = _SchoolBuilder(self, municipality, number, school_type)
                school.build()
                # The rows above have no audit event each: seal them as the baseline
                # that `zhurnal audit verify` reconciles them against.
                audit_rows_seal(actor=None, school_id=school.school.pk, reason="zhurnal demo")
        with transaction.atomic():
            # The department has published the community's privacy notice, and the demo's
            # family logins accepted it when they registered with their codes.
            notice = privacy_notice_publish(
                actor=specialist, municipality=municipality, texts=notice_defaults(municipality)
            )
            families = User.objects.filter(
                models.Q(guardian__isnull=False) | models.Q(student__isnull=False)
            )
            for user in families:
                privacy_notice_accept(user=user, municipality=municipality, notice=notice)
        summaries_started = time.monotonic()
        summaries.summaries_rebuild()
        self.progress(f"monitoring summaries ({time.monotonic() - summaries_started:.1f} s)")
        with transaction.atomic():
            audit_record(
                actor=None,
                action="demo.generate",
                obj=municipality,
                after={"seed": self.seed, "today": self.today.isoformat(), **self.counts},
                reason="zhurnal demo",
            )
        summaries.summaries_mark_current()
        return DemoSummary(
            seed=self.seed,
            today=self.today,
            schools=self.school_count,
            password=DEMO_PASSWORD,
            logins=self._ordered_logins(),
            counts=dict(self.counts),
            seconds=time.monotonic() - started,
        )

    def _ordered_logins(self) -> list[DemoLogin]:
        order = [
            str(Role.DEPARTMENT.label),
            str(Role.SCHOOL_ADMIN.label),
            str(Role.DIRECTOR.label),
            str(Role.DEPUTY.label),
            str(Role.TEACHER.label),
            str(DerivedRole.CLASS_TEACHER.label),
            str(DerivedRole.STUDENT.label),
            str(DerivedRole.GUARDIAN.label),
        ]
        return sorted(self.logins, key=lambda login: order.index(login.role))


class _SchoolBuilder:
    def __init__(
        self, community: _Builder, municipality: Municipality, number: int, kind: _SchoolType
    ) -> None:
        self.c = community
        self.rng = community.rng
        self.municipality = municipality
        self.number = number
        self.kind = kind
        self.featured = number == 1
        # Schools differ in how carefully their journals are kept, so that the
        # department's ranking and the deputy's gaps have something to show.
        self.neglect = (0.0, 0.01, 0.03, 0.06, 0.12)[(number * 7) % 5]
        self.started = time.monotonic()

    def build(self) -> None:
        self._school_and_year()
        self._classes_and_curriculum()
        self._teachers()
        self._students()
        self._assignments()
        self._timetable()
        self._lessons()
        self._teacher_away()
        if self.featured:
            self._calendar_plans()
        seconds = time.monotonic() - self.started
        c = self.c
        c.progress(
            f"{self.school.short_name}: {len(self.classes)} classes, {len(self.pupils)} students, "
            f"{len(self.teachers)} teachers, {self.lesson_count} lessons, "
            f"{self.mark_count} marks, {self.absence_count} attendance entries "
            f"({seconds:.1f} s)"
        )

    # --- school, year, terms, holidays, bells -----------------------------------------

    def _school_and_year(self) -> None:
        n, kind, y = self.number, self.kind, self.c.start_year
        self.school = School.objects.create(
            municipality=self.municipality,
            name=f"{kind.name.format(n=n)} Зеленогірської міської ради",
            short_name=kind.short_name.format(n=n),
            code=f"{137_000 + n * 173}",
            kind=kind.kind,
            address=f"{TOWN}, {self.rng.choice(names.STREETS)}, {self.rng.randint(1, 60)}",
            grade_min=kind.grade_min,
            grade_max=kind.grade_max,
        )
        self.year = AcademicYear.objects.create(
            school=self.school,
            name=f"{y}/{y + 1}",
            starts_on=dt.date(y, 9, 1),
            ends_on=dt.date(y + 1, 6, 30),
        )
        term2_start = dt.date(y + 1, 1, 12)
        while term2_start.isoweekday() > 5:
            term2_start += dt.timedelta(days=1)
        terms = [
            Term(
                year=self.year,
                number=1,
                name="І семестр",
                starts_on=dt.date(y, 9, 1),
                ends_on=dt.date(y, 12, 24),
                grade_from=kind.grade_min,
                grade_to=kind.grade_max,
            ),
            Term(
                year=self.year,
                number=2,
                name="ІІ семестр",
                starts_on=term2_start,
                ends_on=dt.date(y + 1, 5, 30),
                grade_from=kind.grade_min,
                grade_to=kind.grade_max,
            ),
        ]
        _bulk(Term, terms)
        self.term = terms[0]
        for term in terms:
            if term.starts_on <= self.c.today:
                self.term = term

        autumn = week_range(dt.date(y, 10, 28))
        spring = week_range(dt.date(y + 1, 3, 25))
        self.holidays = _bulk(
            Holiday,
            [
                Holiday(
                    year=self.year, name="Осінні канікули", starts_on=autumn[0], ends_on=autumn[1]
                ),
                Holiday(
                    year=self.year,
                    name="Зимові канікули",
                    starts_on=dt.date(y, 12, 25),
                    ends_on=term2_start - dt.timedelta(days=1),
                ),
                Holiday(
                    year=self.year, name="Весняні канікули", starts_on=spring[0], ends_on=spring[1]
                ),
            ],
        )
        periods = []
        start = dt.datetime(2000, 1, 1, 8, 30, tzinfo=dt.UTC)  # wall-clock arithmetic only
        for number in range(1, PERIODS + 1):
            end = start + dt.timedelta(minutes=45)
            periods.append(
                Period(year=self.year, number=number, starts_at=start.time(), ends_at=end.time())
            )
            start = end + dt.timedelta(minutes=_BREAKS_AFTER.get(number, 10))
        self.periods = {period.number: period for period in _bulk(Period, periods)}

    # --- classes, subjects, curriculum, scales ------------------------------------------

    def _classes_and_curriculum(self) -> None:
        c = self.c
        classes: list[ClassGroup] = []
        for grade in self.school.grades:
            count = c.classes_per_grade or self.rng.choice((2, 3, 3))
            classes.extend(
                ClassGroup(year=self.year, grade=grade, letter=letter) for letter in "АБВ"[:count]
            )
        self.classes = _bulk(ClassGroup, classes)
        plans = {grade: curriculum_for_grade(grade) for grade in self.school.grades}
        subject_names = sorted({line[0] for plan in plans.values() for line in plan})
        self.subjects = {
            subject.name: subject
            for subject in _bulk(
                Subject,
                [
                    Subject(
                        school=self.school,
                        name=name,
                        is_physical_education=name == "Фізична культура",
                        homework_expected=homework_expected_by_default(name),
                    )
                    for name in subject_names
                ],
            )
        }
        _bulk(
            CurriculumEntry,
            [
                CurriculumEntry(
                    year=self.year,
                    grade=grade,
                    subject=self.subjects[name],
                    hours_per_week=hours,
                    split_into_groups=split,
                )
                for grade, plan in plans.items()
                for name, hours, split in plan
            ],
        )
        self.units: list[_Unit] = []
        for index, class_group in enumerate(self.classes):
            for name, hours, split in plans[class_group.grade]:
                weekly = term_hours(hours, self.term.number)
                # Groups are formed from grade 5: the brief's rule for the demo.
                groups = (1, 2) if split and class_group.grade >= 5 else (0,)
                self.units.extend(_Unit(index, name, hours, weekly, group) for group in groups)
        rules = []
        grades = self.school.grades
        for low, high, code in ((5, 11, "ua-12"), (3, 4, "nus-levels"), (1, 2, "comments")):
            low, high = max(low, grades.start), min(high, grades.stop - 1)
            if low <= high:
                rules.append(
                    ScaleRule(
                        school=self.school, grade_from=low, grade_to=high, scale=c.scales[code]
                    )
                )
        _bulk(ScaleRule, rules)
        c._count("classes", len(self.classes))

    # --- staff and teaching loads -----------------------------------------------------

    def _teachers(self) -> None:
        """Hire teachers for the units and solve the weekly timetable for them; where the
        loads leave the timetable no solution, hire more teachers with lighter loads."""
        for max_load in (TEACHER_MAX_LOAD, 22, 20, 18):
            self._allocate(max_load)
            self._plan_timetable_items()
            try:
                self.slots = build_timetable(self.items, self.rng, max_steps=15_000, attempts=2)
                break
            except TimetableError:
                self.c.progress(f"{self.school.short_name}: timetable too tight, lighter loads")
        else:
            raise TimetableError(f"{self.school.short_name}: no conflict-free timetable")
        self._class_teachers()
        self._staff_users()

    def _allocate(self, max_load: int) -> None:
        """Share the units among teachers family by family, a class's bundle at a time."""
        bundles: dict[tuple[str, int, int], list[_Unit]] = defaultdict(list)
        for unit in self.units:
            grade = self.classes[unit.class_index].grade
            bundles[(family_of(unit.subject, grade), unit.class_index, unit.group)].append(unit)
        by_family: dict[str, list[tuple[int, int, list[_Unit]]]] = defaultdict(list)
        for (family, class_index, group), units in bundles.items():
            by_family[family].append((class_index, group, units))
        # A class with 22 weekly lessons has lessons only in periods 1–5; a teacher who
        # teaches only such classes has 25 possible slots, and the timetable needs slack.
        weekly: dict[int, int] = defaultdict(int)
        for unit in self.units:
            if unit.group <= 1:
                weekly[unit.class_index] += unit.weekly
        reach = {index: 5 * math.ceil(count / 5) for index, count in weekly.items()}
        self.teachers: list[_TeacherSlot] = []

        def fits(t: int, class_index: int, load: int) -> bool:
            slot = self.teachers[t]
            slots = max([reach[class_index], *(reach[ci] for ci, _ in slot.bundles)])
            return slot.load + load <= min(max_load, slots - 6)

        for family in sorted(by_family):
            items = by_family[family]
            total = sum(unit.weekly for _, _, units in items for unit in units)
            pool = [
                len(self.teachers) + k for k in range(max(1, round(total / TEACHER_TARGET_LOAD)))
            ]
            self.teachers.extend(_TeacherSlot(family) for _ in pool)
            items.sort(key=lambda item: (-sum(u.weekly for u in item[2]), item[0], item[1]))
            for class_index, group, units in items:
                load = sum(unit.weekly for unit in units)
                sibling = (class_index, 3 - group) if group else None
                candidates = [
                    t
                    for t in pool
                    if fits(t, class_index, load)
                    and (sibling is None or sibling not in self.teachers[t].bundles)
                    and (family != "primary" or not self.teachers[t].bundles)
                ]
                if not candidates:
                    pool.append(len(self.teachers))
                    self.teachers.append(_TeacherSlot(family))
                    candidates = [pool[-1]]
                chosen = min(candidates, key=lambda t: (self.teachers[t].load, t))
                slot = self.teachers[chosen]
                slot.load += load
                slot.bundles.append((class_index, group))
                for unit in units:
                    unit.teacher = chosen
        # Slots that got no class (fewer bundles than planned teachers) are not hired.
        kept = [t for t, slot in enumerate(self.teachers) if slot.bundles]
        renumber = {old: new for new, old in enumerate(kept)}
        self.teachers = [self.teachers[t] for t in kept]
        for unit in self.units:
            unit.teacher = renumber[unit.teacher]

    def _class_teachers(self) -> None:
        hours: dict[tuple[int, int], int] = defaultdict(int)
        for unit in self.units:
            hours[(unit.class_index, unit.teacher)] += unit.weekly
        self.class_teacher_of: dict[int, int] = {}
        leading: set[int] = set()
        for index, class_group in enumerate(self.classes):
            teaching = sorted(
                (teacher for (ci, teacher) in hours if ci == index),
                key=lambda t: (t in leading, -hours[(index, t)], t),
            )
            if class_group.grade <= 4:
                teaching = [t for t in teaching if self.teachers[t].family == "primary"] or teaching
            if teaching:
                self.class_teacher_of[index] = teaching[0]
                leading.add(teaching[0])
        grade5 = [i for i, cg in enumerate(self.classes) if cg.grade >= 5]
        self.showcase_class = grade5[0] if grade5 else 0
        self.showcase_teacher = self.class_teacher_of.get(self.showcase_class, 0)

    def _staff_users(self) -> None:
        c, n = self.c, self.number
        domain = f"school{n}.zelenohirsk.edu.ua"
        candidates = [
            t
            for t, slot in enumerate(self.teachers)
            if t != self.showcase_teacher and slot.family in {"ukr", "math", "history", "science"}
        ] or [t for t in range(len(self.teachers)) if t != self.showcase_teacher]
        deputies_wanted = 2 if self.kind.grade_max - self.kind.grade_min >= 8 else 1
        deputies = self.rng.sample(candidates, min(deputies_wanted, len(candidates)))
        users: list[User] = []
        staff: list[tuple[str, str]] = []  # (position, qualification) per user
        roles: list[list[str]] = []

        def person(username: str, position: str, role_list: list[str], *, female: bool) -> User:
            surname, given, patronymic = c._adult(female=female)
            user = c._user(
                username, surname, given, patronymic, email=f"{username}@{domain}", phone=c._phone()
            )
            users.append(user)
            staff.append((position, self.rng.choice(_QUALIFICATIONS)))
            roles.append(role_list)
            return user

        director = person(
            f"director{n}", "директор", [Role.DIRECTOR], female=self.rng.random() < 0.6
        )
        admin = person(
            f"admin{n}",
            "адміністратор електронного журналу (інженер-програміст)",
            [Role.SCHOOL_ADMIN],
            female=self.rng.random() < 0.5,
        )
        person(f"medic{n}", "сестра медична", [Role.MEDICAL], female=True)
        deputy_users: list[User] = []
        other = 1
        for t, slot in enumerate(self.teachers):
            female = self.rng.random() < 0.8
            position = _POSITIONS[slot.family]
            if t == self.showcase_teacher:
                slot.user = person(f"teacher{n}", position, [Role.TEACHER], female=female)
            elif t in deputies:
                suffix = "" if not deputy_users else "b"
                slot.user = person(
                    f"deputy{n}{suffix}",
                    f"заступник директора з навчально-виховної роботи, {position}",
                    [Role.DEPUTY, Role.TEACHER],
                    female=female,
                )
                deputy_users.append(slot.user)
            else:
                other += 1
                slot.user = person(
                    f"teacher{n}-{other:02d}", position, [Role.TEACHER], female=female
                )
            slot.room = f"{100 * (1 + t % 3) + t // 3 + 1}"
            if slot.family == "pe":
                slot.room = "спортзал"
        _bulk(User, users)
        self.controller = deputy_users[0] if deputy_users else director
        self.deputy_ids = {user.pk for user in deputy_users}
        _bulk(
            StaffMember,
            [
                StaffMember(user=user, school=self.school, position=pos, qualification=qual)
                for user, (pos, qual) in zip(users, staff, strict=True)
            ],
        )
        _bulk(
            RoleAssignment,
            [
                RoleAssignment(user=user, role=role, school=self.school)
                for user, role_list in zip(users, roles, strict=True)
                for role in role_list
            ],
        )
        for index, slot_index in self.class_teacher_of.items():
            self.classes[index].class_teacher = self.teachers[slot_index].user
        ClassGroup.objects.bulk_update(self.classes, ["class_teacher"], batch_size=BATCH)
        c._count("users", len(users))
        c._count("staff", len(users))
        if self.featured:
            school = self.school.short_name
            teacher = self.teachers[self.showcase_teacher].user
            assert teacher is not None
            showcase = self.classes[self.showcase_class]
            c.logins += [
                DemoLogin(str(Role.SCHOOL_ADMIN.label), admin.username, f"{admin} — {school}"),
                DemoLogin(str(Role.DIRECTOR.label), director.username, f"{director} — {school}"),
                DemoLogin(
                    str(Role.DEPUTY.label),
                    deputy_users[0].username,
                    f"{deputy_users[0]} — {school}",
                )
                if deputy_users
                else DemoLogin(str(Role.DEPUTY.label), "-", ""),
                DemoLogin(
                    str(Role.TEACHER.label),
                    teacher.username,
                    f"{teacher} — {_POSITIONS[self.teachers[self.showcase_teacher].family]}",
                ),
                DemoLogin(
                    str(DerivedRole.CLASS_TEACHER.label),
                    teacher.username,
                    f"{teacher} — {showcase} ({school}); той самий вхід, що й у вчителя",
                ),
            ]

    # --- students and families ---------------------------------------------------------

    def _new_family(self) -> _Family:
        c = self.c
        father = self.rng.choice(names.MALE_ADULT_NAMES)[0]
        _, mother, mother_patronymic = c._adult(female=True)
        has_mother = self.rng.random() < 0.95
        return _Family(
            surname=self.rng.choice(names.SURNAMES),
            father=father,
            father_patronymic=names.patronymic(
                self.rng.choice(names.MALE_ADULT_NAMES)[0], female=False
            ),
            mother=mother,
            mother_patronymic=mother_patronymic,
            has_mother=has_mother,
            has_father=not has_mother or self.rng.random() < 0.7,
            address=c._address(),
        )

    def _students(self) -> None:
        c = self.c
        low, high = c.students_per_class
        families: list[_Family] = []
        self.pupils: list[_Pupil] = []
        grades = list(self.school.grades)
        older = next((g for g in grades if g >= 5), grades[-1])
        younger = 3 if 3 in grades and older > 3 else grades[0]
        showcase_family: _Family | None = None
        first_in_grade: set[int] = set()
        students: list[Student] = []
        for index, class_group in enumerate(self.classes):
            grade = class_group.grade
            for position in range(self.rng.randint(low, high)):
                family: _Family | None = None
                forced = self.featured and position == 0 and grade not in first_in_grade
                if forced and grade == younger:
                    family = self._new_family()
                    showcase_family = family
                elif forced and grade == older and showcase_family is not None:
                    family = showcase_family
                elif families and self.rng.random() < 0.12:
                    family = self.rng.choice(families)
                    if (
                        family is showcase_family
                        or len(family.children) >= 3
                        or any(g == grade for _, g in family.children)
                    ):
                        family = None
                if family is None:
                    family = self._new_family()
                if not family.children:
                    families.append(family)
                female = self.rng.random() < 0.49
                age_years = 6 + grade - 1 + (1 if self.rng.random() < 0.05 else 0)
                birth_start = dt.date(c.start_year - age_years - 1, 9, 1)
                health = self.rng.choices(
                    (HealthGroup.BASIC, HealthGroup.PREPARATORY, HealthGroup.SPECIAL),
                    (85, 12, 3),
                )[0]
                pe_exempt = health == HealthGroup.SPECIAL and self.rng.random() < 0.3
                pe_group = PEGroup.EXEMPT if pe_exempt else PEGroup(str(health))
                taken = {child.given_name for child, _ in family.children}
                given = self.rng.choice(
                    [n for n in (names.GIRL_NAMES if female else names.BOY_NAMES) if n not in taken]
                )
                surname = names.surname_for(family.surname, female=female)
                student = Student(
                    municipality=self.municipality,
                    surname=surname,
                    given_name=given,
                    patronymic=names.patronymic(family.father, female=female),
                    birth_date=birth_start + dt.timedelta(days=self.rng.randrange(365)),
                    sex=Sex.FEMALE if female else Sex.MALE,
                    personal_file_number=f"{surname[0]}-{self.rng.randint(1, 400)}",
                    address=family.address,
                    health_group=health,
                    pe_group=pe_group,
                    special_needs=self.rng.random() < 0.02,
                )
                students.append(student)
                family.children.append((student, grade))
                ability = min(11.6, max(2.5, self.rng.gauss(7.8, 1.8)))
                self.pupils.append(_Pupil(student, index, ability, pe_exempt))
                first_in_grade.add(grade)
        # Logins for the showcase family of school 1: the older child and the mother.
        if self.featured and showcase_family is not None and len(showcase_family.children) > 1:
            child = showcase_family.children[-1][0]
            child_user = c._user("student1", child.surname, child.given_name, child.patronymic)
            child_user.save()
            child.user = child_user
            c._count("users", 1)
        _bulk(Student, students)
        _bulk(
            Enrollment,
            [
                Enrollment(
                    student=pupil.student,
                    class_group=self.classes[pupil.class_index],
                    starts_on=self.year.starts_on,
                )
                for pupil in self.pupils
            ],
        )
        guardians: list[Guardian] = []
        links: list[tuple[_Family, Guardian, str]] = []
        for family in families:
            if family.has_mother:
                surname = names.surname_for(family.surname, female=True)
                guardian = Guardian(
                    municipality=self.municipality,
                    surname=surname,
                    given_name=family.mother,
                    patronymic=family.mother_patronymic,
                    phone=c._phone(),
                    email=c._email(family.mother, surname) if self.rng.random() < 0.6 else "",
                )
                guardians.append(guardian)
                links.append((family, guardian, Relation.MOTHER))
            if family.has_father:
                guardian = Guardian(
                    municipality=self.municipality,
                    surname=family.surname,
                    given_name=family.father,
                    patronymic=family.father_patronymic,
                    phone=c._phone(),
                    email=c._email(family.father, family.surname)
                    if self.rng.random() < 0.4
                    else "",
                )
                guardians.append(guardian)
                links.append((family, guardian, Relation.FATHER))
        if self.featured and showcase_family is not None and len(showcase_family.children) > 1:
            parent = next(g for f, g, _ in links if f is showcase_family)
            parent_user = c._user(
                "parent1",
                parent.surname,
                parent.given_name,
                parent.patronymic,
                email=parent.email,
                phone=parent.phone,
            )
            parent_user.save()
            parent.user = parent_user
            c._count("users", 1)
            kids = " і ".join(
                f"{s.given_name} ({self.classes[self._class_of(s)]})"
                for s, _ in showcase_family.children
            )
            child = showcase_family.children[-1][0]
            c.logins += [
                DemoLogin(
                    str(DerivedRole.STUDENT.label),
                    "student1",
                    f"{child} — {self.classes[self._class_of(child)]}, {self.school.short_name}",
                ),
                DemoLogin(str(DerivedRole.GUARDIAN.label), "parent1", f"{parent} — {kids}"),
            ]
        _bulk(Guardian, guardians)
        _bulk(
            StudentGuardian,
            [
                StudentGuardian(student=student, guardian=guardian, relation=relation)
                for family, guardian, relation in links
                for student, _ in family.children
            ],
        )
        c._count("students", len(students))
        c._count("guardians", len(guardians))

    def _class_of(self, student: Student) -> int:
        return next(p.class_index for p in self.pupils if p.student is student)

    # --- groups and teaching assignments ----------------------------------------------

    def _assignments(self) -> None:
        roster: dict[int, list[_Pupil]] = defaultdict(list)
        for pupil in self.pupils:
            roster[pupil.class_index].append(pupil)
        for pupils in roster.values():
            pupils.sort(
                key=lambda p: (
                    alphabetical_key(p.student.surname),
                    alphabetical_key(p.student.given_name),
                )
            )
        self.roster = roster
        subgroups: dict[tuple[int, str, int], Subgroup] = {}
        for unit in self.units:
            if unit.group:
                subgroups[(unit.class_index, unit.subject, unit.group)] = Subgroup(
                    class_group=self.classes[unit.class_index],
                    subject=self.subjects[unit.subject],
                    name=f"{unit.group} група",
                )
        _bulk(Subgroup, list(subgroups.values()))
        members: list[SubgroupMember] = []
        self.group_roster: dict[tuple[int, str, int], list[_Pupil]] = {}
        for (class_index, subject, group), subgroup in subgroups.items():
            pupils = roster[class_index]
            half = (len(pupils) + 1) // 2
            chosen = pupils[:half] if group == 1 else pupils[half:]
            self.group_roster[(class_index, subject, group)] = chosen
            members.extend(SubgroupMember(subgroup=subgroup, student=p.student) for p in chosen)
        _bulk(SubgroupMember, members)
        assignments = []
        for unit in self.units:
            teacher = self.teachers[unit.teacher].user
            assert teacher is not None
            unit.assignment = TeachingAssignment(
                year=self.year,
                teacher=teacher,
                subject=self.subjects[unit.subject],
                class_group=self.classes[unit.class_index],
                subgroup=subgroups.get((unit.class_index, unit.subject, unit.group)),
                hours_per_week=unit.hours,
            )
            assignments.append(unit.assignment)
        _bulk(TeachingAssignment, assignments)
        self.c._count("teaching assignments", len(assignments))

    # --- the weekly timetable ---------------------------------------------------------

    def _plan_timetable_items(self) -> None:
        grouped: dict[tuple[int, str], list[_Unit]] = defaultdict(list)
        for unit in self.units:
            grouped[(unit.class_index, unit.subject)].append(unit)
        items: list[Item] = []
        item_units: list[list[_Unit]] = []
        for (class_index, subject), units in grouped.items():
            units.sort(key=lambda u: u.group)
            for _ in range(units[0].weekly):
                items.append(
                    Item(
                        class_key=class_index,
                        subject=subject,
                        teachers=tuple(u.teacher for u in units),
                        assignments=tuple(range(len(units))),
                    )
                )
                item_units.append(units)
        self.items, self.item_units = items, item_units

    def _timetable(self) -> None:
        timetable = Timetable.objects.create(
            year=self.year,
            name=f"Розклад на {self.term.name}",
            valid_from=self.term.starts_on,
            valid_to=self.term.ends_on,
        )
        entries: list[TimetableEntry] = []
        for units, (weekday, period) in zip(self.item_units, self.slots, strict=True):
            for unit in units:
                slot = self.teachers[unit.teacher]
                room = slot.room
                if slot.family == "primary":
                    room = f"{10 + unit.class_index}"
                entries.append(
                    TimetableEntry(
                        timetable=timetable,
                        weekday=weekday,
                        period=self.periods[period],
                        assignment=unit.assignment,
                        room=room,
                    )
                )
        self.entries = _bulk(TimetableEntry, entries)
        self.c._count("timetable entries", len(entries))

    # --- lessons and the journal ------------------------------------------------------

    def _lessons(self) -> None:
        c = self.c
        days = school_days(
            year=self.year,
            start=self.term.starts_on,
            end=self.term.ends_on,
            holidays=self.holidays,
        )
        by_weekday: dict[int, list[TimetableEntry]] = defaultdict(list)
        for entry in self.entries:
            by_weekday[entry.weekday].append(entry)
        for entries in by_weekday.values():
            entries.sort(key=lambda e: (e.period.number, e.assignment.pk))
        unit_of = {id(unit.assignment): unit for unit in self.units}
        lesson_index: dict[int, int] = defaultdict(int)
        lessons: list[Lesson] = []
        meta: list[tuple[_Unit, int]] = []
        for day in days:
            for entry in by_weekday[day.isoweekday()]:
                unit = unit_of[id(entry.assignment)]
                index = lesson_index[entry.assignment.pk]
                lesson_index[entry.assignment.pk] = index + 1
                lesson = Lesson(
                    assignment=entry.assignment,
                    date=day,
                    period=entry.period,
                    timetable_entry=entry,
                    room=entry.room,
                    created_at=c.setup_time,
                    updated_at=c.setup_time,
                )
                if day < c.today:
                    self._fill_lesson(lesson, unit, index)
                lessons.append(lesson)
                meta.append((unit, index))
        self._insert_lessons(lessons)
        self.lesson_count = len(lessons)
        c._count("lessons", len(lessons))
        self._journal(lessons, meta, days)

    def _teacher_away(self) -> None:
        """One teacher with lessons today on sick leave (not the showcase teacher, not a
        deputy), recorded by the deputy: the administration's home and the substitutions
        page have lessons waiting for a substitute."""
        c = self.c
        weekday = c.today.isoweekday()
        busy = {entry.assignment.teacher_id for entry in self.entries if entry.weekday == weekday}
        showcase = self.teachers[self.showcase_teacher].user
        spared = {*self.deputy_ids, showcase.pk if showcase else None}
        candidates = sorted(busy - spared)
        if not candidates:
            return
        TeacherAbsence.objects.create(
            school=self.school,
            teacher_id=self.rng.choice(candidates),
            starts_on=c.today,
            ends_on=c.today + dt.timedelta(days=2),
            reason="лікарняний",
            recorded_by=self.controller,
            created_at=c.setup_time,
            updated_at=c.setup_time,
        )
        c._count("teacher absences", 1)

    def _calendar_plans(self) -> None:
        """The showcase teacher's calendar plans of the term, in the order the demo's
        lessons take their topics (so each coming lesson's topic is typed in from the
        plan): the first approved by the deputy, the others waiting for approval."""
        c = self.c
        teacher = self.teachers[self.showcase_teacher].user
        if teacher is None:
            return
        held = dict(
            Lesson.objects.filter(assignment__teacher=teacher, date__range=(
                self.term.starts_on, self.term.ends_on))
            .values_list("assignment_id")
            .annotate(n=Count("pk"))
        )  # fmt: skip
        units = [u for u in self.units if u.assignment and u.assignment.teacher_id == teacher.pk]
        for order, unit in enumerate(units):
            assert unit.assignment is not None
            grade = self.classes[unit.class_index].grade
            count = held.get(unit.assignment.pk, 0)
            titles = [topics.topic_for(unit.subject, grade, i) for i in range(count)]
            chunks = [titles[i : i + PLAN_THEME_SIZE] for i in range(0, count, PLAN_THEME_SIZE)]
            themes = [
                ParsedTheme(name=chunk[0], topics=[ParsedTopic(title=title) for title in chunk])
                for chunk in chunks
            ]
            if not themes:
                continue
            plan = plan_save(
                actor=teacher, assignment=unit.assignment, term=self.term,
                parsed=ParsedPlan(themes=themes),
            )  # fmt: skip
            plan_submit(actor=teacher, plan=plan)
            if order == 0:
                plan_approve(actor=self.controller, plan=plan)
            c._count("calendar plans", 1)

    def _insert_lessons(self, lessons: list[Lesson]) -> None:
        db_time = connection.ops.adapt_datetimefield_value
        db_date = connection.ops.adapt_datefield_value
        insert = _RawInsert(
            Lesson,
            "assignment_id date period_id timetable_entry_id room topic topic_recorded_at "
            "homework homework_recorded_at attendance_taken_at created_at updated_at",
        )
        insert(
            [
                (
                    lesson.assignment_id,
                    db_date(lesson.date),
                    lesson.period_id,
                    lesson.timetable_entry_id,
                    lesson.room,
                    lesson.topic,
                    db_time(lesson.topic_recorded_at),
                    lesson.homework,
                    db_time(lesson.homework_recorded_at),
                    db_time(lesson.attendance_taken_at),
                    db_time(lesson.created_at),
                    db_time(lesson.updated_at),
                )
                for lesson in lessons
            ]
        )
        ids = {
            (assignment_id, day, period_id): pk
            for pk, assignment_id, day, period_id in Lesson.objects.filter(
                assignment__year=self.year
            ).values_list("pk", "assignment_id", "date", "period_id")
        }
        for lesson in lessons:
            lesson.pk = ids[(lesson.assignment_id, lesson.date, lesson.period_id)]

    def _fill_lesson(self, lesson: Lesson, unit: _Unit, index: int) -> None:
        rng, c = self.rng, self.c
        grade = self.classes[unit.class_index].grade
        start = c._at(lesson.date, lesson.period.starts_at)
        end = c._at(lesson.date, lesson.period.ends_at)
        latest = start
        neglect = self.neglect
        if rng.random() < 0.97 - neglect:
            lesson.attendance_taken_at = start + dt.timedelta(minutes=rng.randint(2, 12))
            latest = lesson.attendance_taken_at
        if rng.random() < 0.98 - neglect:  # a few lessons stay without a topic: a real gap
            roll = rng.random()
            if roll < 0.88 - 2 * neglect:
                recorded = end + dt.timedelta(minutes=rng.randint(1, 360))
                recorded = min(recorded, c._at(lesson.date, dt.time(22, 30)))
            elif roll < 0.97:
                recorded = c._at(lesson.date + dt.timedelta(days=1), dt.time(8)) + dt.timedelta(
                    minutes=rng.randint(0, 720)
                )
            else:
                recorded = c._at(
                    lesson.date + dt.timedelta(days=rng.randint(2, 4)), dt.time(16)
                ) + dt.timedelta(minutes=rng.randint(0, 240))
            if recorded >= c.today_start:
                recorded = end + dt.timedelta(minutes=30)
            lesson.topic = topics.topic_for(unit.subject, grade, index)
            lesson.topic_recorded_at = recorded
            homework = topics.homework_for(unit.subject, grade, index, rng)
            if homework and rng.random() < 0.93 - neglect:
                lesson.homework = homework
                lesson.homework_recorded_at = recorded + dt.timedelta(minutes=rng.randint(0, 3))
            latest = max(latest, lesson.homework_recorded_at or recorded)
        lesson.updated_at = latest

    def _absence_calendar(self, days: list[dt.date]) -> dict[tuple[int, dt.date], tuple[bool, str]]:
        """Whole days away: illness streaks for some students, a family day for a few."""
        past = [day for day in days if day < self.c.today]
        away: dict[tuple[int, dt.date], tuple[bool, str]] = {}
        if not past:
            return away
        rng = self.rng
        for number in range(len(self.pupils)):
            roll = rng.random()
            if roll < 0.06:
                length, excused, reason = rng.randint(3, 7), True, topics.ILLNESS_REASON
            elif roll < 0.16:
                length = rng.randint(1, 2)
                excused = rng.random() < 0.7
                reason = topics.ILLNESS_REASON if excused else ""
            elif roll < 0.19:
                length, excused, reason = 1, True, topics.FAMILY_REASON
            else:
                continue
            first = rng.randrange(len(past))
            for day in past[first : first + length]:
                away[(number, day)] = (excused, reason)
        return away

    def _journal(
        self, lessons: list[Lesson], meta: list[tuple[_Unit, int]], days: list[dt.date]
    ) -> None:
        c, rng = self.c, self.rng
        db_time = connection.ops.adapt_datetimefield_value
        number_of = {id(pupil): n for n, pupil in enumerate(self.pupils)}
        away = self._absence_calendar(days)
        levels = ("П", "С", "Д", "В")
        numeric_db = {
            code: connection.ops.adapt_decimalfield_value(value, 5, 2)
            for code, value in [
                *((str(n), Decimal(n)) for n in range(1, 13)),
                *c.level_numeric.items(),
            ]
        }
        marks: list[tuple[Any, ...]] = []
        attendance: list[tuple[Any, ...]] = []
        mark_insert = _RawInsert(
            Mark,
            "assignment_id lesson_id student_id kind value numeric_value comment "
            "created_by_id created_at updated_at",
        )
        attendance_insert = _RawInsert(
            Attendance,
            "lesson_id student_id status excused excuse_reason recorded_by_id "
            "created_at updated_at",
        )
        self.mark_count = 0
        self.absence_count = 0
        for lesson, (unit, _index) in zip(lessons, meta, strict=True):
            if lesson.date >= c.today:
                continue
            assert unit.assignment is not None
            teacher_id = unit.assignment.teacher_id
            assignment_id = unit.assignment.pk
            lesson_id = lesson.pk
            grade = self.classes[unit.class_index].grade
            pupils = (
                self.group_roster[(unit.class_index, unit.subject, unit.group)]
                if unit.group
                else self.roster[unit.class_index]
            )
            absent: set[int] = set()
            if lesson.attendance_taken_at is not None:
                taken = db_time(lesson.attendance_taken_at)
                for pupil in pupils:
                    day_away = away.get((number_of[id(pupil)], lesson.date))
                    if day_away is not None:
                        absent.add(id(pupil))
                        excused, reason = day_away
                        # The class teacher excuses the absence a couple of days later.
                        updated = (
                            db_time(lesson.attendance_taken_at + dt.timedelta(days=2))
                            if excused
                            else taken
                        )
                        attendance.append(
                            (
                                lesson_id,
                                pupil.student.pk,
                                AttendanceStatus.ABSENT.value,
                                excused,
                                reason,
                                teacher_id,
                                taken,
                                updated,
                            )
                        )
                for status, rate in (
                    (AttendanceStatus.ABSENT, 0.006),
                    (AttendanceStatus.LATE, 0.005),
                ):
                    if pupils and rng.random() < len(pupils) * rate:
                        pupil = rng.choice(pupils)
                        if id(pupil) not in absent:
                            if status == AttendanceStatus.ABSENT:
                                absent.add(id(pupil))
                            attendance.append(
                                (
                                    lesson_id,
                                    pupil.student.pk,
                                    status.value,
                                    False,
                                    "",
                                    teacher_id,
                                    taken,
                                    taken,
                                )
                            )
            else:
                # No register taken: the teacher still would not mark a child who was away.
                for pupil in pupils:
                    if (number_of[id(pupil)], lesson.date) in away:
                        absent.add(id(pupil))
            present = [p for p in pupils if id(p) not in absent]
            if unit.subject == "Фізична культура":
                present = [p for p in present if not p.pe_exempt]
            if not present:
                continue
            entered = db_time(
                lesson.topic_recorded_at
                or c._at(lesson.date, lesson.period.ends_at) + dt.timedelta(minutes=10)
            )
            if grade <= 2:
                chosen = rng.sample(present, min(len(present), rng.randint(0, 2)))
                for pupil in chosen:
                    marks.append(
                        (
                            assignment_id,
                            lesson_id,
                            pupil.student.pk,
                            MarkKind.CURRENT.value,
                            "",
                            None,
                            rng.choice(topics.COMMENTS),
                            teacher_id,
                            entered,
                            entered,
                        )
                    )
                self.mark_count += len(chosen)
                continue
            topic = lesson.topic.lower()
            whole_class = None
            if any(word in topic for word in _TEST_WORDS):
                whole_class = MarkKind.TEST
            elif any(word in topic for word in _PRACTICAL_WORDS):
                whole_class = MarkKind.PRACTICAL
            if whole_class is not None:
                chosen = present
            else:
                wanted = rng.randint(3, 6) if grade >= 5 else rng.randint(1, 3)
                chosen = rng.sample(present, min(len(present), wanted))
            for pupil in chosen:
                kind = (
                    whole_class
                    or rng.choices(
                        (MarkKind.CURRENT, MarkKind.ORAL, MarkKind.NOTEBOOK), (65, 25, 10)
                    )[0]
                )
                points = pupil.ability + rng.gauss(-0.4 if kind == MarkKind.TEST else 0, 1.3)
                point = min(12, max(1, round(points)))
                value = str(point) if grade >= 5 else levels[min(3, (point - 1) // 3)]
                marks.append(
                    (
                        assignment_id,
                        lesson_id,
                        pupil.student.pk,
                        kind.value,
                        value,
                        numeric_db[value],
                        "",
                        teacher_id,
                        entered,
                        entered,
                    )
                )
            self.mark_count += len(chosen)
            if len(marks) >= 10 * BATCH:
                mark_insert(marks)
                marks = []
        mark_insert(marks)
        attendance_insert(attendance)
        self.absence_count = len(attendance)
        c._count("marks", self.mark_count)
        c._count("attendance entries", self.absence_count)


def build_demo(
    *,
    seed: int = 1,
    schools: int = 3,
    today: dt.date,
    classes_per_grade: int | None = None,
    students_per_class: tuple[int, int] = (25, 32),
    progress: ProgressFn | None = None,
) -> DemoSummary:
    """Build the demo community into the current database and return its logins and counts.

    `classes_per_grade` (default: 2 or 3 at random) and `students_per_class` make small
    communities for tests. The database is expected to be empty of demo data.
    """
    if schools < 1:
        raise ValueError("at least one school")
    low, high = students_per_class
    if not 2 <= low <= high:
        raise ValueError("students per class: 2 ≤ low ≤ high")
    return _Builder(
        seed=seed,
        schools=schools,
        today=today,
        classes_per_grade=classes_per_grade,
        students_per_class=students_per_class,
        progress=progress or (lambda _message: None),
    ).build()
