"""The achievement summary sheet of a class for a term and for the year: its contents
(term, corrected, annual marks, special entries, subgroups merged), the XLSX and PDF,
who may open it and its query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.journal.classteacher.selectors import class_terms, summary_sheet
from zhurnal.journal.models import Mark, MarkKind
from zhurnal.people.models import Enrollment, Sex, Student, SubgroupMember
from zhurnal.schools.models import Subgroup, Subject, Term
from zhurnal.timetable.models import TeachingAssignment

NOW = dt.datetime(2026, 12, 28, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def put(
    community: Community,
    assignment: TeachingAssignment,
    student: Student,
    kind: str,
    value: str,
    term: Term | None = None,
) -> Mark:
    return Mark.objects.create(
        assignment=assignment,
        student=student,
        kind=kind,
        value=value,
        term=term,
        created_by=assignment.teacher,
    )


@pytest.fixture
def marks(community: Community) -> dict[str, object]:
    """Андрій: Математика 8 (corrected to 10) in term 1, 9 in term 2, annual 10;
    Українська мова н/а in term 1. Олена: Математика 11 in term 1. English is taught in
    two subgroups: Андрій 7 in group 1, Олена 12 in group 2."""
    term1, term2 = community.term1, community.term2
    put(community, community.math_5a, community.student, MarkKind.TERM, "8", term1)
    put(community, community.math_5a, community.student, MarkKind.CORRECTED, "10", term1)
    put(community, community.math_5a, community.student, MarkKind.TERM, "9", term2)
    put(community, community.math_5a, community.student, MarkKind.ANNUAL, "10")
    put(community, community.ukrainian_5a, community.student, MarkKind.TERM, "н/а", term1)
    put(community, community.math_5a, community.other_student, MarkKind.TERM, "11", term1)
    english = Subject.objects.create(school=community.school, name="Англійська мова")
    assignments = []
    for name, teacher, pupil in (
        ("1", community.teacher, community.student),
        ("2", community.other_teacher, community.other_student),
    ):
        group = Subgroup.objects.create(class_group=community.class_5a, subject=english, name=name)
        SubgroupMember.objects.create(subgroup=group, student=pupil)
        assignments.append(
            TeachingAssignment.objects.create(
                year=community.year,
                teacher=teacher,
                subject=english,
                class_group=community.class_5a,
                subgroup=group,
                hours_per_week=Decimal(2),
            )
        )
    put(community, assignments[0], community.student, MarkKind.TERM, "7", term1)
    put(community, assignments[1], community.other_student, MarkKind.TERM, "12", term1)
    # 5-Б's marks never appear on 5-А's sheet.
    math_5b = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(4),
    )
    put(community, math_5b, community.student_5b, MarkKind.TERM, "5", term1)
    return {"english": english}


def cells(sheet, student: Student) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    names = {item.subject.pk: item.subject.name for item in sheet.subjects}
    row = next(row for row in sheet.rows if row.student == student)
    return {
        (names[column.subject_id], column.key): cell.text
        for column, cell in zip(sheet.columns, row.cells, strict=True)
    }


def test_term_sheet_shows_term_marks_corrected_beside_and_merges_subgroups(
    community: Community, marks: dict[str, object]
) -> None:
    terms = class_terms(community.class_5a)
    sheet = summary_sheet(class_group=community.class_5a, terms=terms, term=community.term1)
    assert [item.subject.name for item in sheet.subjects] == [
        "Англійська мова",
        "Математика",
        "Українська мова",
    ]
    key = f"term-{community.term1.pk}"
    assert cells(sheet, community.student) == {
        ("Англійська мова", key): "7",
        ("Математика", key): "8 → 10",
        ("Українська мова", key): "н/а",
    }
    assert cells(sheet, community.other_student) == {
        ("Англійська мова", key): "12",
        ("Математика", key): "11",
        ("Українська мова", key): "",
    }
    assert community.student_5b not in [row.student for row in sheet.rows]


def test_year_sheet_has_every_term_and_the_annual_mark(
    community: Community, marks: dict[str, object]
) -> None:
    terms = class_terms(community.class_5a)
    sheet = summary_sheet(class_group=community.class_5a, terms=terms, term=None)
    maths = {
        key: value
        for (subject, key), value in cells(sheet, community.student).items()
        if subject == "Математика"
    }
    assert maths == {
        f"term-{community.term1.pk}": "8 → 10",
        f"term-{community.term2.pk}": "9",
        "annual": "10",
    }  # grade 5 sits no state exam


def test_state_exam_column_in_grade_9(community: Community) -> None:
    community.class_5b.grade = 9
    community.class_5b.save()
    math_9 = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5b,
        hours_per_week=Decimal(4),
    )
    put(community, math_9, community.student_5b, MarkKind.STATE_EXAM, "зв.")
    sheet = summary_sheet(
        class_group=community.class_5b, terms=class_terms(community.class_5b), term=None
    )
    assert cells(sheet, community.student_5b)[("Математика", "state_exam")] == "зв."


def summary_url(community: Community, name: str = "classteacher_summary", term: str = "") -> str:
    url = reverse(f"journal:{name}", args=[community.class_5a.pk])
    return f"{url}?term={term}" if term else url


def test_page_defaults_to_the_current_term(
    community: Community, login, marks: dict[str, object]
) -> None:
    response = login(community.class_teacher).get(summary_url(community))
    assert response.status_code == 200
    assert response.context["sheet"].term == community.term1
    content = response.content.decode()
    assert "Англійська мова" in content and "8 → <strong" in content


def test_xlsx_has_subjects_as_headers(
    community: Community, login, marks: dict[str, object]
) -> None:
    response = login(community.deputy).get(
        summary_url(community, "classteacher_summary_xlsx", str(community.term1.pk))
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0] == ("№", rows[0][1], "Англійська мова", "Математика", "Українська мова")
    assert rows[1] == (1, "Гнатюк А. П.", "7", "8 → 10", "н/а")
    assert rows[2][1:] == ("Савчук О. І.", "12", "11", None)


def test_year_xlsx_and_pdf(community: Community, login, marks: dict[str, object]) -> None:
    client = login(community.director)
    response = client.get(summary_url(community, "classteacher_summary_xlsx", "year"))
    headers = next(
        load_workbook(io.BytesIO(response.content)).active.iter_rows(
            min_row=4, max_row=4, values_only=True
        )
    )
    assert "Математика: ІІ семестр" in headers
    pdf = client.get(summary_url(community, "classteacher_summary_pdf", "year"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["class_teacher", "director", "deputy", "school_admin"])
def test_class_teacher_and_administration_open_the_sheet(
    community: Community, login, who: str
) -> None:
    assert login(getattr(community, who)).get(summary_url(community)).status_code == 200


@pytest.mark.parametrize(
    "who", ["teacher", "other_teacher", "guardian", "department", "outsider", "other_school_admin"]
)
def test_others_get_404(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    for name in ("classteacher_summary", "classteacher_summary_xlsx", "classteacher_summary_pdf"):
        assert client.get(summary_url(community, name)).status_code == 404


def test_query_count_does_not_grow_with_class(
    community: Community, login, marks: dict[str, object], django_assert_max_num_queries
) -> None:
    client = login(community.class_teacher)
    client.get(summary_url(community, term="year"))
    with django_assert_max_num_queries(10) as small:
        assert client.get(summary_url(community, term="year")).status_code == 200
    budget = len(small)  # the log is reset by every request
    for index in range(12):
        pupil = Student.objects.create(
            municipality=community.municipality,
            surname=f"Учень{index:02d}",
            given_name="Іван",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=pupil, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
        )
        put(community, community.math_5a, pupil, MarkKind.TERM, "9", community.term1)
    with django_assert_max_num_queries(budget):
        response = client.get(summary_url(community, term="year"))
    assert len(response.context["sheet"].rows) == 14
