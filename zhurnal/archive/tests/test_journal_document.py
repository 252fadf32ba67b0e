"""The class journal document: what the PDF/A, the JSON and the CSV files hold, that the
same closed year gives the same bytes, and that the reads cost the same for any class."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from tests.cast import Community
from zhurnal.archive.documents import journal as journal_module
from zhurnal.archive.documents.journal import (
    CSV_BOM,
    SCHEMA_VERSION,
    WIDE,
    class_journal,
    class_journal_files,
    journal_pdf,
)
from zhurnal.archive.documents.ruled import BAR
from zhurnal.control.remarks.services import journal_remark_create
from zhurnal.journal.models import AttendanceStatus, Correction, MarkKind
from zhurnal.journal.services import attendance_set, lesson_record, mark_set
from zhurnal.people.models import Sex, Student
from zhurnal.schools.models import AcademicYear
from zhurnal.timetable.models import Lesson, Period

KYIV = ZoneInfo("Europe/Kyiv")
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=KYIV)
CLOSED_AT = dt.datetime(2027, 6, 25, 15, 0, tzinfo=KYIV)
TOPIC = "Дроби та дії з ними"


@pytest.fixture(autouse=True)
def school_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))


def fill(community: Community) -> None:
    """Two maths lessons with topics, marks and an absence, a term mark, a corrected mark
    (one entry in the corrections register) and a remark from the director."""
    teacher, assignment = community.teacher, community.math_5a
    first_period = Period.objects.get(year=community.year, number=1)
    lessons = [
        Lesson.objects.create(assignment=assignment, date=day, period=first_period)
        for day in (dt.date(2026, 11, 9), dt.date(2026, 11, 16))
    ]
    lesson_record(actor=teacher, lesson=lessons[0], topic=TOPIC, homework="№ 12, 14")
    lesson_record(actor=teacher, lesson=lessons[1], topic="Десяткові дроби", homework="")
    first = mark_set(
        actor=teacher, assignment=assignment, student=community.student, value="9",
        lesson=lessons[0], reason="Виставлено пізніше",
    )  # fmt: skip
    mark_set(
        actor=teacher, assignment=assignment, student=community.student, value="10",
        lesson=lessons[0], mark=first.mark, reason="Помилка при виставленні",
    )  # fmt: skip
    mark_set(
        actor=teacher, assignment=assignment, student=community.other_student, value="7",
        lesson=lessons[1],
    )  # fmt: skip
    attendance_set(
        actor=teacher, lesson=lessons[1], student=community.student, status=AttendanceStatus.ABSENT
    )
    mark_set(
        actor=teacher, assignment=assignment, student=community.student, value="10",
        kind=MarkKind.TERM, term=community.term1,
    )  # fmt: skip
    journal_remark_create(
        actor=community.director, assignment=assignment, text="Записати тему уроку вчасно"
    )


def close_year(community: Community) -> None:
    AcademicYear.objects.filter(pk=community.year.pk).update(closed_at=CLOSED_AT)


def files(community: Community) -> dict[str, bytes]:
    class_group = community.class_5a.__class__.objects.select_related(
        "year__school", "class_teacher"
    ).get(pk=community.class_5a.pk)
    with translation.override("uk"):
        return class_journal_files(class_group)


def poppler(tool: str, *args: str) -> str:
    """The output of a poppler-utils tool (pdftotext, pdfinfo, pdffonts)."""
    executable = shutil.which(tool)
    # the test command installs poppler-utils; a machine without it fails here, never skips
    assert executable is not None, f"{tool} (poppler-utils) is not installed"
    # S603: a fixed tool from PATH, run on a file this test wrote.
    done = subprocess.run([executable, *args], check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


@pytest.mark.django_db
def test_the_pdf_is_pdfa_3b_with_embedded_cyrillic_fonts_and_the_journal_text(
    community: Community, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    fill(community)
    close_year(community)
    pdf = files(community)["journal.pdf"]
    path = tmp_path / "journal.pdf"
    path.write_bytes(pdf)

    text = poppler("pdftotext", "-layout", str(path), "-")
    assert "Математика" in text
    assert TOPIC in text
    assert "Гнатюк" in text
    # the left page: the dates and the undated columns' headers, and a row of marks
    # (pdftotext spaces the columns about as they are printed)
    assert re.search(
        r"│ *Учень *│ *09\.11 *│ *16\.11 *│ *Тема 1 *│ *І семестр *│ *Скоригована *│", text
    )
    assert re.search(r"│ *1 *│ *Гнатюк Андрій *│ *10 *│ *н *│ *│ *10 *│ *│", text)
    assert "Класний керівник: Мельник Оксана" in text  # Ukrainian for a Ukrainian school
    with translation.override("uk"):
        assert gettext("Class journal") in text
        assert f"{pgettext('page number', 'page')} 2" in text
    xmp = poppler("pdfinfo", "-meta", str(path))
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert "<xmp:CreateDate>2027-06-25T12:00:00Z</xmp:CreateDate>" in xmp  # the closing
    fonts = poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


@pytest.mark.django_db
def test_the_same_closed_year_gives_the_same_bytes(community: Community) -> None:
    fill(community)
    close_year(community)
    assert files(community) == files(community)


@pytest.mark.django_db
def test_json_and_csv_hold_the_marks_and_the_absence(community: Community) -> None:
    fill(community)
    package = files(community)
    assert sorted(package) == ["attendance.csv", "journal.json", "journal.pdf", "marks.csv"]

    data = json.loads(package["journal.json"])
    assert data["schema_version"] == SCHEMA_VERSION
    maths = next(item for item in data["subjects"] if item["title"] == "Математика")
    assert [lesson["topic"] for lesson in maths["lessons"]] == [TOPIC, "Десяткові дроби"]
    assert {(m["student_id"], m["date"], m["kind"], m["value"]) for m in maths["marks"]} == {
        (community.student.pk, "2026-11-09", MarkKind.CURRENT, "10"),
        (community.other_student.pk, "2026-11-16", MarkKind.CURRENT, "7"),
        (community.student.pk, None, MarkKind.TERM, "10"),
    }
    assert [(c["before"], c["after"]) for c in data["corrections"]] == [("9", "10")]
    assert Correction.objects.count() == 1
    assert data["remarks"][0]["text"] == "Записати тему уроку вчасно"

    marks_text = package["marks.csv"].decode()
    assert marks_text.startswith(CSV_BOM)
    marks = list(csv.DictReader(io.StringIO(marks_text.removeprefix(CSV_BOM))))
    assert sorted((row["student"], row["date"], row["value"]) for row in marks) == [
        ("Гнатюк Андрій", "", "10"),
        ("Гнатюк Андрій", "09.11.2026", "10"),
        ("Савчук Олена", "16.11.2026", "7"),
    ]
    attendance_text = package["attendance.csv"].decode().removeprefix(CSV_BOM)
    absences = list(csv.DictReader(io.StringIO(attendance_text)))
    assert [(row["student"], row["date"], row["status"]) for row in absences] == [
        ("Гнатюк Андрій", "16.11.2026", "absent")
    ]


def add_students(community: Community, count: int) -> None:
    """`count` more students in 5-А, from the first day of the year."""
    for number in range(count):
        pupil = Student.objects.create(
            municipality=community.municipality,
            surname=f"Учень{number:02d}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.FEMALE,
        )
        pupil.enrollments.create(class_group=community.class_5a, starts_on=dt.date(2026, 9, 1))


# The time zone, terms, assignments, lessons, the summary sheet, guardians, remarks,
# corrections and attendance, then the grid's six (with the term locks) per assignment
# and term (2 × 2 here).
JOURNAL_QUERIES = 9 + 6 * 4


@pytest.mark.django_db
@pytest.mark.parametrize("extra_students", [0, 25])
def test_the_reads_cost_the_same_for_any_class_size(
    community: Community,
    extra_students: int,
    django_assert_max_num_queries,
    django_assert_num_queries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    fill(community)
    add_students(community, extra_students)
    class_group = community.class_5a.__class__.objects.select_related(
        "year__school", "class_teacher"
    ).get(pk=community.class_5a.pk)
    with django_assert_max_num_queries(JOURNAL_QUERIES):
        journal = class_journal(class_group)
    assert len(journal.students) == 2 + extra_students

    # laying out the pages reads nothing more (the HTML only: WeasyPrint reads nothing)
    def html(template: str, context: dict[str, object], *, pdf_variant: str) -> bytes:
        return render_to_string(template, context).encode()

    monkeypatch.setattr(journal_module, "pdf_from_template", html)
    with translation.override("uk"), django_assert_num_queries(0):
        page = journal_pdf(journal).decode()
    assert page.count("<pre ") >= 2 * 3 + 6  # two terms and the topics per subject, the sheets


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split(BAR)[1:-1]]


@pytest.mark.django_db
def test_the_left_pages_hold_every_date_once_within_the_page_and_the_marks_under_them(
    community: Community,
) -> None:
    fill(community)
    period = Period.objects.get(year=community.year, number=1)
    Lesson.objects.bulk_create(
        Lesson(
            assignment=community.math_5a,
            date=dt.date(2026, 9, 1) + dt.timedelta(days=day),
            period=period,
        )
        for day in range(40)
    )
    class_group = community.class_5a.__class__.objects.select_related(
        "year__school", "class_teacher"
    ).get(pk=community.class_5a.pk)
    with translation.override("uk"):
        journal = class_journal(class_group)
        maths = next(section for section in journal.sections if section.title == "Математика")
        pages = [page for page in maths.left_pages if page.term == community.term1]

    assert len(pages) == 2
    assert all(
        line_chars <= WIDE.chars for page in pages for line_chars in map(len, page.table.lines)
    )
    headers = [cells(page.table.lines[0]) for page in pages]
    dates = [
        header for page in headers for header in page[2:] if re.fullmatch(r"\d\d\.\d\d", header)
    ]
    grid = maths.grids[0]
    assert dates == [column.header for column in grid.columns if column.date is not None]
    assert headers[-1][-3:] == ["Тема 1", "І семестр", "Скоригована"]  # after the last date
    row = next(cells(line) for line in pages[-1].table.lines if "Гнатюк Андрій" in line)
    marks = dict(zip(headers[-1], row, strict=True))
    assert (marks["09.11"], marks["16.11"], marks["І семестр"]) == ("10", "н", "10")
