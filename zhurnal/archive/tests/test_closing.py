"""Closing and reopening a class's (or the school's) year, through the services: who may,
what the check must have put right or accepted, and that a closed class's journal and roll
refuse every write while the other classes stay writable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings

from tests.cast import Community
from zhurnal.archive.closing.checks import ItemKind, closing_check
from zhurnal.archive.closing.services import (
    ClosingRefused,
    class_year_close,
    school_year_close,
    year_reopen,
)
from zhurnal.archive.models import PackagingJob, ReopeningAct, YearClosing
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.audit.models import AuditEvent, AuditHead
from zhurnal.control.remarks.services import journal_remark_create
from zhurnal.journal import services as journal
from zhurnal.journal.models import AttendanceStatus, Mark, MarkKind, RemarkKind
from zhurnal.people.models import Enrollment, Student
from zhurnal.people.services import enrollment_create
from zhurnal.schools.models import AcademicYear, ClassGroup
from zhurnal.students.movement.services import student_leave, year_promote
from zhurnal.timetable.models import (
    Lesson,
    Period,
    TeachingAssignment,
    Timetable,
    TimetableEntry,
    Weekday,
)
from zhurnal.timetable.services import lesson_cancel, lesson_substitute, lessons_materialise

PAST = dt.date(2026, 11, 16)  # a Monday of the I semester, before today
CLOSED = "is closed: its journal can only be read"


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with override_settings(ZHURNAL_AUDIT_KEY="a closing test key, not the secret key"):
        yield


def seal(community: Community) -> Community:
    """The cast is written without services, as a bulk import would: sealed, so that the
    reconciliation of live data finds nothing until a test writes behind its back."""
    for school in (community.school, community.other_school):
        audit_rows_seal(actor=None, school_id=school.pk, reason="test set-up")
    return community


@pytest.fixture
def c(community: Community) -> Community:
    return seal(community)


def lesson(assignment: TeachingAssignment, day: dt.date = PAST, number: int = 1) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment,
        date=day,
        period=Period.objects.get(year=assignment.year, number=number),
    )


def every_code(c: Community, *classes: ClassGroup) -> set[str]:
    """Accept whatever the check finds today (the real date decides some items)."""
    checked = closing_check(c.year, list(classes) or None)
    return {item.code for items in checked.values() for item in items}


def refresh(*objects: Any) -> None:
    for obj in objects:
        obj.refresh_from_db()


# --- who may close --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "deputy", "class_teacher", "other_school_admin"])
def test_only_the_director_closes_a_class(c: Community, who: str) -> None:
    with pytest.raises(PermissionDenied):
        class_year_close(
            actor=getattr(c, who), class_group=c.class_5a, accepted=every_code(c, c.class_5a)
        )
    refresh(c.class_5a)
    assert c.class_5a.closed_at is None
    assert not YearClosing.objects.exists() and not PackagingJob.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "deputy"])
def test_only_the_director_closes_the_school_year_and_reopens(c: Community, who: str) -> None:
    with pytest.raises(PermissionDenied):
        school_year_close(actor=getattr(c, who), year=c.year, accepted=every_code(c))
    school_year_close(actor=c.director, year=c.year, accepted=every_code(c))
    with pytest.raises(PermissionDenied):
        year_reopen(actor=getattr(c, who), year=c.year, class_group=None, reason="помилка")
    refresh(c.year)
    assert c.year.closed_at is not None
    assert not ReopeningAct.objects.exists()


# --- the check must be put right or accepted ----------------------------------------------


def test_closing_refuses_unaccepted_items_and_names_them(c: Community) -> None:
    items = closing_check(c.year, [c.class_5a])[c.class_5a.pk]
    annual = [item for item in items if item.kind == ItemKind.ANNUAL_MISSING]
    assert {item.subject for item in annual} == {"Математика", "Українська мова"}
    accepted = {item.code for item in items} - {annual[0].code}
    events = AuditEvent.objects.count()

    with pytest.raises(ClosingRefused) as refused:
        class_year_close(actor=c.director, class_group=c.class_5a, accepted=accepted)

    assert [item.code for item in refused.value.items] == [annual[0].code]
    assert "neither put right nor accepted" in refused.value.messages[0]
    assert refused.value.messages[1] == f"5-А, {annual[0].subject}: {annual[0].text}"
    assert "Гнатюк А. П." in annual[0].text and "Савчук О. І." in annual[0].text
    refresh(c.class_5a)
    assert c.class_5a.closed_at is None
    assert AuditEvent.objects.count() == events
    assert not YearClosing.objects.exists() and not AuditHead.objects.exists()


def test_closing_a_class_with_every_item_accepted(c: Community) -> None:
    items = closing_check(c.year, [c.class_5a])[c.class_5a.pk]
    accepted = {item.code for item in items}

    job = class_year_close(actor=c.director, class_group=c.class_5a, accepted=accepted)

    refresh(c.class_5a, c.class_5b, c.year)
    assert c.class_5a.closed_at is not None
    assert c.class_5b.closed_at is None and c.year.closed_at is None
    closing = YearClosing.objects.get()
    assert closing.class_group == c.class_5a and closing.closed_by == c.director
    assert closing.closed_at == c.class_5a.closed_at
    assert {row["code"] for row in closing.accepted} == accepted
    assert all(set(row) >= {"code", "kind", "subject", "text"} for row in closing.accepted)
    assert job.closing == closing and not job.school_documents
    assert list(job.class_groups.all()) == [c.class_5a]
    event = AuditEvent.objects.get(action="archive.class_close")
    assert event.actor_id == c.director.pk and event.after["class_group_id"] == c.class_5a.pk
    head = AuditHead.objects.get()
    assert head.event_id == event.pk  # the head is signed right after the closing
    with pytest.raises(ValidationError, match=CLOSED):
        class_year_close(actor=c.director, class_group=c.class_5a, accepted=accepted)


def test_a_stale_acceptance_of_an_item_since_put_right_is_ignored(c: Community) -> None:
    accepted = every_code(c, c.class_5a) | {"annual_missing:999:0:0"}
    class_year_close(actor=c.director, class_group=c.class_5a, accepted=accepted)
    assert "annual_missing:999:0:0" not in {
        row["code"] for row in YearClosing.objects.get().accepted
    }


def test_a_mark_changed_in_the_database_refuses_closing_and_names_the_row(c: Community) -> None:
    mark = journal.mark_set(
        actor=c.teacher,
        assignment=c.math_5a,
        student=c.student,
        lesson=lesson(c.math_5a),
        value="7",
    ).mark
    assert mark is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Mark._meta.db_table} SET value='12' WHERE id=%s",  # noqa: S608
            [mark.pk],
        )
    items = closing_check(c.year, [c.class_5a])[c.class_5a.pk]
    integrity = next(item for item in items if item.kind == ItemKind.INTEGRITY)
    assert not integrity.acceptable
    assert f"journal.mark #{mark.pk}" in integrity.text

    with pytest.raises(ClosingRefused) as refused:
        class_year_close(
            actor=c.director,
            class_group=c.class_5a,
            accepted={item.code for item in items},  # accepting it changes nothing
        )

    assert [item.code for item in refused.value.items] == [integrity.code]
    assert f"journal.mark #{mark.pk}: changed outside the application" in " ".join(
        refused.value.messages
    )
    assert "cannot be accepted" in refused.value.messages[1]
    refresh(c.class_5a)
    assert c.class_5a.closed_at is None
    # The other class is not held back by it.
    assert not [
        item
        for item in closing_check(c.year, [c.class_5b])[c.class_5b.pk]
        if item.kind == ItemKind.INTEGRITY
    ]


# --- a closed class is read-only, the others are not -----------------------------------------


@pytest.fixture
def closed_5a(c: Community) -> dict[str, Any]:
    """5-А with a lesson, a mark and a remark, closed; 5-Б with its own journal, open."""
    taught = lesson(c.math_5a)
    mark = journal.mark_set(
        actor=c.teacher, assignment=c.math_5a, student=c.student, lesson=taught, value="9"
    ).mark
    remark = journal.remark_add(
        actor=c.teacher, lesson=taught, student=c.student, text="Забув зошит", kind="remark"
    )
    math_5b = TeachingAssignment.objects.create(
        year=c.year,
        teacher=c.teacher,
        subject=c.math,
        class_group=c.class_5b,
        hours_per_week=Decimal(4),
    )
    class_year_close(actor=c.director, class_group=c.class_5a, accepted=every_code(c, c.class_5a))
    refresh(c.class_5a)
    c.math_5a.class_group = c.class_5a
    return {
        "lesson": Lesson.objects.select_related("assignment__class_group", "assignment__year").get(
            pk=taught.pk
        ),
        "mark": mark,
        "remark": remark,
        "math_5b": math_5b,
        "lesson_5b": lesson(math_5b, number=2),
    }


def test_a_closed_class_refuses_every_journal_write(
    c: Community, closed_5a: dict[str, Any]
) -> None:
    taught: Lesson = closed_5a["lesson"]
    mark: Mark = closed_5a["mark"]
    assignment = taught.assignment
    writes = {
        "mark": lambda: journal.mark_set(
            actor=c.teacher,
            assignment=assignment,
            student=c.other_student,
            lesson=taught,
            value="10",
        ),
        "mark change": lambda: journal.mark_set(
            actor=c.teacher,
            assignment=assignment,
            student=c.student,
            lesson=taught,
            value="11",
            mark=mark,
            reason="перевірила",
        ),
        "attendance": lambda: journal.attendance_set(
            actor=c.teacher,
            lesson=taught,
            student=c.other_student,
            status=AttendanceStatus.ABSENT,
        ),
        "lesson topic": lambda: journal.lesson_record(
            actor=c.teacher, lesson=taught, topic="Дроби", homework=""
        ),
        "term mark": lambda: journal.mark_set(
            actor=c.teacher,
            assignment=assignment,
            student=c.student,
            value="10",
            kind=MarkKind.TERM,
            term=c.term1,
        ),
        "annual mark cell": lambda: journal.journal_cell_set(
            actor=c.teacher,
            assignment=assignment,
            student=c.student,
            column=journal.JournalColumn(kind=MarkKind.ANNUAL),
            text="10",
        ),
        "remark": lambda: journal.remark_add(
            actor=c.teacher,
            lesson=taught,
            student=c.student,
            text="Молодець",
            kind=RemarkKind.PRAISE,
        ),
        "remark delete": lambda: journal.remark_delete(
            actor=c.teacher, remark=closed_5a["remark"], reason="помилка"
        ),
        "term lock": lambda: journal.term_lock(
            actor=c.deputy, term=c.term1, class_group=c.class_5a
        ),
        "excuse": lambda: journal.absences_excuse(
            actor=c.class_teacher,
            class_group=c.class_5a,
            student=c.student,
            starts_on=PAST,
            ends_on=PAST,
            reason="illness",
        ),
        "journal remark": lambda: journal_remark_create(
            actor=c.deputy, assignment=assignment, text="Заповніть теми"
        ),
        "substitution": lambda: lesson_substitute(
            actor=c.deputy, lesson=taught, substitute=c.other_teacher, reason="лікарняний"
        ),
        "lesson not held": lambda: lesson_cancel(actor=c.deputy, lesson=taught, reason="тривога"),
    }
    marks, events = Mark.objects.count(), AuditEvent.objects.count()
    for name, write in writes.items():
        with pytest.raises(ValidationError, match=CLOSED):
            write()
        assert (Mark.objects.count(), AuditEvent.objects.count()) == (marks, events), name
    taught.refresh_from_db()
    assert taught.topic == "" and taught.substitute_id is None and not taught.is_cancelled


def test_a_closed_class_refuses_writes_to_its_roll(c: Community, closed_5a: dict[str, Any]) -> None:
    newcomer = Student.objects.create(
        municipality=c.municipality,
        surname="Новенький",
        given_name="Іван",
        birth_date=dt.date(2015, 5, 5),
        sex="m",
    )
    enrollment = Enrollment.objects.get(student=c.student)
    with pytest.raises(ValidationError, match=CLOSED):
        enrollment_create(
            actor=c.school_admin,
            student=newcomer,
            class_group=c.class_5a,
            starts_on=dt.date(2027, 1, 20),
        )
    with pytest.raises(ValidationError, match=CLOSED):
        student_leave(
            actor=c.school_admin,
            enrollment=enrollment,
            on=dt.date(2027, 1, 20),
            order="№ 1",
            reason="outside",
        )
    enrollment.refresh_from_db()
    assert enrollment.ends_on is None
    assert not Enrollment.objects.filter(student=newcomer).exists()


def test_a_closed_class_is_not_promoted_and_gets_no_more_lessons(
    c: Community, closed_5a: dict[str, Any]
) -> None:
    next_year = AcademicYear.objects.create(
        school=c.school,
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
    )
    with pytest.raises(ValidationError, match=CLOSED):
        year_promote(actor=c.school_admin, year=c.year, next_year=next_year)
    assert not ClassGroup.objects.filter(year=next_year).exists()
    assert Enrollment.objects.get(student=c.student).ends_on is None

    timetable = Timetable.objects.create(
        year=c.year,
        name="ІІ семестр",
        valid_from=dt.date(2027, 1, 12),
        valid_to=dt.date(2027, 5, 30),
    )
    period = Period.objects.get(year=c.year, number=3)
    for assignment in (c.math_5a, closed_5a["math_5b"]):
        TimetableEntry.objects.create(
            timetable=timetable, weekday=Weekday.MONDAY, period=period, assignment=assignment
        )
    created = lessons_materialise(
        actor=c.school_admin, year=c.year, start=dt.date(2027, 1, 18), end=dt.date(2027, 1, 24)
    )
    assert created == 1
    assert Lesson.objects.get(date=dt.date(2027, 1, 18)).assignment == closed_5a["math_5b"]


def test_other_classes_stay_writable(c: Community, closed_5a: dict[str, Any]) -> None:
    lesson_5b: Lesson = closed_5a["lesson_5b"]
    result = journal.mark_set(
        actor=c.teacher,
        assignment=closed_5a["math_5b"],
        student=c.student_5b,
        lesson=lesson_5b,
        value="8",
    )
    assert result.mark is not None and result.mark.value == "8"
    journal.lesson_record(actor=c.teacher, lesson=lesson_5b, topic="Кути", homework="")
    journal.attendance_set(actor=c.teacher, lesson=lesson_5b, student=c.student_5b, status=None)
    journal.term_lock(actor=c.deputy, term=c.term1, class_group=c.class_5b)


# --- reopening ------------------------------------------------------------------------------


def test_reopening_needs_a_reason(c: Community, closed_5a: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        year_reopen(actor=c.director, year=c.year, class_group=c.class_5a, reason="  ")
    assert "reason" in refused.value.message_dict
    refresh(c.class_5a)
    assert c.class_5a.closed_at is not None and not ReopeningAct.objects.exists()


def test_reopening_a_class_makes_it_writable_and_keeps_the_closing(
    c: Community, closed_5a: dict[str, Any]
) -> None:
    act = year_reopen(
        actor=c.director, year=c.year, class_group=c.class_5a, reason="Виправити річні оцінки"
    )

    closing = YearClosing.objects.get()
    assert act.closing == closing and act.reopened_by == c.director
    assert act.reason == "Виправити річні оцінки"
    refresh(c.class_5a)
    assert c.class_5a.closed_at is None
    event = AuditEvent.objects.get(action="archive.year_reopen")
    assert event.reason == "Виправити річні оцінки" and event.after["class_group_id"] == (
        c.class_5a.pk
    )
    taught: Lesson = closed_5a["lesson"]
    taught.assignment.class_group = c.class_5a
    journal.lesson_record(actor=c.teacher, lesson=taught, topic="Дроби", homework="")
    # A second closing is a new act; the first one and its reopening stay.
    class_year_close(actor=c.director, class_group=c.class_5a, accepted=every_code(c, c.class_5a))
    assert YearClosing.objects.count() == 2 and ReopeningAct.objects.count() == 1
    assert PackagingJob.objects.count() == 2


def test_reopening_what_is_not_closed_is_refused(c: Community) -> None:
    with pytest.raises(ValidationError, match="is not closed"):
        year_reopen(actor=c.director, year=c.year, class_group=c.class_5a, reason="так")
    with pytest.raises(ValidationError, match="is not closed"):
        year_reopen(actor=c.director, year=c.year, class_group=None, reason="так")
    assert not ReopeningAct.objects.exists()


# --- the whole school ------------------------------------------------------------------------


def test_closing_the_school_year_closes_every_class_and_the_year(c: Community) -> None:
    class_year_close(actor=c.director, class_group=c.class_5a, accepted=every_code(c, c.class_5a))
    first_closed = ClassGroup.objects.get(pk=c.class_5a.pk).closed_at

    job = school_year_close(actor=c.director, year=c.year, accepted=every_code(c, c.class_5b))

    refresh(c.year, c.class_5a, c.class_5b)
    assert c.year.closed_at is not None
    assert c.class_5b.closed_at == c.year.closed_at
    assert c.class_5a.closed_at == first_closed  # closed on its own before, left as it was
    assert job.school_documents and list(job.class_groups.all()) == [c.class_5b]
    closing = YearClosing.objects.get(class_group__isnull=True)
    assert job.closing == closing
    assert AuditEvent.objects.get(action="archive.year_close").after["class_group_ids"] == [
        c.class_5b.pk
    ]
    other_year = AcademicYear.objects.get(pk=c.other_year.pk)
    assert other_year.closed_at is None


def test_closing_the_school_year_refuses_unaccepted_items_of_any_class(c: Community) -> None:
    math_5b = TeachingAssignment.objects.create(
        year=c.year,
        teacher=c.teacher,
        subject=c.math,
        class_group=c.class_5b,
        hours_per_week=Decimal(4),
    )
    codes = every_code(c)
    some_5b = f"{ItemKind.ANNUAL_MISSING}:{c.class_5b.pk}:{math_5b.pk}:0"
    assert some_5b in codes
    with pytest.raises(ClosingRefused) as refused:
        school_year_close(actor=c.director, year=c.year, accepted=codes - {some_5b})
    assert [item.code for item in refused.value.items] == [some_5b]
    refresh(c.year, c.class_5a, c.class_5b)
    assert c.year.closed_at is None and c.class_5a.closed_at is None
    assert c.class_5b.closed_at is None and not YearClosing.objects.exists()


def test_a_class_cannot_be_reopened_under_a_closed_school_year(c: Community) -> None:
    school_year_close(actor=c.director, year=c.year, accepted=every_code(c))

    with pytest.raises(ValidationError, match="reopen the school's year first"):
        year_reopen(actor=c.director, year=c.year, class_group=c.class_5a, reason="оцінка")

    refresh(c.class_5a)
    assert c.class_5a.closed_at is not None and not ReopeningAct.objects.exists()


def test_reopening_the_school_year_reopens_the_classes_it_closed(c: Community) -> None:
    class_year_close(actor=c.director, class_group=c.class_5a, accepted=every_code(c, c.class_5a))
    school_year_close(actor=c.director, year=c.year, accepted=every_code(c, c.class_5b))

    act = year_reopen(actor=c.director, year=c.year, class_group=None, reason="Наказ № 12")

    assert act.closing.class_group is None
    refresh(c.year, c.class_5a, c.class_5b)
    assert c.year.closed_at is None and c.class_5b.closed_at is None
    assert c.class_5a.closed_at is not None  # its own act still stands
    assert AuditEvent.objects.get(action="archive.year_reopen").after[
        "reopened_class_group_ids"
    ] == [c.class_5b.pk]
    year_reopen(actor=c.director, year=c.year, class_group=c.class_5a, reason="Наказ № 13")
    refresh(c.class_5a)
    assert c.class_5a.closed_at is None
