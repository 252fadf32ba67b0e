"""The journal grid page, its keyboard cell endpoint and the no-JS column form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.journal.grid.selectors import default_term
from zhurnal.journal.grid.tests.builders import (  # noqa: F401
    KYIV,
    LAST_WEEK,
    NOW,
    TODAY,
    add_mark,
    cell_url,
    grid_url,
    make_lesson,
    post_cell,
    uk,
)
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    Mark,
    MarkKind,
    TermLock,
)
from zhurnal.people.models import Enrollment, Sex, Student, SubgroupMember
from zhurnal.schools.models import Subgroup
from zhurnal.timetable.models import TeachingAssignment

Login = Callable[[User], Client]


# --- reading ---------------------------------------------------------------------------


def test_teacher_sees_students_lessons_and_undated_columns(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, TODAY, topic="Дроби")
    make_lesson(community, LAST_WEEK)
    cancelled = make_lesson(community, dt.date(2026, 11, 12))
    cancelled.is_cancelled = True
    cancelled.save()
    add_mark(community, lesson, community.student, "9")
    Attendance.objects.create(
        lesson=lesson,
        student=community.other_student,
        status=AttendanceStatus.LATE,
        late_minutes=7,
        recorded_by=community.teacher,
    )

    response = login(community.teacher).get(grid_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Гнатюк Андрій" in page
    assert "Савчук Олена" in page
    assert "Лисенко" not in page  # 5-Б
    assert ">09.11<" in page and ">16.11<" in page
    assert "12.11" not in page
    assert "Дроби" in page  # the topic as the column's title
    assert uk("Topic %(number)s", "journal column") % {"number": 1} in page
    assert "І семестр" in page
    assert uk("Corrected", "journal column") in page
    assert uk("Annual", "journal column") not in page  # not the last term
    assert 'data-cell-url="' in page
    assert 'data-v="9"' in page
    assert "зап." in page
    assert "js/journal-grid.js" in page
    assert page.index("Гнатюк Андрій") < page.index("Савчук Олена")


def test_default_term_contains_today_and_other_terms_are_chosen_by_id(
    community: Community, login: Login
) -> None:
    client = login(community.teacher)
    assert client.get(grid_url(community)).context["grid"].term == community.term1
    response = client.get(grid_url(community), {"term": community.term2.pk})
    grid = response.context["grid"]
    assert grid.term == community.term2
    assert grid.is_last_term
    headers = [column.header for column in grid.columns]
    assert headers[-3:] == [
        "ІІ семестр",
        uk("Corrected", "journal column"),
        uk("Annual", "journal column"),
    ]  # no state exam (ДПА) in grade 5
    assert client.get(grid_url(community), {"term": 999999}).status_code == 404


def test_state_exam_column_only_in_grades_4_9_and_11(community: Community, login: Login) -> None:
    community.class_5a.grade = 9
    community.class_5a.save()
    grid = login(community.teacher).get(grid_url(community), {"term": community.term2.pk})
    assert grid.context["grid"].columns[-1].key == "state_exam"
    assert grid.context["grid"].columns[-1].header == uk("State exam", "journal column")


@pytest.mark.parametrize("who", ["class_teacher", "deputy", "director", "school_admin"])
def test_readers_see_grid_without_edit_controls_and_cannot_post(
    community: Community, login: Login, who: str
) -> None:
    lesson = make_lesson(community, TODAY)
    client = login(getattr(community, who))

    response = client.get(grid_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Гнатюк Андрій" in page
    assert "data-cell-url" not in page
    assert "data-v=" not in page
    assert "col-edit" not in page
    assert "journal-grid.js" not in page
    status, _ = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=8
    )
    assert status == 404
    column = reverse("journal:grid_column", args=[community.math_5a.pk])
    assert client.get(column, {"column": f"lesson-{lesson.pk}"}).status_code == 404
    assert not Mark.objects.exists()


@pytest.mark.parametrize(
    "who", ["other_teacher", "outsider", "guardian", "student_user", "other_school_admin"]
)
def test_strangers_get_404_for_grid_and_cell(community: Community, login: Login, who: str) -> None:
    lesson = make_lesson(community, TODAY)
    client = login(getattr(community, who))

    assert client.get(grid_url(community)).status_code == 404
    status, _ = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=8
    )
    assert status == 404
    assert not Mark.objects.exists()
    assert not Attendance.objects.exists()


def test_anonymous_is_sent_to_login(community: Community, client: Client) -> None:
    response = client.get(grid_url(community))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_substitute_writes_only_through_the_lesson_page(community: Community, login: Login) -> None:
    lesson = make_lesson(community, TODAY)
    lesson.substitute = community.other_teacher
    lesson.save()
    status, _ = post_cell(
        login(community.other_teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value=8,
    )
    assert status == 404
    assert not Mark.objects.exists()


def test_subgroup_journal_shows_only_its_members(community: Community, login: Login) -> None:
    group = Subgroup.objects.create(
        class_group=community.class_5a, subject=community.ukrainian, name="1 група"
    )
    SubgroupMember.objects.create(subgroup=group, student=community.other_student)
    english = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.ukrainian,
        class_group=community.class_5a,
        subgroup=group,
        hours_per_week=Decimal(2),
    )
    lesson = make_lesson(community, TODAY, assignment=english)
    client = login(community.teacher)

    page = client.get(grid_url(community, english)).content.decode()

    assert "Савчук Олена" in page
    assert "Гнатюк Андрій" not in page
    response = client.post(
        cell_url(community, english),
        {"student": community.student.pk, "lesson": lesson.pk, "value": "8"},
    )
    assert response.status_code == 200
    assert not response.json()["ok"]
    assert not Mark.objects.exists()


def test_student_who_arrived_mid_term_has_no_editable_cells_before(
    community: Community, login: Login
) -> None:
    newcomer = Student.objects.create(
        municipality=community.municipality,
        surname="Антоненко",
        given_name="Яна",
        birth_date=dt.date(2015, 4, 4),
        sex=Sex.FEMALE,
    )
    Enrollment.objects.create(
        student=newcomer, class_group=community.class_5a, starts_on=dt.date(2026, 11, 10)
    )
    before = make_lesson(community, LAST_WEEK)
    after = make_lesson(community, TODAY)
    client = login(community.teacher)

    grid = client.get(grid_url(community)).context["grid"]

    row = next(row for row in grid.rows if row.student == newcomer)
    assert row.number == 1  # А before Г and С
    cells = {column.key: cell for column, cell in zip(grid.columns, row.cells, strict=True)}
    assert not cells[f"lesson-{before.pk}"].enrolled
    assert not cells[f"lesson-{before.pk}"].editable
    assert cells[f"lesson-{after.pk}"].editable
    status, body = post_cell(client, community, student=newcomer.pk, lesson=before.pk, value=8)
    assert status == 200 and not body["ok"]
    assert "Антоненко" in body["message"]
    assert not Mark.objects.filter(student=newcomer).exists()
    status, body = post_cell(client, community, student=newcomer.pk, lesson=after.pk, value=8)
    assert status == 200 and body["ok"]


def test_student_of_another_class_is_404(community: Community, login: Login) -> None:
    lesson = make_lesson(community, TODAY)
    status, _ = post_cell(
        login(community.teacher),
        community,
        student=community.student_5b.pk,
        lesson=lesson.pk,
        value=8,
    )
    assert status == 404
    assert not Mark.objects.exists()


# --- entering marks through the cell endpoint ------------------------------------------------


def test_valid_mark_is_saved(community: Community, login: Login) -> None:
    lesson = make_lesson(community, TODAY)

    status, body = post_cell(
        login(community.teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value=" 8 ",
    )

    assert status == 200
    assert body == {
        "ok": True,
        "value": "8",
        "message": "",
        "pending": False,
        "need_reason": False,
        "need_request": False,
    }
    mark = Mark.objects.get()
    assert (mark.student, mark.lesson, mark.kind, mark.value) == (
        community.student,
        lesson,
        MarkKind.CURRENT,
        "8",
    )
    assert mark.created_by == community.teacher


def test_mark_off_the_scale_is_refused_in_ukrainian(community: Community, login: Login) -> None:
    lesson = make_lesson(community, TODAY)

    status, body = post_cell(
        login(community.teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value=13,
    )

    assert status == 200 and not body["ok"]
    assert body["ok"] is False
    assert not body["need_reason"]
    assert body["value"] == "13"
    assert body["message"].startswith(
        uk("«%(value)s» is not a mark on the scale «%(scale)s»: enter %(allowed)s.").split("%")[0]
    )
    assert "«13»" in body["message"]
    assert not Mark.objects.exists()


@pytest.mark.parametrize("typed", ["н", "Н", "n", "N"])
def test_absence_then_mark_is_refused(community: Community, login: Login, typed: str) -> None:
    lesson = make_lesson(community, TODAY)
    client = login(community.teacher)

    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=typed
    )
    assert status == 200
    assert body["value"] == "н"
    entry = Attendance.objects.get()
    assert entry.status == AttendanceStatus.ABSENT
    lesson.refresh_from_db()
    assert lesson.attendance_taken_at is not None

    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=8
    )
    assert status == 200 and not body["ok"]
    assert "Гнатюк Андрій Петрович" in body["message"]
    assert not Mark.objects.exists()
    assert Attendance.objects.get().status == AttendanceStatus.ABSENT


def test_mark_then_absence_is_refused(community: Community, login: Login) -> None:
    lesson = make_lesson(community, TODAY)
    add_mark(community, lesson, community.student, "7")
    status, body = post_cell(
        login(community.teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value="н",
    )
    assert status == 200 and not body["ok"]
    assert not Attendance.objects.exists()


def test_empty_value_removes_mark_and_absence_on_the_lesson_day(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, TODAY)
    add_mark(community, lesson, community.student, "7")
    Attendance.objects.create(
        lesson=lesson,
        student=community.other_student,
        status=AttendanceStatus.ABSENT,
        recorded_by=community.teacher,
    )
    client = login(community.teacher)

    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=""
    )
    assert status == 200 and body["value"] == ""
    status, body = post_cell(
        client, community, student=community.other_student.pk, lesson=lesson.pk, value=""
    )
    assert status == 200 and body["value"] == ""

    assert not Mark.objects.exists()
    assert not Attendance.objects.exists()
    assert Correction.objects.filter(target="mark", after__isnull=True).count() == 1
    assert Correction.objects.filter(target="attendance").count() == 1


def test_change_after_the_lesson_day_needs_a_reason(community: Community, login: Login) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    mark = add_mark(community, lesson, community.student, "7")
    client = login(community.teacher)

    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=9
    )
    assert status == 200 and not body["ok"]
    assert body["need_reason"] is True
    assert "09.11.2026" in body["message"]
    mark.refresh_from_db()
    assert mark.value == "7"
    assert not Correction.objects.exists()

    status, body = post_cell(
        client,
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value=9,
        reason="Перевірила роботу ще раз",
    )
    assert status == 200 and body["ok"] and body["value"] == "9"
    mark.refresh_from_db()
    assert mark.value == "9"
    correction = Correction.objects.get()
    assert correction.before["value"] == "7"
    assert correction.after["value"] == "9"
    assert correction.reason == "Перевірила роботу ще раз"
    assert correction.status == CorrectionStatus.APPLIED


def test_wrong_value_is_reported_before_asking_for_a_reason(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    add_mark(community, lesson, community.student, "7")
    status, body = post_cell(
        login(community.teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value=13,
    )
    assert status == 200 and not body["ok"]
    assert not body["need_reason"]
    assert "«13»" in body["message"]


def test_same_value_after_the_lesson_day_is_no_change(community: Community, login: Login) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    add_mark(community, lesson, community.student, "7")
    status, body = post_cell(
        login(community.teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value="7",
    )
    assert status == 200 and body["value"] == "7"
    assert not Correction.objects.exists()


def test_first_mark_after_the_lesson_day_needs_no_reason(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    status, _ = post_cell(
        login(community.teacher),
        community,
        student=community.student.pk,
        lesson=lesson.pk,
        value=10,
    )
    assert status == 200
    assert Mark.objects.get().entered_late


def test_cell_with_several_marks_is_not_edited_from_the_grid(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, TODAY)
    add_mark(community, lesson, community.student, "7")
    add_mark(community, lesson, community.student, "10", kind=MarkKind.TEST)
    client = login(community.teacher)

    page = client.get(grid_url(community)).content.decode()
    assert "7 10<sup" in page
    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=8
    )
    assert status == 200 and not body["ok"]
    assert sorted(Mark.objects.values_list("value", flat=True)) == ["10", "7"]


def test_locked_term_keeps_the_value_and_shows_the_change_as_pending(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, TODAY)
    mark = add_mark(community, lesson, community.student, "7")
    TermLock.objects.create(
        term=community.term1, class_group=community.class_5a, locked_by=community.deputy
    )
    client = login(community.teacher)

    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=9
    )

    assert status == 200
    assert body["ok"] and body["pending"]
    assert body["value"] == "7"
    mark.refresh_from_db()
    assert mark.value == "7"
    assert Correction.objects.get().status == CorrectionStatus.PENDING
    grid = client.get(grid_url(community)).context["grid"]
    assert grid.locked and grid.pending_count == 1
    index = next(i for i, c in enumerate(grid.columns) if c.lesson_id == lesson.pk)
    assert grid.rows[0].cells[index].pending


def test_closed_year_is_read_only(community: Community, login: Login) -> None:
    lesson = make_lesson(community, TODAY)
    community.year.closed_at = NOW
    community.year.save()
    client = login(community.teacher)

    page = client.get(grid_url(community)).content.decode()
    assert "2026/2027" in page
    assert "data-cell-url" not in page
    assert "data-v=" not in page

    status, body = post_cell(
        client, community, student=community.student.pk, lesson=lesson.pk, value=8
    )
    assert status == 200 and not body["ok"]
    assert body["message"] == uk(
        "The academic year %(year)s is closed: its data can only be read."
    ) % {"year": "2026/2027"}
    assert not Mark.objects.exists()
    column = reverse("journal:grid_column", args=[community.math_5a.pk])
    response = client.post(
        f"{column}?column=lesson-{lesson.pk}", {f"value-{community.student.pk}": "8"}
    )
    assert response.status_code == 302
    assert not Mark.objects.exists()


# --- undated columns -------------------------------------------------------------------------


def test_thematic_mark_adds_the_next_topic_column(community: Community, login: Login) -> None:
    client = login(community.teacher)
    term = community.term1.pk

    status, body = post_cell(
        client,
        community,
        student=community.student.pk,
        kind="thematic",
        term=term,
        theme=1,
        value=10,
    )
    assert status == 200 and body["value"] == "10"
    mark = Mark.objects.get()
    assert (mark.kind, mark.term, mark.theme_number) == (MarkKind.THEMATIC, community.term1, 1)

    keys = [column.key for column in client.get(grid_url(community)).context["grid"].columns]
    assert keys[:2] == ["thematic-1", "thematic-2"]


def test_term_mark_with_proposal_hint(community: Community, login: Login) -> None:
    for number in (1, 2):
        Mark.objects.create(
            assignment=community.math_5a,
            term=community.term1,
            student=community.student,
            kind=MarkKind.THEMATIC,
            theme_number=number,
            value=str(7 + number),
            numeric_value=Decimal(7 + number),
            created_by=community.teacher,
        )
    client = login(community.teacher)

    page = client.get(grid_url(community)).content.decode()
    assert "≈ 8,5" in page

    status, body = post_cell(
        client,
        community,
        student=community.student.pk,
        kind="term",
        term=community.term1.pk,
        value=9,
    )
    assert status == 200 and body["value"] == "9"
    assert Mark.objects.get(kind=MarkKind.TERM).value == "9"
    # Removing an undated mark always needs a reason.
    status, body = post_cell(
        client,
        community,
        student=community.student.pk,
        kind="term",
        term=community.term1.pk,
        value="",
    )
    assert status == 200 and not body["ok"] and body["need_reason"]
    assert Mark.objects.filter(kind=MarkKind.TERM).exists()


def test_corrected_mark_asks_for_the_request_and_annual_shows_which_was_used(
    community: Community, login: Login
) -> None:
    for term, value in ((community.term1, "6"), (community.term2, "10")):
        Mark.objects.create(
            assignment=community.math_5a,
            term=term,
            student=community.student,
            kind=MarkKind.TERM,
            value=value,
            numeric_value=Decimal(value),
            created_by=community.teacher,
        )
    client = login(community.teacher)
    data = {"student": community.student.pk, "kind": "corrected", "term": community.term1.pk}

    status, body = post_cell(client, community, **data, value=8)
    assert status == 200 and not body["ok"] and body["need_request"]
    assert not Mark.objects.filter(kind=MarkKind.CORRECTED).exists()

    status, body = post_cell(
        client, community, **data, value=8, requested_on="2026-11-13", requested_by="Гнатюк Петро"
    )
    assert status == 200 and body["value"] == "8"
    corrected = Mark.objects.get(kind=MarkKind.CORRECTED)
    assert corrected.requested_on == dt.date(2026, 11, 13)
    assert corrected.requested_by == "Гнатюк Петро"
    assert Mark.objects.get(kind=MarkKind.TERM, term=community.term1).value == "6"  # kept

    grid = client.get(grid_url(community), {"term": community.term2.pk}).context["grid"]
    annual = next(i for i, c in enumerate(grid.columns) if c.key == "annual")
    cell = grid.rows[0].cells[annual]
    assert cell.hint == "≈ 9"
    assert cell.hint_note
    assert "І семестр: 8" in cell.hint_title

    status, body = post_cell(
        client, community, student=community.student.pk, kind="annual", value=9
    )
    assert status == 200
    assert Mark.objects.get(kind=MarkKind.ANNUAL).term is None


# --- the no-JS column form -------------------------------------------------------------------


def test_column_form_saves_valid_entries_and_reports_refused_ones(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, TODAY)
    client = login(community.teacher)
    column = reverse("journal:grid_column", args=[community.math_5a.pk])
    url = f"{column}?term={community.term1.pk}&column=lesson-{lesson.pk}"

    page = client.get(url).content.decode()
    assert f'name="value-{community.student.pk}"' in page
    assert f'name="value-{community.other_student.pk}"' in page

    response = client.post(
        url, {f"value-{community.student.pk}": "8", f"value-{community.other_student.pk}": "13"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "«13»" in page
    assert 'value="13"' in page  # kept for correction
    assert Mark.objects.get().student == community.student

    response = client.post(
        url, {f"value-{community.student.pk}": "8", f"value-{community.other_student.pk}": "н"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?term={community.term1.pk}")
    assert Attendance.objects.get().student == community.other_student
    assert Mark.objects.count() == 1


def test_column_form_needs_a_reason_for_changes_after_the_lesson_day(
    community: Community, login: Login
) -> None:
    lesson = make_lesson(community, LAST_WEEK)
    add_mark(community, lesson, community.student, "5")
    client = login(community.teacher)
    url = (
        reverse("journal:grid_column", args=[community.math_5a.pk]) + f"?column=lesson-{lesson.pk}"
    )

    response = client.post(url, {f"value-{community.student.pk}": "6"})
    assert response.status_code == 200
    assert Mark.objects.get().value == "5"

    response = client.post(url, {f"value-{community.student.pk}": "6", "reason": "описка"})
    assert response.status_code == 302
    assert Mark.objects.get().value == "6"
    assert Correction.objects.get().reason == "описка"


def test_column_form_for_the_corrected_mark(community: Community, login: Login) -> None:
    client = login(community.teacher)
    url = reverse("journal:grid_column", args=[community.math_5a.pk]) + "?column=corrected"
    sid = community.student.pk

    page = client.get(url).content.decode()
    assert f'name="requested_on-{sid}"' in page

    response = client.post(
        url,
        {f"value-{sid}": "8", f"requested_on-{sid}": "2026-11-13", f"requested_by-{sid}": "мама"},
    )
    assert response.status_code == 302
    mark = Mark.objects.get(kind=MarkKind.CORRECTED)
    assert (mark.value, mark.requested_by, mark.term) == ("8", "мама", community.term1)


def test_column_form_unknown_column_is_404(community: Community, login: Login) -> None:
    url = reverse("journal:grid_column", args=[community.math_5a.pk])
    assert login(community.teacher).get(url, {"column": "lesson-999"}).status_code == 404


def test_default_term_between_and_around_terms(community: Community) -> None:
    terms = [community.term1, community.term2]
    assert default_term(terms, dt.date(2026, 12, 30)) == community.term1  # winter holidays
    assert default_term(terms, dt.date(2027, 6, 20)) == community.term2  # after the year
    assert default_term(terms, dt.date(2026, 8, 20)) == community.term1  # before the year
    assert default_term([], TODAY) is None


def test_unknown_columns_and_terms_are_404(community: Community, login: Login) -> None:
    client = login(community.teacher)
    sid = community.student.pk
    for data in (
        {"kind": "state_exam"},  # grade 5 sits no ДПА
        {"kind": "current"},
        {"kind": "term", "term": community.other_year.pk + 1000},
        {"kind": "thematic", "term": community.term1.pk, "theme": "x"},
        {"lesson": "999999"},
    ):
        status, _ = post_cell(client, community, student=sid, value=8, **data)
        assert status == 404, data
    assert not Mark.objects.exists()
