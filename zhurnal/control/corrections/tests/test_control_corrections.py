"""The register of corrections: who may open it, approving and rejecting changes waiting
in a locked term, filters, pages and the XLSX export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cast import Community, make_staff, make_user
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    Mark,
    MarkKind,
)
from zhurnal.journal.services import attendance_set, mark_set, term_lock
from zhurnal.people.models import Role, RoleAssignment
from zhurnal.schools.models import School
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

REASON = "помилка під час введення"


def make_lesson(community: Community, day: dt.date = dt.date(2026, 10, 5), number: int = 1):
    period = Period.objects.get(year=community.year, number=number)
    return Lesson.objects.create(assignment=community.math_5a, date=day, period=period)


def lock_5a_term1(community: Community) -> None:
    term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)


def pending_mark(community: Community, lesson: Lesson, value: str = "10") -> Correction:
    """A new mark for Андрій in a locked term: it waits for approval."""
    result = mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value=value,
        lesson=lesson,
        reason=REASON,
    )
    assert result.pending and result.correction is not None
    return result.correction


def register_url(community: Community, **query: object) -> str:
    url = reverse("control:corrections", args=[community.school.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def decide_url(community: Community, correction: Correction) -> str:
    return reverse("control:correction_decide", args=[community.school.pk, correction.pk])


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in response.context["messages"]]


# --- who may open it ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_controllers_see_pending_corrections_first(community: Community, login, who: str) -> None:
    lesson = make_lesson(community)
    mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.other_student,
        value="7",
        lesson=lesson,
    )
    # An applied change before the lock, then a change waiting in the locked term.
    mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.other_student,
        value="8",
        lesson=lesson,
        mark=Mark.objects.get(student=community.other_student),
        reason="переплутала учнів",
    )
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson, "11")

    response = login(getattr(community, who)).get(register_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Гнатюк Андрій Петрович" in page
    assert "Савчук Олена Ігорівна" in page
    assert "Коваленко Ірина" in page
    assert "05.10.2026" in page
    assert "переплутала учнів" in page
    assert page.index("Гнатюк Андрій") < page.index("Савчук Олена")  # pending first
    assert decide_url(community, waiting) in page
    rows = response.context["rows"]
    assert rows[0].correction.pk == waiting.pk
    assert (rows[0].before, rows[0].after) == ("—", "11")
    assert (rows[1].before, rows[1].after) == ("7", "8")


@pytest.mark.parametrize(
    "who",
    ["teacher", "class_teacher", "school_admin", "other_school_admin", "department", "outsider"],
)
def test_others_get_404_and_change_nothing(community: Community, login, who: str) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson)
    client = login(getattr(community, who))

    assert client.get(register_url(community)).status_code == 404
    xlsx = reverse("control:corrections_xlsx", args=[community.school.pk])
    assert client.get(xlsx).status_code == 404
    response = client.post(decide_url(community, waiting), {"decision": "approve"})

    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.PENDING
    assert waiting.decided_by is None
    assert not Mark.objects.exists()


def test_deputy_of_another_school_gets_404(community: Community, login) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson)
    other_deputy = make_staff(
        community.other_school, "other_deputy", "Іваненко", "Ніна", Role.DEPUTY
    )
    client = login(other_deputy)

    assert client.get(register_url(community)).status_code == 404
    response = client.post(decide_url(community, waiting), {"decision": "approve"})
    # Through their own school's address the correction of school A is not found either.
    own = reverse("control:correction_decide", args=[community.other_school.pk, waiting.pk])
    assert client.post(own, {"decision": "approve"}).status_code == 404

    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.PENDING
    assert not Mark.objects.exists()


def test_anonymous_is_sent_to_log_in(community: Community, client) -> None:
    response = client.get(register_url(community))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_decisions_are_only_posted(community: Community, login) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson)
    assert login(community.deputy).get(decide_url(community, waiting)).status_code == 405


# --- approving and rejecting --------------------------------------------------------------


def test_locked_term_change_waits_until_the_deputy_approves(community: Community, login) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson, "10")
    assert not Mark.objects.exists()  # the teacher's change alone applies nothing

    response = login(community.deputy).post(
        decide_url(community, waiting),
        {"decision": "approve", "note": "погоджено", "back": "status=pending&evil=1"},
    )

    assert response.status_code == 302
    assert response["Location"] == register_url(community, status="pending")
    mark = Mark.objects.get()
    assert (mark.student, mark.lesson, mark.value) == (community.student, lesson, "10")
    assert mark.numeric_value == Decimal(10)
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.APPLIED
    assert waiting.decided_by == community.deputy
    assert waiting.decided_at is not None
    assert waiting.mark == mark
    assert waiting.decision_note == "погоджено"
    approve = AuditEvent.objects.get(action="correction.approve")
    assert approve.actor == community.deputy
    assert AuditEvent.objects.filter(action="mark.create", actor=community.deputy).exists()


def test_rejected_change_leaves_the_journal_as_it_was(community: Community, login) -> None:
    lesson = make_lesson(community)
    result = mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="8",
        lesson=lesson,
    )
    lock_5a_term1(community)
    waiting = mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="12",
        lesson=lesson,
        mark=result.mark,
        reason=REASON,
    ).correction
    assert waiting is not None

    response = login(community.director).post(
        decide_url(community, waiting), {"decision": "reject", "note": "немає підстав"}, follow=True
    )

    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    mark = Mark.objects.get()
    assert mark.value == "8"
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.REJECTED
    assert waiting.decided_by == community.director
    assert waiting.decision_note == "немає підстав"
    assert AuditEvent.objects.filter(action="correction.reject", actor=community.director).exists()
    assert not AuditEvent.objects.filter(action="mark.update").exists()


def test_attendance_change_in_locked_term_is_shown_as_the_journal_writes_it(
    community: Community, login
) -> None:
    lesson = make_lesson(community)
    attendance_set(
        actor=community.teacher, lesson=lesson, student=community.student, status="absent"
    )
    lock_5a_term1(community)
    waiting = attendance_set(
        actor=community.teacher,
        lesson=lesson,
        student=community.student,
        status=AttendanceStatus.LATE,
        late_minutes=10,
        reason="запізнився, а не був відсутній",
    ).correction
    assert waiting is not None and waiting.status == CorrectionStatus.PENDING
    client = login(community.deputy)

    response = client.get(register_url(community))
    row = response.context["rows"][0]
    assert row.before == "н"
    assert "10" in row.after
    assert row.column == "05.10.2026, " + row.column.split(", ", 1)[1]

    client.post(decide_url(community, waiting), {"decision": "approve"})

    entry = Attendance.objects.get()
    assert (entry.status, entry.late_minutes) == (AttendanceStatus.LATE, 10)
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.APPLIED


def test_undated_column_is_named_like_the_paper_journal(community: Community, login) -> None:
    term_lock(
        actor=community.deputy,
        term=community.term1,
        class_group=community.class_5a,
        subject=community.math,
    )
    mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="9",
        kind=MarkKind.TERM,
        term=community.term1,
    )

    response = login(community.deputy).get(register_url(community))

    row = response.context["rows"][0]
    assert row.column == "І семестр"
    assert row.after == "9"


def test_decided_correction_cannot_be_decided_again(community: Community, login) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson)
    client = login(community.deputy)
    client.post(decide_url(community, waiting), {"decision": "reject"}, follow=True)

    response = client.post(decide_url(community, waiting), {"decision": "approve"}, follow=True)

    assert len(messages_of(response)) == 1
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.REJECTED
    assert not Mark.objects.exists()


def test_unknown_decision_changes_nothing(community: Community, login) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson)

    response = login(community.deputy).post(
        decide_url(community, waiting), {"decision": "maybe"}, follow=True
    )

    assert len(messages_of(response)) == 1
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.PENDING


def test_closed_year_refuses_the_decision_with_the_services_message(
    community: Community, login
) -> None:
    lesson = make_lesson(community)
    lock_5a_term1(community)
    waiting = pending_mark(community, lesson)
    community.year.closed_at = timezone.now()
    community.year.save()
    client = login(community.deputy)

    response = client.post(decide_url(community, waiting), {"decision": "approve"}, follow=True)

    assert any("2026/2027" in message for message in messages_of(response))
    waiting.refresh_from_db()
    assert waiting.status == CorrectionStatus.PENDING
    assert not Mark.objects.exists()
    # The closed year's register is still readable, without decision buttons.
    page = client.get(register_url(community)).content.decode()
    assert "Гнатюк Андрій" in page
    assert decide_url(community, waiting) not in page


# --- filters, pages, queries --------------------------------------------------------------


@pytest.fixture
def varied(community: Community) -> dict[str, Correction]:
    """Corrections by two teachers in two classes, one waiting, made on different days."""
    lesson = make_lesson(community)
    math_5b = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.other_teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(5),
    )
    lesson_5b = Lesson.objects.create(assignment=math_5b, date=lesson.date, period=lesson.period)
    made: dict[str, Correction] = {}
    for key, actor, assignment, where, student in (
        ("math_5a", community.teacher, community.math_5a, lesson, community.other_student),
        ("math_5b", community.other_teacher, math_5b, lesson_5b, community.student_5b),
    ):
        first = mark_set(
            actor=actor, assignment=assignment, student=student, value="5", lesson=where
        )
        made[key] = mark_set(
            actor=actor,
            assignment=assignment,
            student=student,
            value="6",
            lesson=where,
            mark=first.mark,
            reason=REASON,
        ).correction  # type: ignore[assignment]
    lock_5a_term1(community)
    made["pending"] = pending_mark(community, lesson)
    Correction.objects.filter(pk=made["math_5a"].pk).update(
        created_at=dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC)
    )
    Correction.objects.filter(pk=made["math_5b"].pk).update(
        created_at=dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC)
    )
    return made


def shown(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return {row.correction.pk for row in response.context["rows"]}


def test_filters_by_teacher_class_status_and_dates(
    community: Community, login, varied: dict[str, Correction]
) -> None:
    client = login(community.deputy)
    ids = {key: correction.pk for key, correction in varied.items()}

    assert shown(client.get(register_url(community))) == set(ids.values())
    by_teacher = register_url(community, teacher=community.other_teacher.pk)
    assert shown(client.get(by_teacher)) == {ids["math_5b"]}
    by_class = register_url(community, class_group=community.class_5a.pk)
    assert shown(client.get(by_class)) == {ids["math_5a"], ids["pending"]}
    assert shown(client.get(register_url(community, status="pending"))) == {ids["pending"]}
    assert shown(client.get(register_url(community, status="applied"))) == {
        ids["math_5a"],
        ids["math_5b"],
    }
    october = register_url(community, start="2026-10-01", end="2026-10-19")
    assert shown(client.get(october)) == {ids["math_5a"]}
    from_20th = register_url(community, start="2026-10-20")
    assert shown(client.get(from_20th)) == {ids["math_5b"], ids["pending"]}


def test_wrong_filters_show_errors_not_rows(
    community: Community, login, varied: dict[str, Correction]
) -> None:
    client = login(community.deputy)
    other_class = register_url(community, class_group=community.other_school_class.pk)
    backwards = register_url(community, start="2026-10-20", end="2026-10-01")

    for url in (other_class, backwards):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert response.context["rows"] == []


def test_register_runs_a_fixed_number_of_queries(
    community: Community, login, varied: dict[str, Correction]
) -> None:
    client = login(community.deputy)
    url = register_url(community, teacher=community.teacher.pk, start="2026-09-01")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    template = Correction.objects.get(pk=varied["math_5a"].pk)
    Correction.objects.bulk_create(
        Correction(
            assignment=template.assignment,
            lesson=template.lesson,
            student=template.student,
            target="mark",
            before={"value": str(n % 12 + 1), "comment": "", "kind": "current"},
            after={"value": "12", "comment": "", "kind": "current"},
            reason=REASON,
            requested_by=community.teacher,
        )
        for n in range(40)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["rows"]) == 42
    assert len(many) == len(few)
    assert len(many) <= 14


def test_register_is_paged_by_a_hundred(
    community: Community, login, varied: dict[str, Correction], django_assert_max_num_queries
) -> None:
    template = Correction.objects.get(pk=varied["math_5a"].pk)
    Correction.objects.bulk_create(
        Correction(
            assignment=template.assignment,
            lesson=template.lesson,
            student=template.student,
            target="mark",
            before=None,
            after={"value": "4", "comment": "", "kind": "current"},
            requested_by=community.teacher,
        )
        for _n in range(110)
    )
    client = login(community.deputy)

    first = client.get(register_url(community))
    with django_assert_max_num_queries(14):
        second = client.get(register_url(community, status="applied", page=2))

    assert len(first.context["rows"]) == 100
    assert first.context["rows"][0].correction.pk == varied["pending"].pk
    assert first.context["page_obj"].paginator.count == 113
    assert len(second.context["rows"]) == 12
    assert "status=applied" in second.content.decode()  # page links keep the filters


def test_xlsx_export_of_the_filtered_register(
    community: Community, login, varied: dict[str, Correction]
) -> None:
    client = login(community.deputy)
    url = reverse("control:corrections_xlsx", args=[community.school.pk])

    response = client.get(url + f"?class_group={community.class_5a.pk}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "corrections-2026-2027.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 2
    pending, applied = rows
    assert pending[4] == "Гнатюк Андрій Петрович"
    assert (pending[6], pending[7]) == ("—", "10")
    assert applied[1] == "Коваленко Ірина"
    assert (applied[6], applied[7]) == ("5", "6")
    assert isinstance(applied[0], dt.datetime)
    assert "Лисенко" not in str(rows)  # 5-Б filtered out


def test_xlsx_with_wrong_filters_goes_back_to_the_register(community: Community, login) -> None:
    url = reverse("control:corrections_xlsx", args=[community.school.pk])
    response = login(community.deputy).get(url + "?start=2026-10-20&end=2026-10-01")
    assert response.status_code == 302
    assert response["Location"] == register_url(community)


def test_school_without_a_year_shows_an_empty_register(community: Community, login) -> None:
    deputy = make_user("lonely_deputy", "Нова", "Школа")
    school = School.objects.create(
        municipality=community.municipality, name="Нова", short_name="Нова", code="100003"
    )
    RoleAssignment.objects.create(user=deputy, role=Role.DEPUTY, school=school)

    response = login(deputy).get(reverse("control:corrections", args=[school.pk]))

    assert response.status_code == 200
    assert response.context["rows"] == []
