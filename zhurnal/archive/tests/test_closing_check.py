"""The pre-closing check: what it finds per class and subject, where it sends the director
to put each item right, that it owes no mark where the school's rules give none, and that
it reads a fixed number of queries whatever the number of classes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cast import Community
from zhurnal.archive.closing.checks import CheckItem, ItemKind, closing_check
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.journal import services as journal
from zhurnal.journal.models import (
    Correction,
    CorrectionStatus,
    GradingScale,
    Mark,
    MarkKind,
    ScaleRule,
    TermLock,
)
from zhurnal.people.models import Enrollment, Sex, Student, SubgroupMember
from zhurnal.schools.models import ClassGroup, Subgroup, Subject
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

PAST = dt.date(2026, 11, 16)
# After both semesters (the II ends on 30.05.2027) and before 1 July.
JUNE = dt.datetime(2027, 6, 20, 9, 0, tzinfo=dt.UTC)


def student(c: Community, surname: str, given: str = "Іван") -> Student:
    return Student.objects.create(
        municipality=c.municipality,
        surname=surname,
        given_name=given,
        birth_date=dt.date(2015, 4, 1),
        sex=Sex.MALE,
    )


def enroll(pupil: Student, class_group: ClassGroup, start: dt.date, end: Any = None) -> None:
    Enrollment.objects.create(student=pupil, class_group=class_group, starts_on=start, ends_on=end)


def mark(
    c: Community, assignment: TeachingAssignment, pupil: Student, kind: str, **extra: Any
) -> None:
    Mark.objects.create(
        assignment=assignment,
        student=pupil,
        kind=kind,
        value=extra.pop("value", "9"),
        created_by=c.teacher,
        **extra,
    )


def lesson(assignment: TeachingAssignment, day: dt.date, **extra: Any) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment,
        date=day,
        period=Period.objects.get(year=assignment.year, number=1),
        **extra,
    )


def by_code(items: list[CheckItem]) -> dict[str, CheckItem]:
    return {item.code: item for item in items}


def code(kind: str, class_group: ClassGroup, assignment: Any = None, term: Any = None) -> str:
    return f"{kind}:{class_group.pk}:{assignment.pk if assignment else 0}:{term.pk if term else 0}"


@pytest.fixture
def fives(community: Community) -> dict[str, Any]:
    """5-А in June: term and annual marks partly given, a term locked, a correction waiting,
    a held lesson without a topic; a group journal; a pupil who left and one who came."""
    c = community
    left = student(c, "Вибулий")
    came = student(c, "Новенька", "Ія")
    fourth = student(c, "Яковенко")
    enroll(left, c.class_5a, dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    enroll(came, c.class_5a, dt.date(2027, 2, 1))
    enroll(fourth, c.class_5a, dt.date(2026, 9, 1))
    english = Subject.objects.create(school=c.school, name="Англійська мова")
    group = Subgroup.objects.create(class_group=c.class_5a, subject=english, name="група 1")
    SubgroupMember.objects.create(subgroup=group, student=c.student)
    english_5a = TeachingAssignment.objects.create(
        year=c.year,
        teacher=c.teacher,
        subject=english,
        class_group=c.class_5a,
        subgroup=group,
        hours_per_week=Decimal(2),
    )
    math = c.math_5a
    for pupil in (c.student, c.other_student, fourth):
        mark(c, math, pupil, MarkKind.TERM, term=c.term1)
    mark(c, math, c.student, MarkKind.TERM, term=c.term2, value="н/а")
    mark(c, math, c.other_student, MarkKind.CORRECTED, term=c.term2, value="8")
    mark(c, math, c.student, MarkKind.ANNUAL, value="зв.")
    mark(c, math, c.other_student, MarkKind.ANNUAL, value="", comment="лише коментар")
    mark(c, english_5a, c.student, MarkKind.TERM, term=c.term1)
    mark(c, english_5a, c.student, MarkKind.TERM, term=c.term2)
    mark(c, english_5a, c.student, MarkKind.ANNUAL)
    TermLock.objects.create(term=c.term1, class_group=c.class_5a, locked_by=c.deputy)
    TermLock.objects.create(
        term=c.term2, class_group=c.class_5a, subject=c.math, locked_by=c.deputy
    )
    Correction.objects.create(
        assignment=math,
        student=c.student,
        target="mark",
        status=CorrectionStatus.PENDING,
        requested_by=c.teacher,
    )
    lesson(math, PAST)
    lesson(math, dt.date(2026, 11, 17))
    lesson(math, dt.date(2026, 11, 18), topic="Дроби")
    lesson(math, dt.date(2026, 11, 19), is_cancelled=True, cancel_reason="тривога")
    lesson(c.ukrainian_5a, PAST, topic="Іменник")
    return {"left": left, "came": came, "fourth": fourth, "english": english_5a}


def test_the_check_lists_what_is_missing_per_class_and_subject(
    community: Community, fives: dict[str, Any]
) -> None:
    c = community
    math, ukrainian = c.math_5a, c.ukrainian_5a

    items = closing_check(c.year, [c.class_5a], now=JUNE, integrity=False)[c.class_5a.pk]

    found = by_code(items)
    assert set(found) == {
        code(ItemKind.TERM_UNLOCKED, c.class_5a, term=c.term2),
        code(ItemKind.TERM_MISSING, c.class_5a, math, c.term2),
        code(ItemKind.ANNUAL_MISSING, c.class_5a, math),
        code(ItemKind.CORRECTION_PENDING, c.class_5a, math),
        code(ItemKind.TOPIC_MISSING, c.class_5a, math),
        code(ItemKind.TERM_MISSING, c.class_5a, ukrainian, c.term1),
        code(ItemKind.TERM_MISSING, c.class_5a, ukrainian, c.term2),
        code(ItemKind.ANNUAL_MISSING, c.class_5a, ukrainian),
    }
    # Whole-class items first, then the subjects in alphabetical order.
    assert [item.subject for item in items] == [
        "",
        "Математика",
        "Математика",
        "Математика",
        "Математика",
        "Українська мова",
        "Українська мова",
        "Українська мова",
    ]
    unlocked = found[code(ItemKind.TERM_UNLOCKED, c.class_5a, term=c.term2)]
    assert unlocked.text == "ІІ семестр is not locked for: Англійська мова, Українська мова."
    assert unlocked.count == 2
    assert unlocked.fix_url == f"/school/{c.school.pk}/locks/?year={c.year.pk}"
    # «н/а» and a corrected mark are term marks given; a term's pupils are those enrolled on
    # its last day (the one who came in February owes the II semester, not the I).
    math_term2 = found[code(ItemKind.TERM_MISSING, c.class_5a, math, c.term2)]
    assert math_term2.count == 2
    assert math_term2.text == (
        "ІІ семестр: term marks are missing for 2 students: Новенька І., Яковенко І."
    )
    assert math_term2.fix_url == f"/journal/{math.pk}/?term={c.term2.pk}"
    # «зв.» is an annual mark; a comment alone is not.
    math_annual = found[code(ItemKind.ANNUAL_MISSING, c.class_5a, math)]
    assert math_annual.count == 3
    assert "Новенька І., Савчук О. І., Яковенко І." in math_annual.text
    assert math_annual.fix_url == f"/journal/{math.pk}/?term={c.term2.pk}"
    ukrainian_annual = found[code(ItemKind.ANNUAL_MISSING, c.class_5a, ukrainian)]
    assert ukrainian_annual.count == 4
    assert ukrainian_annual.text == (
        "Annual marks are missing for 4 students: Гнатюк А. П., Новенька І., Савчук О. І. "
        "and 1 more"
    )
    assert "Вибулий" not in " ".join(item.text for item in items)
    assert found[code(ItemKind.TERM_MISSING, c.class_5a, ukrainian, c.term1)].count == 3
    waiting = found[code(ItemKind.CORRECTION_PENDING, c.class_5a, math)]
    assert waiting.count == 1
    assert waiting.fix_url == (
        f"/school/{c.school.pk}/corrections/?year={c.year.pk}&class_group={c.class_5a.pk}"
        "&status=pending"
    )
    topics = found[code(ItemKind.TOPIC_MISSING, c.class_5a, math)]
    assert topics.text == "2 held lessons have no topic (16.11.2026 – 17.11.2026)."
    assert topics.fix_url.startswith(f"/school/{c.school.pk}/control/fill/assignment/{math.pk}/")
    assert all(item.acceptable and item.class_name == "5-А" for item in items)
    # The group's journal owes marks only of its members: all given.
    assert not [item for item in items if item.subject == "Англійська мова (група 1)"]


def test_the_codes_stay_the_same_from_one_run_to_the_next(
    community: Community, fives: dict[str, Any]
) -> None:
    first = closing_check(community.year, now=JUNE, integrity=False)
    second = closing_check(community.year, now=JUNE, integrity=False)
    assert first == second
    assert list(first) == [community.class_5a.pk, community.class_5b.pk]


def test_the_year_not_over_and_terms_not_finished(
    community: Community, fives: dict[str, Any]
) -> None:
    c = community
    may = dt.datetime(2027, 5, 1, 9, 0, tzinfo=dt.UTC)
    lesson(c.math_5a, dt.date(2027, 5, 28))

    found = by_code(closing_check(c.year, [c.class_5a], now=may, integrity=False)[c.class_5a.pk])

    not_over = found[code(ItemKind.YEAR_NOT_OVER, c.class_5a)]
    assert not_over.text == "The year is not over: the last lesson day is 30.05.2027."
    assert not_over.acceptable and not_over.fix_url == ""
    # The II semester has not ended: its term marks and lock are not asked for yet; the
    # annual marks are (closing now makes the year final).
    assert code(ItemKind.TERM_MISSING, c.class_5a, c.math_5a, c.term2) not in found
    assert code(ItemKind.TERM_UNLOCKED, c.class_5a, term=c.term2) not in found
    assert code(ItemKind.ANNUAL_MISSING, c.class_5a, c.math_5a) in found


def test_no_marks_are_owed_where_the_school_gives_none(community: Community) -> None:
    """Grades 1–2 are on comments only; in grade 3 the council put one subject on verbal
    assessment, the other keeps the NUS levels."""
    c = community
    art = Subject.objects.create(school=c.school, name="Мистецтво")
    second = ClassGroup.objects.create(year=c.year, grade=2, letter="А")
    third = ClassGroup.objects.create(year=c.year, grade=3, letter="А")
    ScaleRule.objects.create(
        school=c.school,
        grade_from=3,
        grade_to=4,
        subject=art,
        scale=GradingScale.objects.get(code="comments"),
    )
    owed = {}
    for class_group in (second, third):
        enroll(student(c, f"Учень{class_group.grade}"), class_group, dt.date(2026, 9, 1))
        for subject in (art, c.math):
            owed[(class_group.grade, subject.name)] = TeachingAssignment.objects.create(
                year=c.year,
                teacher=c.teacher,
                subject=subject,
                class_group=class_group,
                hours_per_week=Decimal(1),
            )

    checked = closing_check(c.year, [second, third], now=JUNE, integrity=False)

    def marks_owed(class_group: ClassGroup) -> set[tuple[str, str]]:
        return {
            (item.subject, item.kind)
            for item in checked[class_group.pk]
            if item.kind in (ItemKind.TERM_MISSING, ItemKind.ANNUAL_MISSING)
        }

    assert marks_owed(second) == set()
    assert marks_owed(third) == {
        ("Математика", ItemKind.TERM_MISSING),
        ("Математика", ItemKind.ANNUAL_MISSING),
    }
    # Locks are asked for all the same.
    assert {item.kind for item in checked[second.pk]} == {ItemKind.TERM_UNLOCKED}


def test_a_change_behind_the_application_is_named_for_its_class_only(
    community: Community,
) -> None:
    c = community
    for school in (c.school, c.other_school):
        audit_rows_seal(actor=None, school_id=school.pk, reason="test set-up")
    taught = lesson(c.math_5a, PAST)
    written = journal.mark_set(
        actor=c.teacher, assignment=c.math_5a, student=c.student, lesson=taught, value="7"
    ).mark
    assert written is not None
    assert not any(
        item.kind == ItemKind.INTEGRITY
        for items in closing_check(c.year).values()
        for item in items
    )
    Mark.objects.filter(pk=written.pk).update(value="12")  # no event: behind its back

    checked = closing_check(c.year)  # both classes: the school first, then class by class

    integrity = [item for item in checked[c.class_5a.pk] if item.kind == ItemKind.INTEGRITY]
    assert len(integrity) == 1 and not integrity[0].acceptable
    assert integrity[0].code == code(ItemKind.INTEGRITY, c.class_5a)
    assert f"journal.mark #{written.pk}: changed outside the application (value" in (
        integrity[0].text
    )
    assert integrity[0].fix_url == ""
    assert not [item for item in checked[c.class_5b.pk] if item.kind == ItemKind.INTEGRITY]


def fill(c: Community, class_group: ClassGroup, number: int) -> None:
    """A class with a whole-class and a group journal, pupils, marks, lessons, a lock and
    a correction waiting."""
    english = Subject.objects.get_or_create(school=c.school, name="Англійська мова")[0]
    group = Subgroup.objects.create(class_group=class_group, subject=english, name="група 1")
    pupils = [student(c, f"Учень{number}-{index}") for index in range(6)]
    for pupil in pupils:
        enroll(pupil, class_group, dt.date(2026, 9, 1))
    SubgroupMember.objects.create(subgroup=group, student=pupils[0])
    journals = [
        TeachingAssignment.objects.create(
            year=c.year,
            teacher=c.teacher,
            subject=c.math,
            class_group=class_group,
            hours_per_week=Decimal(4),
        ),
        TeachingAssignment.objects.create(
            year=c.year,
            teacher=c.teacher,
            subject=english,
            class_group=class_group,
            subgroup=group,
            hours_per_week=Decimal(2),
        ),
    ]
    for assignment in journals:
        for day in (PAST, dt.date(2026, 11, 17)):
            lesson(assignment, day)
        for pupil in pupils[:3]:
            mark(c, assignment, pupil, MarkKind.TERM, term=c.term1)
            mark(c, assignment, pupil, MarkKind.ANNUAL)
        Correction.objects.create(
            assignment=assignment,
            student=pupils[0],
            target="mark",
            status=CorrectionStatus.PENDING,
            requested_by=c.teacher,
        )
    TermLock.objects.create(term=c.term1, class_group=class_group, locked_by=c.deputy)


def test_the_check_reads_a_fixed_number_of_queries(
    community: Community, django_assert_max_num_queries: Any
) -> None:
    c = community
    fill(c, c.class_5b, 1)
    with CaptureQueriesContext(connection) as one:
        checked = closing_check(c.year, [c.class_5b], now=JUNE, integrity=False)
    assert checked[c.class_5b.pk]
    more = [ClassGroup.objects.create(year=c.year, grade=6, letter=letter) for letter in "АБ"]
    for number, class_group in enumerate(more, 2):
        fill(c, class_group, number)

    with CaptureQueriesContext(connection) as three:
        checked = closing_check(c.year, [c.class_5b, *more], now=JUNE, integrity=False)

    assert all(checked[class_group.pk] for class_group in more)
    assert len(three) == len(one) <= 12, [query["sql"] for query in three.captured_queries]
    with django_assert_max_num_queries(13):  # and the classes of the year
        closing_check(c.year, now=timezone.now(), integrity=False)
