"""A write into a closed year is refused through every page and endpoint (issue 10).

Every address of the URL configuration (`tests/privacy/routes.py` enumerates them) and
every operation of the API's OpenAPI description is looked at. One that accepts a POST,
PUT, PATCH or DELETE is either exercised here (CASES) or allowed to write outside the
school's year (OUTSIDE_YEAR, each with its reason); a new one that is neither fails
`test_every_writing_route_is_exercised_or_allowed`.

Each case is a plausible request, sent as every role that writes there: first with the
year open, where it must change the database (so that the closed run below is not refused
for a typo in the test); then with the year closed, where the database must stay as it
was — row counts and a digest of every row of Zhurnal's tables (`write_probe`, which also
lists the few tables left out and why) — and the answer must not claim a success. With one
class closed and its year open, the rows that concern that class must stay as they were,
while another class of the year stays writable."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from tests.cast import Community
from tests.privacy.routes import (
    API_PARAMETER,
    SKIPPED_NAMES,
    SKIPPED_PREFIXES,
    Route,
    web_routes,
)
from zhurnal.accounts.models import User
from zhurnal.api.services import token_create
from zhurnal.archive.tests.write_probe import (
    EXCLUDED_MODELS,
    Snapshot,
    accepts_post,
    changed_tables,
    claims_success,
    class_snapshot,
    database_snapshot,
    own_form,
)
from zhurnal.control.remarks.services import journal_remark_create, journal_remark_resolve
from zhurnal.imports.models import ImportKind
from zhurnal.imports.services import import_batch_create
from zhurnal.imports.tests.builders import (
    STAFF_HEADER,
    STUDENT_HEADER,
    csv_bytes,
    staff,
    student,
)
from zhurnal.journal.models import (
    AttendanceStatus,
    CorrectionStatus,
    Mark,
    OfflineEntry,
    OfflineOutcome,
    RemarkKind,
)
from zhurnal.journal.services import (
    attendance_set,
    homework_file_add,
    mark_set,
    remark_add,
    term_lock,
)
from zhurnal.plans.models import Plan, PlanTheme, PlanTopic
from zhurnal.schools.models import AcademicYear, ClassGroup, Holiday, Subject
from zhurnal.schools.services import subgroup_create
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment, Weekday
from zhurnal.timetable.services import (
    lesson_cancel,
    lesson_substitute,
    teacher_absence_record,
    timetable_create,
    timetable_entry_create,
)

KYIV = ZoneInfo("Europe/Kyiv")
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=KYIV)  # a Monday of the I semester
TODAY = NOW.date()
CLOSED_AT = dt.datetime(2026, 11, 16, 9, 0, tzinfo=KYIV)
WRITE_METHODS = ("post", "put", "patch", "delete")

# --- what may write outside the school's year ---------------------------------------------

OUTSIDE_YEAR: dict[str, str] = {
    # a person's own account
    "accounts:language": "the interface language of one's own account",
    "accounts:security": "one's own sign-in security page",
    "accounts:second_factor_enrol": "one's own second factor at sign-in",
    "accounts:second_factor_off": "one's own second factor at sign-in",
    "accounts:recovery_codes_new": "one's own recovery codes",
    "accounts:reauthenticate": "confirming one's own password before a sensitive action",
    "people:register": "a family creates its own login with a one-time code (codes are "
    "issued only in an open year: people:codes_issue is exercised)",
    "people:add_child": "a guardian links their login to one more child with a code",
    "notifications:preferences": "one's own notification settings",
    "notifications:unsubscribe": "leaving an e-mail notification from its link",
    "diary:calendar": "a family's own private calendar address (created or revoked)",
    "api:tokens": "one's own API tokens",
    "api:token_revoke": "one's own API tokens",
    # the school, across its years
    "setup:setup_years": "creating an academic year: the next one is made after closing",
    "setup:setup_year_standard": "creating the standard next year with its terms",
    "setup:setup_subjects": "the school's catalogue of subjects, used by every year",
    "setup:setup_subjects_edit": "the school's catalogue of subjects, used by every year "
    "(a closed year's journal is kept in its archival package as it was)",
    "setup:setup_grading": "the school's scale rules, decisions for the years to come",
    "setup:setup_grading_edit": "the school's scale rules, decisions for the years to come",
    "setup:setup_grading_delete": "the school's scale rules, decisions for the years to come",
    "setup:setup_term_mark_method": "the school's way of proposing term marks, for the "
    "years to come",
    "setup:setup_staff": "the school's staff and their logins, not bound to a year",
    "setup:setup_staff_detail": "a staff member's roles at the school, not bound to a year",
    "setup:setup_staff_password": "a temporary password for a staff member's login",
    "notifications:school_policy": "the school's notification policy",
    # the privacy notice and the consent register (issue 11): about people, not a year
    "people:privacy_notice": "one's own acceptance of the community's privacy notice",
    "people:privacy_notice_edit": "the department's privacy notice of the community",
    "people:family_privacy": "a family's own consents about the child, not bound to a "
    "year (a correction request needs the child's class in an open year)",
    "people:correction_request_answer": "the class teacher answers a family's request about "
    "the child's personal data, also after the year closed",
    "home:school_signin_policy": "the school's sign-in policy (second factor): accounts, "
    "not the year's records",
    "home:department_signin_policy": "the community's sign-in policy (second factor)",
    "home:school_operators": "the director's grant of operator access to the school's "
    "personal data, for days, not bound to a year",
    "home:school_operator_revoke": "ending an operator's access to the school's data",
    # reports: reads of the data, kept as files
    "control:weekly_produce": "a weekly report reads the journal and keeps the figures",
    "monitoring:department_reports_request": "the department's quarterly reports read "
    "aggregates and keep them as files",
    # the end of the year itself: closing, reopening and the archive (issue 10)
    "archive:school_close": "closing the year is what makes it read-only",
    "archive:class_close": "closing one class's year",
    "archive:reopen": "reopening by the director's reasoned act, the one sanctioned change",
    "archive:signature_upload": "signatures of the archival package, added after closing",
    "archive:transfer": "the archive register's own states (transferred to storage)",
    "archive:destroy": "destruction by an act after the keep-until date",
    "archive:job_repeat": "packaging a closed year again: new versions, the journal untouched",
    # the calendar plans' shared templates: copies of a plan's text, not bound to a year
    "plans:import": "a preview of the file or paste: nothing is written until plans:save",
    "plans:publish": "a template for the school or community, a copy not bound to a year",
    "plans:template_delete": "the author withdraws a template, not bound to a year",
}
# Whole flows the route enumeration leaves out (tests/privacy/routes.py SKIPPED_*).
OUTSIDE_YEAR_PREFIXES: dict[str, str] = {
    "operator/": "the operator's Django admin: server staff only, outside the school roles",
    "static/": "static files",
    "media/": "uploaded files",
    "login/": "signing in",
    "logout/": "signing out",
    "password/": "one's own password (change and reset)",
}

# --- the community the requests act on ----------------------------------------------------

# A URL parameter's name → the object of the community it names (keys of World.ids); a
# case names other objects for `pk` and the ambiguous names in its own `ids`.
KWARG_IDS: dict[str, str] = {
    "school_id": "school",
    "year_id": "year",
    "class_id": "class_5a",
    "class_group_id": "class_5a",
    "subgroup_id": "subgroup",
    "timetable_id": "timetable",
    "entry_id": "entry",
    "student_id": "student",
    "lesson_id": "lesson",
    "file_id": "homework",
    "mark_id": "mark",
    "assignment_id": "math_5a",
    "batch_id": "batch",
    "correction_id": "correction",
    "lock_id": "lock",
    "plan_id": "plan",
}


class State(enum.Enum):
    OPEN = "the year open"
    YEAR_CLOSED = "the year closed"
    CLASS_CLOSED = "class 5-А closed"


@dataclass
class World:
    """The cast's community with a day of journal in it, by id."""

    community: Community
    ids: dict[str, int]
    users: dict[str, User]
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # The snapshots before a request, per state: every run is rolled back to the same rows.
    before: dict[State, tuple[Snapshot, Snapshot]] = field(default_factory=dict)


def _students_file() -> bytes:
    row = student(
        surname="Іваненко",
        given_name="Марко",
        birth_date="01.02.2015",
        sex="ч",
        class_name="5-А",
        enrolled_on="16.11.2026",
    )
    return csv_bytes(STUDENT_HEADER, [row])


def _staff_file() -> bytes:
    row = staff(surname="Мороз", given_name="Наталія", position="вчитель", roles="вчитель")
    return csv_bytes(STAFF_HEADER, [row])


def build_world(c: Community) -> World:
    """On top of the cast: Monday 16 November 2026 in 5-А — a maths lesson with a mark, a
    homework file and a praise; a lesson with a substitute and an absence; a lesson with
    nothing yet; one not held; a locked Ukrainian term with a change waiting for
    approval; two remarks on journal keeping, a group, a timetable, an uploaded import
    file. And maths in 5-Б with a lesson of the same day."""
    admin, director, teacher = c.school_admin, c.director, c.teacher
    periods = {p.number: p for p in Period.objects.filter(year=c.year)}
    history = Subject.objects.create(school=c.school, name="Історія України")
    spare_period = Period.objects.create(
        year=c.year, number=4, starts_at=dt.time(11, 20), ends_at=dt.time(12, 5)
    )
    math_5b = TeachingAssignment.objects.create(
        year=c.year, teacher=teacher, subject=c.math, class_group=c.class_5b, hours_per_week=5
    )
    spare_assignment = TeachingAssignment.objects.create(
        year=c.year,
        teacher=c.other_teacher,
        subject=c.ukrainian,
        class_group=c.class_5b,
        hours_per_week=Decimal(4),
    )

    def lesson(assignment: TeachingAssignment, number: int, day: dt.date = TODAY) -> Lesson:
        return Lesson.objects.create(assignment=assignment, date=day, period=periods[number])

    first = lesson(c.math_5a, 1)
    substituted = lesson(c.math_5a, 2)
    free = lesson(c.math_5a, 3)
    cancelled = lesson(c.math_5a, 1, dt.date(2026, 11, 13))
    ukrainian = lesson(c.ukrainian_5a, 3)
    lesson_5b = lesson(math_5b, 2)

    mark = mark_set(
        actor=teacher, assignment=c.math_5a, student=c.student, value="9", lesson=first
    ).mark
    assert mark is not None
    homework = homework_file_add(
        actor=teacher, lesson=first, upload=SimpleUploadedFile("task.txt", b"No 7, 8")
    )
    praise = remark_add(
        actor=teacher, lesson=first, student=c.other_student, text="Молодець", kind="praise"
    )
    lesson_substitute(actor=director, lesson=substituted, substitute=c.other_teacher, reason="")
    attendance_set(
        actor=teacher, lesson=substituted, student=c.student, status=AttendanceStatus.ABSENT
    )
    lesson_cancel(actor=director, lesson=cancelled, reason="Карантин")
    absence = teacher_absence_record(
        actor=director, school=c.school, teacher=c.other_teacher, starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=1), reason="курси",
    )  # fmt: skip
    remark_open = journal_remark_create(
        actor=director, assignment=c.math_5a, text="Запишіть теми уроків"
    )
    remark_resolved = journal_remark_create(
        actor=director, assignment=c.math_5a, text="Виставте оцінки за контрольну"
    )
    journal_remark_resolve(actor=teacher, remark=remark_resolved, note="Виставлено")
    lock = term_lock(actor=director, term=c.term1, class_group=c.class_5a, subject=c.ukrainian)
    correction = mark_set(
        actor=c.other_teacher,
        assignment=c.ukrainian_5a,
        student=c.student,
        value="8",
        lesson=ukrainian,
    ).correction
    assert correction is not None and correction.status == CorrectionStatus.PENDING
    subgroup = subgroup_create(
        actor=admin, class_group=c.class_5a, subject=c.ukrainian, name="група 1"
    )
    timetable = timetable_create(
        actor=admin,
        year=c.year,
        name="І семестр",
        valid_from=dt.date(2026, 9, 1),
        valid_to=dt.date(2026, 12, 24),
    )
    entry = timetable_entry_create(
        actor=admin,
        timetable=timetable,
        weekday=Weekday.TUESDAY,
        period=periods[1],
        assignment=c.math_5a,
    )
    batch = import_batch_create(
        actor=admin,
        school=c.school,
        kind=ImportKind.STUDENTS,
        filename="students.csv",
        content=_students_file(),
    )
    ids = {
        "school": c.school.pk,
        "year": c.year.pk,
        "class_5a": c.class_5a.pk,
        "class_5b": c.class_5b.pk,
        "term1": c.term1.pk,
        "term2": c.term2.pk,
        "holiday": Holiday.objects.get(year=c.year).pk,
        "math": c.math.pk,
        "ukrainian": c.ukrainian.pk,
        "history": history.pk,
        "math_5a": c.math_5a.pk,
        "math_5b": math_5b.pk,
        "spare_assignment": spare_assignment.pk,
        "period2": periods[2].pk,
        "spare_period": spare_period.pk,
        "student": c.student.pk,
        "other_student": c.other_student.pk,
        "teacher": teacher.pk,
        "class_teacher": c.class_teacher.pk,
        "other_teacher": c.other_teacher.pk,
        "lesson": first.pk,
        "substituted": substituted.pk,
        "free_lesson": free.pk,
        "cancelled": cancelled.pk,
        "absence": absence.pk,
        "lesson_5b": lesson_5b.pk,
        "mark": mark.pk,
        "homework": homework.pk,
        "praise": praise.pk,
        "remark_open": remark_open.pk,
        "remark_resolved": remark_resolved.pk,
        "correction": correction.pk,
        "lock": lock.pk,
        "subgroup": subgroup.pk,
        "timetable": timetable.pk,
        "entry": entry.pk,
        "batch": batch.pk,
    }
    users = {
        "teacher": teacher,
        "substitute": c.other_teacher,
        "class_teacher": c.class_teacher,
        "director": director,
        "deputy": c.deputy,
        "school_admin": admin,
    }
    return World(community=c, ids=ids, users=users)


def _next_year(world: World) -> None:
    """The year after, for the promotion to move the classes into."""
    AcademicYear.objects.create(
        school_id=world.ids["school"],
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
    )


# --- the cases ----------------------------------------------------------------------------

Data = Callable[[World], Mapping[str, Any]]


def _nothing(world: World) -> Mapping[str, Any]:
    return {}


def _plan(status: str) -> Callable[[World], None]:
    """A calendar plan of maths in 5-А in that status (its id as «plan»)."""

    def setup(world: World) -> None:
        plan = Plan.objects.create(
            assignment_id=world.ids["math_5a"], term_id=world.ids["term1"], status=status
        )
        theme = PlanTheme.objects.create(plan=plan, number=1, name="Дроби", hours=1)
        PlanTopic.objects.create(plan=plan, theme=theme, position=1, title="Поняття дробу")
        world.ids["plan"] = plan.pk

    return setup


@dataclass(frozen=True)
class Case:
    """One writing address (a URL name, or "METHOD /api/path" of the OpenAPI description)
    with a request that writes there while the year is open, and the roles that may."""

    route: str
    roles: tuple[str, ...]
    data: Data = _nothing  # the form fields (or the JSON body); None drops a field
    form: bool = False  # start from the page's own form (a GET of the same address)
    ids: Mapping[str, str] = field(default_factory=dict)  # URL parameter → World.ids key
    query: Callable[[World], str] | None = None
    setup: Callable[[World], None] | None = None

    @property
    def api(self) -> bool:
        return self.route.split(" ", 1)[0] in {m.upper() for m in WRITE_METHODS}


OFFLINE_CONFLICT = uuid.UUID("5f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b")


def _offline_conflict(world: World) -> None:
    """An entry the teacher made offline that met someone else's change."""
    OfflineEntry.objects.create(
        author_id=world.ids["teacher"],
        client_id=OFFLINE_CONFLICT,
        lesson_id=world.ids["lesson"],
        student_id=world.ids["other_student"],
        target="mark",
        entry={"value": "9", "kind": "current", "comment": ""},
        made_at=timezone.now() - dt.timedelta(minutes=5),
        outcome=OfflineOutcome.CONFLICT,
        theirs={"value": "8", "by": "Бондар Петро"},
    )


ADMIN = ("school_admin",)
TEACHER = ("teacher",)
CONTROLLERS = ("director", "deputy")
MOVERS = ("school_admin", "director")

CASES: list[Case] = [
    # the school administrator's set-up of the year
    Case("setup:setup_years_edit", ADMIN, lambda w: {"ends_on": "2027-06-29"}, form=True,
         ids={"pk": "year"}),
    Case("setup:setup_terms", ADMIN, lambda w: {
        "name": "Практика", "kind": "quarter", "number": "3", "starts_on": "2027-06-01",
        "ends_on": "2027-06-20", "grade_from": "5", "grade_to": "5"}, form=True),
    Case("setup:setup_terms_edit", ADMIN, lambda w: {"name": "ІІ семестр, змінено"},
         form=True, ids={"pk": "term2"}),
    Case("setup:setup_terms_delete", ADMIN, ids={"pk": "term2"}),
    Case("setup:setup_holidays", ADMIN, lambda w: {
        "name": "Зимові канікули", "starts_on": "2026-12-25", "ends_on": "2027-01-11"},
         form=True),
    Case("setup:setup_holidays_edit", ADMIN, lambda w: {"name": "Осінні, змінено"},
         form=True, ids={"pk": "holiday"}),
    Case("setup:setup_holidays_delete", ADMIN, ids={"pk": "holiday"}),
    Case("setup:setup_classes", ADMIN, lambda w: {"grade": "6", "letter": "А"}, form=True),
    Case("setup:setup_classes_edit", ADMIN, lambda w: {"letter": "В"}, form=True,
         ids={"pk": "class_5a"}),
    Case("setup:setup_subgroups", ADMIN, lambda w: {
        "subject": w.ids["math"], "name": "група 2"}, form=True),
    Case("setup:setup_subgroup_members", ADMIN, lambda w: {
        f"g{w.ids['subgroup']}-students": [w.ids["student"], w.ids["other_student"]]}),
    Case("setup:setup_subgroup_delete", ADMIN),
    Case("setup:setup_curriculum", ADMIN, lambda w: {f"h_{w.ids['math']}_5": "5"},
         form=True),
    Case("setup:setup_curriculum_typical", ADMIN),
    Case("setup:setup_assignments", ADMIN, lambda w: {
        "class_group": w.ids["class_5a"], "subject": w.ids["history"], "subgroup": "",
        "teacher": w.ids["class_teacher"], "hours_per_week": "1"}, form=True),
    Case("setup:setup_assignments_edit", ADMIN, lambda w: {"hours_per_week": "4"}, form=True,
         ids={"pk": "math_5a"}),
    Case("setup:setup_assignments_delete", ADMIN, ids={"pk": "spare_assignment"}),
    Case("setup:setup_periods", ADMIN, lambda w: {
        "number": "5", "starts_at": "12:15", "ends_at": "13:00"}, form=True),
    Case("setup:setup_periods_edit", ADMIN, lambda w: {"ends_at": "12:10"}, form=True,
         ids={"pk": "spare_period"}),
    Case("setup:setup_periods_delete", ADMIN, ids={"pk": "spare_period"}),
    Case("setup:setup_timetables", ADMIN, lambda w: {
        "name": "ІІ семестр", "valid_from": "2027-01-12", "valid_to": "2027-05-30"},
         form=True),
    Case("setup:setup_timetables_edit", ADMIN, lambda w: {"name": "Осінь"}, form=True,
         ids={"pk": "timetable"}),
    Case("setup:setup_timetables_delete", ADMIN, ids={"pk": "timetable"}),
    Case("setup:setup_timetable_grid", ADMIN, lambda w: {
        "weekday": str(Weekday.WEDNESDAY), "period": w.ids["period2"],
        "assignment": w.ids["math_5a"]}, form=True),
    Case("setup:setup_timetable_entry_delete", ADMIN),
    Case("setup:setup_lessons", ADMIN, lambda w: {
        "term": "", "start": "2026-11-17", "end": "2026-11-20"}, form=True),
    # the class teacher, the movement of students
    Case("people:codes_issue", ("class_teacher",), lambda w: {
        "students": [w.ids["other_student"]]}, form=True),
    Case("students:movement_transfer", MOVERS, lambda w: {
        "target": w.ids["class_5b"], "on": "2026-11-17", "order": "№ 15"}, form=True),
    Case("students:movement_leave", MOVERS, lambda w: {
        "on": "2026-11-17", "order": "№ 16", "reason": "abroad"}, form=True),
    Case("students:promotion", MOVERS, setup=_next_year),
    # substitutions and lessons not held
    Case("timetable:substitute_set", CONTROLLERS, lambda w: {
        "substitute": w.ids["class_teacher"], "reason": "лікарняний"},
         ids={"lesson_id": "free_lesson"}),
    Case("timetable:substitute_clear", CONTROLLERS, ids={"lesson_id": "substituted"}),
    Case("timetable:lesson_cancel", CONTROLLERS, lambda w: {"reason": "екскурсія"},
         ids={"lesson_id": "free_lesson"}),
    Case("timetable:lesson_cancel_undo", CONTROLLERS, ids={"lesson_id": "cancelled"}),
    Case("timetable:absence_create", CONTROLLERS, lambda w: {
        "teacher": w.ids["teacher"], "starts_on": TODAY.isoformat(), "reason": "лікарняний"}),
    Case("timetable:absence_cancel_day", CONTROLLERS, lambda w: {"date": TODAY.isoformat()},
         ids={"absence_id": "absence"}),
    # the lesson page and the journal grid
    Case("journal:lesson_record", ("teacher", "substitute"), lambda w: {
        "topic": "Дроби", "homework": "№ 12", "place": "classroom"},
         ids={"lesson_id": "substituted"}),
    Case("journal:lesson_record", TEACHER, lambda w: {
        "topic": "Дроби", "homework": "№ 12", "place": "classroom"}),
    Case("journal:lesson_file_add", TEACHER, lambda w: {
        "file": SimpleUploadedFile("more.txt", b"No 9")}),
    Case("journal:lesson_file_delete", TEACHER),
    Case("journal:lesson_attendance", TEACHER, lambda w: {
        f"status_{w.ids['other_student']}": "absent"}),
    Case("journal:lesson_all_present", TEACHER),
    Case("journal:lesson_sheet", TEACHER, lambda w: {
        "topic": "Дроби", "homework": "", "place": "classroom",
        f"status_{w.ids['other_student']}": "absent"}),
    Case("journal:lesson_mark_add", TEACHER, lambda w: {
        "student": w.ids["other_student"], "value": "10", "kind": "current", "comment": ""}),
    Case("journal:lesson_mark_edit", TEACHER, lambda w: {
        "value": "11", "kind": "current", "comment": ""}),
    Case("journal:lesson_mark_delete", TEACHER),
    Case("journal:lesson_remark_add", TEACHER, lambda w: {
        "kind": RemarkKind.REMARK, "text": "Без зошита"}),
    Case("journal:lesson_remark_delete", TEACHER, ids={"remark_id": "praise"}),
    Case("journal:grid_cell", TEACHER, lambda w: {
        "student": w.ids["other_student"], "lesson": w.ids["lesson"], "value": "8"}),
    Case("journal:grid_column", TEACHER, lambda w: {
        f"value-{w.ids['other_student']}": "7"},
         query=lambda w: f"?column=lesson-{w.ids['lesson']}&term={w.ids['term1']}"),
    # entries made offline, sent later; a conflict settled (issue 12, item 7)
    Case("journal:offline_sync", TEACHER, lambda w: {"entries": json.dumps([{
        "id": "0b0f7d54-5d0e-4a8e-9a55-1d2c3b4a5e6f", "lesson": w.ids["lesson"],
        "student": w.ids["other_student"], "what": "mark", "value": "9", "kind": "current",
        "made_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(), "base": ""}])}),
    Case("journal:offline_resolve", TEACHER, lambda w: {
        "id": str(OFFLINE_CONFLICT), "choice": "theirs"},
         setup=lambda w: _offline_conflict(w)),
    Case("journal:classteacher_excuses", ("class_teacher", *CONTROLLERS), lambda w: {
        "student": w.ids["student"], "starts_on": "2026-11-16", "ends_on": "2026-11-16",
        "reason": "illness", "note": ""}),
    # a consent signed on paper, for a student enrolled in the class now (issue 11)
    Case("people:class_consents", ("class_teacher",), lambda w: {
        "paper-holder": f"{w.ids['student']}:{w.community.guardian_record.pk}",
        "paper-purpose": "photos", "paper-given_on": "",
        "paper-document": SimpleUploadedFile("consent.pdf", b"%PDF-1.4 signed")}),
    # imports into the year
    Case("imports:students", ADMIN, lambda w: {
        "file": SimpleUploadedFile("students.csv", _students_file())}),
    Case("imports:staff", ADMIN, lambda w: {
        "file": SimpleUploadedFile("staff.csv", _staff_file())}),
    Case("imports:confirm", ADMIN),
    # the director's and deputies' control of the journal
    Case("control:remark_new", CONTROLLERS, lambda w: {
        "text": "Заповніть домашні завдання", "due_on": "", "lesson": "", "back": ""}),
    Case("control:remark_reopen", CONTROLLERS, lambda w: {"reason": "Не всі оцінки"},
         ids={"remark_id": "remark_resolved"}),
    Case("control:remark_resolve", TEACHER, lambda w: {"note": "Записано"},
         ids={"remark_id": "remark_open"}),
    Case("control:correction_decide", CONTROLLERS, lambda w: {
        "decision": "approve", "note": ""}),
    Case("control:lock_add", CONTROLLERS, lambda w: {
        "year": w.ids["year"], "term": w.ids["term1"], "class_group": w.ids["class_5a"],
        "subject": w.ids["math"]}),
    Case("control:lock_add_all", CONTROLLERS, lambda w: {
        "year": w.ids["year"], "term": w.ids["term2"]}),
    Case("control:lock_remove", CONTROLLERS),
    # the calendar plans
    Case("plans:save", TEACHER, lambda w: {
        "term": w.ids["term1"], "text": "Тема 1. Дроби\nПоняття дробу\n"},
         ids={"assignment_id": "math_5a"}),
    Case("plans:submit", TEACHER, setup=_plan("draft")),
    Case("plans:approve", CONTROLLERS, setup=_plan("submitted")),
    Case("plans:return", CONTROLLERS, lambda w: {"note": "Додайте контрольну роботу"},
         setup=_plan("submitted")),
    # the JSON API
    Case("PUT /api/v1/lessons/{lesson_id}/record", TEACHER, lambda w: {
        "topic": "Дроби", "homework": "№ 12"}),
    Case("PUT /api/v1/lessons/{lesson_id}/attendance", TEACHER, lambda w: {
        "statuses": {str(w.ids["other_student"]): "absent"}}),
    Case("POST /api/v1/lessons/{lesson_id}/marks", TEACHER, lambda w: {
        "student": w.ids["other_student"], "value": "10"}),
    Case("PATCH /api/v1/marks/{mark_id}", TEACHER, lambda w: {"value": "12"}),
    Case("DELETE /api/v1/marks/{mark_id}", TEACHER),
]  # fmt: skip

# Pages that read a posted field without writing anything (a POST is answered like a GET):
# each is posted to with the year open, and nothing may change.
ONLY_READ: list[Case] = [
    # the year's end page takes its year from the address or the posted form
    Case("archive:year_end", CONTROLLERS, lambda w: {"year": w.ids["year"]}),
]

# EXPECTED TO CHANGE — routes that still write into a closed class while its year is open.
# `ensure_class_open` is being added to the services (issue 10); remove a route once its
# service refuses: the class test fails while this names a route that refuses already.
CLASS_LEVEL_PENDING: set[str] = set()


# --- sending a case ---------------------------------------------------------------------


@dataclass
class Outcome:
    changed: list[str]  # tables whose compared rows changed
    changed_anywhere: list[str]  # for CLASS_CLOSED: any table of the database
    status: int = 0
    success: bool = False
    error: str = ""


@functools.cache
def _web_routes() -> dict[str, Route]:
    return {route.name: route for route in web_routes()}


def _url(world: World, case: Case) -> str:
    if case.api:
        template = case.route.split(" ", 1)[1]
        names: tuple[str, ...] = tuple(m["name"] for m in API_PARAMETER.finditer(template))
    else:
        route = _web_routes()[case.route]
        template, names = route.template, route.parameters
    values = {}
    for name in names:
        key = case.ids.get(name) or KWARG_IDS.get(name)
        if key is None:
            raise LookupError(
                f"{case.route}: which object does the URL parameter {name!r} name? "
                "Add it to KWARG_IDS, or to the case's ids."
            )
        values[name] = world.ids[key]
    return template.format(**values) + (case.query(world) if case.query else "")


def _form_fields(world: World, case: Case, role: str) -> dict[str, list[str]] | None:
    """The fields of the page's own form, read with the year open (a closed year's page
    may show no form at all)."""
    url = _url(world, case)
    with transaction.atomic():
        response = world.clients[role].get(url)
        transaction.set_rollback(True)
    if response.status_code != 200:
        return None
    return own_form(response.content.decode(), url)


def _payload(world: World, case: Case, fields: Mapping[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = dict(fields or {})
    for name, value in case.data(world).items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _send(world: World, case: Case, role: str, payload: dict[str, Any]) -> Any:
    url = _url(world, case)
    client = world.clients[role]
    client.cookies.pop("messages", None)  # an earlier request's, not this one's
    if case.api:
        method = case.route.split(" ", 1)[0]
        return client.generic(
            method,
            url,
            json.dumps(payload) if payload else "",
            content_type="application/json",
            headers={"Authorization": f"Bearer {world.tokens[role]}"},
        )
    return client.post(url, payload)


def _run(
    world: World, case: Case, role: str, fields: Mapping[str, Any] | None, state: State
) -> Outcome:
    """Send the case once in `state`, inside a savepoint that is rolled back: what it
    changed (for a closed class: the rows that concern the class), and what it answered."""
    class_id = world.ids["class_5a"]
    with transaction.atomic():
        if state is State.YEAR_CLOSED:
            AcademicYear.objects.filter(pk=world.ids["year"]).update(closed_at=CLOSED_AT)
        elif state is State.CLASS_CLOSED:
            ClassGroup.objects.filter(pk=class_id).update(closed_at=CLOSED_AT)
        if case.setup is not None:
            case.setup(world)
            before = database_snapshot(), class_snapshot(class_id)
        else:
            if state not in world.before:
                world.before[state] = database_snapshot(), class_snapshot(class_id)
            before = world.before[state]
        try:
            response = _send(world, case, role, _payload(world, case, fields))
        except Exception as exc:  # the test reports it with the others
            transaction.set_rollback(True)
            return Outcome([], [], error=f"{type(exc).__name__}: {exc}")
        anywhere = changed_tables(before[0], database_snapshot())
        changed = anywhere
        if state is State.CLASS_CLOSED:
            changed = changed_tables(before[1], class_snapshot(class_id))
        transaction.set_rollback(True)
    return Outcome(changed, anywhere, response.status_code, claims_success(response, api=case.api))


PARTS = 2  # the cases run in parts, for the two workers of `pytest -n 2`


def _pairs(part: int) -> Iterator[tuple[Case, str]]:
    """The cases of one part (all cases of a route in the same part), with each role."""
    routes = list(dict.fromkeys(case.route for case in CASES))[part::PARTS]
    for case in CASES:
        if case.route in routes:
            for role in case.roles:
                yield case, role


@pytest.fixture
def world(
    community: Community, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> World:
    settings.MEDIA_ROOT = tmp_path
    settings.ZHURNAL_API_RATE_PER_MINUTE = 1_000_000
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    cache.clear()
    world = build_world(community)
    # Logged in once, outside the savepoints: a session rolled back would log out.
    for role, user in world.users.items():
        world.clients[role] = Client()
        world.clients[role].force_login(user)
    for role in ("teacher", "substitute"):
        world.tokens[role] = token_create(actor=world.users[role], name="closed year")[1]
    return world


# --- the tests ----------------------------------------------------------------------------


def _sample(name: str) -> object:
    return 1 if name.endswith(("id", "pk")) else "x"


def test_every_writing_route_is_exercised_or_allowed(client: Client, db: None) -> None:
    routes = web_routes()
    writing: set[str] = set()
    for route in routes:
        view = resolve(route.url({name: _sample(name) for name in route.parameters})).func
        if accepts_post(view):
            writing.add(route.name)
    operations: set[str] = set()
    for path, methods in client.get("/api/openapi.json").json()["paths"].items():
        operations |= {f"{method.upper()} {path}" for method in methods}
        writing |= {f"{method.upper()} {path}" for method in methods if method in WRITE_METHODS}

    exercised = {case.route for case in CASES}
    reading = {case.route for case in ONLY_READ}
    missing = sorted(writing - exercised - OUTSIDE_YEAR.keys() - reading)
    assert not missing, (
        "These routes accept writes but are neither exercised in CASES (a request that "
        "must be refused in a closed year) nor allowed in OUTSIDE_YEAR with a reason "
        "(nor listed in ONLY_READ): " + ", ".join(missing)
    )
    known = {route.name for route in routes} | SKIPPED_NAMES | operations
    stale = sorted((exercised | OUTSIDE_YEAR.keys() | reading) - known)
    assert not stale, f"No such route any more: {stale}"
    assert not exercised & OUTSIDE_YEAR.keys()
    assert not reading & (exercised | OUTSIDE_YEAR.keys())
    assert all(apps.get_model(label) for label in EXCLUDED_MODELS)  # no typo leaves one in
    # What the enumeration skips is allowed as a whole, each flow with its reason.
    assert set(SKIPPED_PREFIXES) <= OUTSIDE_YEAR_PREFIXES.keys()
    assert all(name in OUTSIDE_YEAR for name in SKIPPED_NAMES)


def test_pages_that_read_a_post_write_nothing(world: World) -> None:
    for case in ONLY_READ:
        for role in case.roles:
            outcome = _run(world, case, role, None, State.OPEN)
            assert not outcome.error, f"{case.route} as {role}: {outcome.error}"
            assert outcome.status == 200, f"{case.route} as {role}: {outcome.status}"
            assert not outcome.changed, f"{case.route} as {role} wrote: {outcome.changed}"


@pytest.mark.parametrize("part", range(PARTS))
def test_a_closed_year_refuses_every_write(world: World, part: int) -> None:
    failures: list[str] = []
    for case, role in _pairs(part):
        where = f"{case.route} as {role}"
        fields = _form_fields(world, case, role) if case.form else None
        if case.form and fields is None:
            failures.append(f"{where}: its page shows no form that posts to itself")
            continue
        opened = _run(world, case, role, fields, State.OPEN)
        if opened.error or not opened.changed:
            failures.append(
                f"{where}: with the year open the request wrote nothing "
                f"({opened.error or opened.status}); the test's request is wrong"
            )
            continue
        closed = _run(world, case, role, fields, State.YEAR_CLOSED)
        if closed.error:
            failures.append(f"{where}, the year closed: {closed.error}")
        elif closed.changed:
            failures.append(f"{where}: wrote into the closed year: {', '.join(closed.changed)}")
        elif closed.success:
            failures.append(f"{where}: wrote nothing, yet answered {closed.status} as a success")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("part", range(PARTS))
def test_a_closed_class_refuses_writes_that_concern_it(world: World, part: int) -> None:
    failures: list[str] = []
    writing: dict[str, list[str]] = {}
    routes = set()
    for case, role in _pairs(part):
        routes.add(case.route)
        where = f"{case.route} as {role}"
        fields = _form_fields(world, case, role) if case.form else None
        if case.form and fields is None:
            continue  # the closed-year test names it
        outcome = _run(world, case, role, fields, State.CLASS_CLOSED)
        if outcome.error:
            failures.append(f"{where}, the class closed: {outcome.error}")
        elif outcome.changed:
            writing.setdefault(case.route, []).append(f"as {role}: {', '.join(outcome.changed)}")
        elif outcome.success and not outcome.changed_anywhere:
            failures.append(f"{where}: wrote nothing, yet answered {outcome.status} as a success")
    for route, details in writing.items():
        if route not in CLASS_LEVEL_PENDING:
            failures.append(f"{route} wrote into the closed class: {'; '.join(details)}")
    for route in sorted(CLASS_LEVEL_PENDING & routes - writing.keys()):
        failures.append(f"{route} refuses a closed class now: remove it from CLASS_LEVEL_PENDING")
    assert not failures, "\n".join(failures)


def test_another_class_stays_writable_while_one_is_closed(world: World) -> None:
    ClassGroup.objects.filter(pk=world.ids["class_5a"]).update(closed_at=CLOSED_AT)
    student_5b = world.community.student_5b
    before = class_snapshot(world.ids["class_5b"])
    response = world.clients["teacher"].post(
        reverse("journal:lesson_mark_add", args=[world.ids["lesson_5b"]]),
        {"student": student_5b.pk, "value": "10", "kind": "current", "comment": ""},
    )
    assert response.status_code == 302
    assert Mark.objects.filter(lesson_id=world.ids["lesson_5b"], student=student_5b).exists()
    # and the rows the class test compares do see such a write
    assert class_snapshot(world.ids["class_5b"]) != before


def test_the_rows_of_a_class_are_its_journal(world: World) -> None:
    """What the class test compares: the class and everything of its journal, and
    nothing of the other class."""
    rows = class_snapshot(world.ids["class_5a"])
    journal = (
        "schools.classgroup", "schools.subgroup", "people.enrollment",
        "timetable.teachingassignment", "timetable.timetableentry", "timetable.lesson",
        "journal.mark", "journal.attendance", "journal.homeworkfile",
        "journal.studentremark", "journal.correction", "journal.termlock",
        "control.journalremark",
    )  # fmt: skip
    assert [label for label in journal if not rows[label][0]] == []
    assert (
        rows["timetable.lesson"][0]
        == Lesson.objects.filter(assignment__class_group_id=world.ids["class_5a"]).count()
    )
    assert rows["people.enrollment"][0] == 2  # Андрій and Олена, not Богдан of 5-Б
