"""The department sees aggregates only (issue 5, point 5).

A community with distinctively named students, their marks and absences, and a grade
whose group is smaller than five; the summaries are rebuilt from the journal and the
quarterly reports produced. Then the department specialist requests every page of the
URL configuration with the community's ids, follows every same-site link of the
monitoring pages (the XLSX and PDF downloads included), and no student's name and no
figure of the small group may appear anywhere; no student-level page may open."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cast import Community
from tests.privacy.routes import Route, web_routes
from zhurnal.control.models import Report, ReportStatus, TermMarkCount
from zhurnal.control.summaries import summaries_rebuild
from zhurnal.journal.models import Attendance, AttendanceStatus, Excuse, Mark
from zhurnal.monitoring.quarterly import quarterly_report_html, quarterly_reports_produce_all
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.schools.models import ClassGroup
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

KYIV = ZoneInfo("Europe/Kyiv")
NOW = dt.datetime(2026, 11, 18, 12, tzinfo=KYIV)
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
# Names that occur nowhere else in the application.
EXTRA = [
    ("Ксенофонтенко", "Евстахій"),
    ("Пантелеймоненко", "Фотинія"),
    ("Зосимович", "Калістрат"),
    ("Агафангелюк", "Мелетина"),
]
SMALL = [("Варсонофенко", "Гликерія"), ("Ферапонтюк", "Онисифор"), ("Хрисанфенко", "Євпраксія")]
SMALL_GROUP_MARK = "1"  # only the small group gets it
# Pages about one student, lesson, class or assignment: never the department's.
STUDENT_LEVEL = (
    "student_id",
    "lesson_id",
    "class_id",
    "class_group_id",
    "assignment_id",
    "mark_id",
)


@pytest.fixture
def _media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _student(community: Community, surname: str, given: str, group: ClassGroup) -> Student:
    student = Student.objects.create(
        municipality=community.municipality,
        surname=surname,
        given_name=given,
        birth_date=dt.date(2014, 5, 5),
        sex=Sex.FEMALE,
    )
    Enrollment.objects.create(student=student, class_group=group, starts_on=dt.date(2026, 9, 1))
    return student


def build(community: Community) -> dict[str, list[object]]:
    students = [community.student, community.other_student]
    students += [_student(community, s, g, community.class_5a) for s, g in EXTRA]
    class_7a = ClassGroup.objects.create(year=community.year, grade=7, letter="А")
    small = [_student(community, s, g, class_7a) for s, g in SMALL]
    math_7a = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=class_7a,
        hours_per_week=Decimal(4),
    )
    period = Period.objects.get(year=community.year, number=1)
    lessons = []
    for offset in range(0, 21):
        day = dt.date(2026, 10, 19) + dt.timedelta(days=offset)
        if day.weekday() >= 5 or day > NOW.date():
            continue
        for assignment in (community.math_5a, math_7a):
            lessons.append(
                Lesson.objects.create(
                    assignment=assignment,
                    date=day,
                    period=period,
                    topic="Дроби",
                    topic_recorded_at=timezone.now(),
                    attendance_taken_at=timezone.now(),
                )
            )
    marks = []
    for item in lessons:
        pupils = students if item.assignment_id == community.math_5a.pk else small
        for number, pupil in enumerate(pupils):
            marks.append(
                Mark.objects.create(
                    assignment=item.assignment,
                    lesson=item,
                    student=pupil,
                    kind="current",
                    value=str(5 + number),
                    numeric_value=Decimal(5 + number),
                    comment=f"Молодець, {pupil.surname}",
                    created_by=community.teacher,
                )
            )
        Attendance.objects.create(
            lesson=item,
            student=pupils[0],
            status=AttendanceStatus.ABSENT,
            excused=True,
            excuse_reason=Excuse.ILLNESS,
            recorded_by=community.teacher,
        )
    for number, pupil in enumerate(students):
        Mark.objects.create(
            assignment=community.math_5a,
            term=community.term1,
            student=pupil,
            kind="term",
            value=str(8 + number % 3),
            numeric_value=Decimal(8 + number % 3),
            created_by=community.teacher,
        )
    for pupil in small:
        Mark.objects.create(
            assignment=math_7a,
            term=community.term1,
            student=pupil,
            kind="term",
            value=SMALL_GROUP_MARK,
            numeric_value=Decimal(1),
            created_by=community.teacher,
        )
    return {
        "school_id": [community.school.pk, community.other_school.pk],
        "student_id": [pupil.pk for pupil in [*students, *small, community.student_5b]],
        "class_id": [community.class_5a.pk, class_7a.pk],
        "class_group_id": [community.class_5a.pk, class_7a.pk],
        "assignment_id": [community.math_5a.pk, math_7a.pk],
        "lesson_id": [item.pk for item in lessons[:3]],
        "mark_id": [mark.pk for mark in marks[:3]],
        "year_id": [community.year.pk],
        "teacher_id": [community.teacher.pk],
    }


def names(community: Community) -> re.Pattern[str]:
    words = {community.student.surname, community.student.given_name}
    words |= {community.other_student.surname, community.other_student.given_name}
    words |= {community.student_5b.surname, community.student_5b.given_name}
    words |= {word for pair in [*EXTRA, *SMALL] for word in pair}
    return re.compile(r"(?<!\w)(" + "|".join(sorted(words)) + r")(?!\w)")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("/", "?")) and not href.startswith("//"):
                self.hrefs.append(href)


def text_of(response: HttpResponse) -> str:
    content = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.streaming
        else response.content
    )
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content))
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if kind.startswith("application/pdf"):
        assert content.startswith(b"%PDF-")
        return ""  # the PDF's HTML and figures are checked on their own
    return content.decode("utf-8", errors="replace")


def values_for(route: Route, pools: dict[str, list[object]]) -> list[dict[str, object]]:
    def pool(name: str) -> list[object]:
        if name in pools:
            return pools[name]
        return [1] if name.endswith(("id", "pk")) else ["x"]

    if not route.parameters:
        return [{}]
    return [
        dict(zip(route.parameters, combo, strict=True))
        for combo in itertools.islice(
            itertools.product(*(pool(name) for name in route.parameters)), 6
        )
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_department_sees_aggregates_only(community: Community, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    pools = build(community)
    summaries_rebuild(schools=[community.school, community.other_school], now=NOW)
    # the journal reached the summaries, the small group included
    assert TermMarkCount.objects.filter(grade=7, value=SMALL_GROUP_MARK, count=3).exists()
    quarterly_reports_produce_all(municipality=community.municipality, start=Q4[0], end=Q4[1])
    reports = list(Report.objects.all())
    assert len(reports) == 3 and {r.status for r in reports} == {ReportStatus.READY}
    pools["report_id"] = [report.pk for report in reports]
    pattern = names(community)

    client = Client()
    client.force_login(community.department)
    seen: dict[str, int] = {}

    def check(url: str, *, where: str) -> HttpResponse:
        response = client.get(url)
        status = response.status_code
        assert status != 403, f"{where}: 403 tells that the object exists; answer 404"
        assert status in {200, 302, 404, 405}, f"{where}: status {status}"
        body = text_of(response)
        leaked = sorted(set(pattern.findall(body)))
        assert not leaked, f"{where}: student names {leaked}"
        seen[url] = status
        return response

    for route in web_routes():
        for values in values_for(route, pools):
            url = route.url(values)
            response = check(url, where=f"{route.name} {values}")
            if set(route.parameters) & set(STUDENT_LEVEL):
                assert response.status_code in {302, 404, 405}, f"{route.name} {values} opened"
                if response.status_code == 302:
                    assert "/login/" in response["Location"], route.name

    # follow every same-site link of the monitoring pages, downloads included
    start = [
        reverse("monitoring:department_monitoring"),
        reverse("monitoring:department_reports"),
        *[reverse("monitoring:department_school", args=[pk]) for pk in pools["school_id"]],
    ]
    queue, visited = list(start), set()
    while queue:
        url = queue.pop()
        if url in visited or len(visited) > 200:
            continue
        visited.add(url)
        response = check(url, where=f"link {url}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = url.split("?")[0] + href if href.startswith("?") else href
            target = target.split("#")[0]
            if target.startswith(("/department/", "/school/")) and target not in visited:
                queue.append(target)
    downloads = [url for url in visited if url.endswith(("/xlsx/", "/pdf/"))]
    assert len(downloads) == 6, downloads
    assert all(seen[url] == 200 for url in start)

    # the figures kept and the HTML the PDFs were laid out from
    for report in reports:
        report.refresh_from_db()
        assert not pattern.search(str(report.data)), report
        assert not pattern.search(quarterly_report_html(report)), report
        for block in report.data["marks"]:
            assert SMALL_GROUP_MARK not in block["values"], report
            for row in block["rows"]:
                if "7" in row["label"]:
                    assert row["suppressed"], report
    school_report = next(r for r in reports if r.school_id == community.school.pk)
    assert {row["label"] for row in school_report.data["classes"]} == {"5-А", "7-А"}
    small_class = next(r for r in school_report.data["classes"] if r["label"] == "7-А")
    assert not small_class["students_shown"] and small_class["density"] is None

    # the small group's term marks appear on no page
    for pk in pools["school_id"]:
        body = client.get(
            reverse("monitoring:department_school", args=[pk]) + "?by=grade_subject"
        ).content.decode()
        assert f'<th scope="col">{SMALL_GROUP_MARK}</th>' not in body
