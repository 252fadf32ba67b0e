"""Where the grid opens, what its headers offer the keyboard, and the average and proposal
the teacher sees beside thematic and term cells."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.journal.grid.selectors import focus_lesson, journal_grid, terms_for
from zhurnal.journal.grid.tests.builders import (
    LAST_WEEK,
    TODAY,
    add_mark,
    grid_url,
    make_lesson,
    post_cell,
)
from zhurnal.journal.grid.tests.test_grid_queries import fill_class
from zhurnal.journal.models import Mark, MarkKind
from zhurnal.timetable.access import assignment_for_user

Login = Callable[[User], Client]
NEXT_WEEK = TODAY + dt.timedelta(days=7)
HEADER = re.compile(r"<th scope=\"col\"[^>]*>.*?</th>", re.S)


def focus_header(page: str) -> str:
    found = [header for header in HEADER.findall(page) if 'id="grid-focus"' in header]
    assert len(found) == 1
    return found[0]


def test_grid_opens_at_todays_lesson(community: Community, login: Login) -> None:
    make_lesson(community, LAST_WEEK)
    today = make_lesson(community, TODAY, period=2)
    make_lesson(community, TODAY, period=3)
    make_lesson(community, NEXT_WEEK)

    page = login(community.teacher).get(grid_url(community)).content.decode()

    assert f'data-lesson="{today.pk}"' in focus_header(page)
    assert "journal-grid-open.js" in page


def test_grid_opens_at_the_last_lesson_held_when_none_is_today(
    community: Community, login: Login
) -> None:
    make_lesson(community, dt.date(2026, 11, 2))
    held = make_lesson(community, LAST_WEEK, period=3)
    make_lesson(community, NEXT_WEEK)

    page = login(community.class_teacher).get(grid_url(community)).content.decode()

    assert f'data-lesson="{held.pk}"' in focus_header(page)
    assert "journal-grid-open.js" in page  # readers open at the same place


def test_focus_lesson_before_during_and_after_the_term() -> None:
    days = [(1, dt.date(2026, 9, 1)), (2, dt.date(2026, 9, 8)), (3, dt.date(2026, 9, 8))]

    assert focus_lesson(days, dt.date(2026, 8, 25)) == 1
    assert focus_lesson(days, dt.date(2026, 9, 8)) == 2
    assert focus_lesson(days, dt.date(2026, 9, 7)) == 1
    assert focus_lesson(days, dt.date(2026, 12, 1)) == 3
    assert focus_lesson([], dt.date(2026, 12, 1)) is None


@pytest.mark.parametrize("who", ["teacher", "deputy"])
def test_every_column_header_is_at_most_one_tab_stop(
    community: Community, login: Login, who: str
) -> None:
    make_lesson(community, LAST_WEEK)
    make_lesson(community, TODAY)

    page = login(getattr(community, who)).get(grid_url(community)).content.decode()

    headers = HEADER.findall(page)
    assert len(headers) >= 6  # names, two lessons, thematic, term, corrected
    assert all(header.count("<a ") <= 1 for header in headers)
    assert "tabindex" not in "".join(headers)
    undated = [header for header in headers if "data-kind=" in header]
    links = sum(header.count('class="col-edit"') for header in undated)
    assert links == (len(undated) if who == "teacher" else 0)


def test_thematic_columns_show_the_themes_name_when_known(
    community: Community, login: Login
) -> None:
    assignment = assignment_for_user(community.teacher, community.math_5a.pk)

    grid = journal_grid(
        assignment, community.term1, theme_names={1: "Звичайні дроби"}, can_write=True
    )

    thematic = [column for column in grid.columns if column.kind == MarkKind.THEMATIC]
    assert thematic[0].theme_name == "Звичайні дроби"
    assert thematic[0].title.endswith(": Звичайні дроби")
    page = login(community.teacher).get(grid_url(community)).content.decode()
    assert "theme-name" not in page  # no names known: the header is the number alone


def thematic(community: Community, number: int, value: int) -> Mark:
    return Mark.objects.create(
        assignment=community.math_5a,
        term=community.term1,
        student=community.student,
        kind=MarkKind.THEMATIC,
        theme_number=number,
        value=str(value),
        numeric_value=Decimal(value),
        created_by=community.teacher,
    )


def test_rows_carry_the_running_average_and_the_proposed_term_mark(
    community: Community, login: Login
) -> None:
    for day, value in ((LAST_WEEK, "7"), (TODAY, "10")):
        add_mark(community, make_lesson(community, day), community.student, value)
    thematic(community, 1, 9)
    thematic(community, 2, 10)

    page = login(community.teacher).get(grid_url(community)).content.decode()

    # The school's method is the mean of the thematic marks: 9.5 rounds half up to 10.
    assert f'<tr data-student="{community.student.pk}" data-avg="8,5" data-prop="10">' in page
    assert f'<tr data-student="{community.other_student.pk}" data-avg="" data-prop="">' in page


def test_saving_a_cell_answers_the_rows_new_average_and_proposal(
    community: Community, login: Login
) -> None:
    earlier = make_lesson(community, LAST_WEEK)
    today = make_lesson(community, TODAY)
    add_mark(community, earlier, community.student, "6")
    thematic(community, 1, 8)
    client = login(community.teacher)

    status, body = post_cell(
        client,
        community,
        student=community.student.pk,
        lesson=today.pk,
        term=community.term1.pk,
        value=9,
    )
    assert status == 200 and body["ok"]
    assert (body["average"], body["proposal"], body["hint"]) == ("7,5", "8", "≈ 8")

    status, body = post_cell(
        client,
        community,
        student=community.student.pk,
        kind="thematic",
        theme=2,
        term=community.term1.pk,
        value=11,
    )
    assert status == 200 and body["ok"]
    assert (body["average"], body["proposal"], body["hint"]) == ("7,5", "10", "≈ 9,5")

    # A refusal or a request without the grid's term answers without hints.
    status, body = post_cell(
        client, community, student=community.student.pk, lesson=today.pk, value=13
    )
    assert not body["ok"] and "average" not in body


@pytest.mark.parametrize(("students", "lessons"), [(3, 4), (30, 40)])
def test_cell_save_with_hints_does_not_grow_with_the_class(
    community: Community,
    login: Login,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
    students: int,
    lessons: int,
) -> None:
    fill_class(community, students=students, lessons=lessons)
    lesson = make_lesson(community, TODAY)
    client = login(community.teacher)
    terms = terms_for(community.math_5a)
    assert terms

    with django_assert_max_num_queries(CELL_QUERIES + (connection.vendor == "postgresql")):
        status, body = post_cell(
            client,
            community,
            student=community.student.pk,
            lesson=lesson.pk,
            term=community.term1.pk,
            value=8,
        )

    assert status == 200 and body["ok"] and body["average"]


# The save itself (session, user, assignment, student, lesson, the service's reads, the
# write, audit, the class's diary read version) and two for the hints: the term and the
# student's marks; PostgreSQL takes one more, the audit chain's advisory lock.
CELL_QUERIES = 19
