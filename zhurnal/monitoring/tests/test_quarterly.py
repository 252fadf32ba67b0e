"""The quarterly monitoring reports: figures, files, idempotence, the background run and
its schedule."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.control import summaries
from zhurnal.control.models import Report, ReportKind, ReportStatus
from zhurnal.control.tests.builders import at, keep, lesson
from zhurnal.journal import services as journal
from zhurnal.monitoring import tasks as quarterly_tasks
from zhurnal.monitoring.quarterly import (
    previous_quarter,
    quarter_of,
    quarterly_report_html,
    quarterly_report_produce,
)
from zhurnal.monitoring.tests.builders import (
    KYIV,
    fill_week,
    frozen,
    school_day,
    term_marks,
)

__all__ = ["frozen"]

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_quarters():
    assert quarter_of(dt.date(2026, 11, 18)) == Q4
    assert quarter_of(dt.date(2026, 7, 1)) == Q3
    assert previous_quarter(dt.date(2026, 11, 18)) == Q3
    assert previous_quarter(dt.date(2027, 2, 1)) == Q4


def build_quarter(community: Community) -> None:
    for week in (dt.date(2026, 10, 5), dt.date(2026, 10, 12)):
        fill_week(community.math_5a, week, topics=4)
        fill_week(community.ukrainian_5a, week)
    for offset in range(3):
        school_day(community.school, dt.date(2026, 10, 5) + dt.timedelta(days=offset))
    term_marks(community.school, 5, "Математика", {"8": 3, "10": 3})
    term_marks(community.school, 6, "Математика", {"2": 1, "3": 2})  # 3 students


@pytest.mark.usefixtures("frozen")
def test_school_report_figures_and_files(community: Community):
    build_quarter(community)
    report = quarterly_report_produce(
        municipality=community.municipality, school=community.school, start=Q4[0], end=Q4[1]
    )
    assert report.status == ReportStatus.READY and report.progress == 100
    data = report.data
    assert data["fill"]["lessons"] == 20
    assert [week["week"] for week in data["weeks"]] == ["2026-10-05", "2026-10-12"]
    assert {row["label"] for row in data["teachers"]} == {
        community.teacher.short_name,
        community.other_teacher.short_name,
    }
    assert [row["label"] for row in data["classes"]] == ["5-А"]
    [marks] = data["marks"]
    rows = {row["label"]: row for row in marks["rows"]}
    assert len(rows) == 2
    assert [row["suppressed"] for row in marks["rows"]] == [False, True]
    assert marks["total"]["total"] == 6 and "2" not in marks["values"]
    assert len(data["attendance"]["days"]) == 3

    workbook = load_workbook(io.BytesIO(report.xlsx.read()))
    assert len(workbook.sheetnames) == 4
    assert report.pdf.read(5) == b"%PDF-"
    html = quarterly_report_html(report)
    assert html.count('role="img"') >= 3
    assert AuditEvent.objects.filter(action="report.produce", object_id=str(report.pk)).exists()


@pytest.mark.usefixtures("frozen")
def test_producing_again_replaces_the_report(community: Community):
    build_quarter(community)
    first = quarterly_report_produce(municipality=community.municipality, start=Q4[0], end=Q4[1])
    old_name = first.xlsx.name
    fill_week(community.math_5a, dt.date(2026, 10, 19))
    second = quarterly_report_produce(municipality=community.municipality, start=Q4[0], end=Q4[1])
    assert second.pk == first.pk
    assert Report.objects.count() == 1
    assert second.data["fill"]["lessons"] == 25
    assert not first.xlsx.storage.exists(old_name) or old_name == second.xlsx.name
    assert [row["label"] for row in second.data["schools"]] == ["Гімназія № 2", "Ліцей № 1"]
    assert second.data["schools"][1]["rank"] == 1


@pytest.mark.usefixtures("frozen")
def test_run_produces_every_report_with_progress(community: Community):
    build_quarter(community)
    community_id = quarterly_tasks.quarterly_reports_run.call(
        municipality_id=community.municipality.pk,
        start=Q4[0].isoformat(),
        end=Q4[1].isoformat(),
        requested_by_id=community.department.pk,
    )
    reports = Report.objects.filter(period_start=Q4[0])
    assert reports.count() == 3
    assert {r.status for r in reports} == {ReportStatus.READY}
    main = Report.objects.get(pk=community_id)
    assert main.kind == ReportKind.QUARTERLY_COMMUNITY and main.progress == 100
    assert main.requested_by == community.department


@pytest.mark.usefixtures("frozen")
def test_downloads_go_through_the_access_check(community: Community, client):
    build_quarter(community)
    report = quarterly_report_produce(municipality=community.municipality, start=Q4[0], end=Q4[1])
    client.force_login(community.department)
    page = client.get(reverse("monitoring:department_reports")).content.decode()
    xlsx = reverse("monitoring:department_report_xlsx", args=[report.pk])
    pdf = reverse("monitoring:department_report_pdf", args=[report.pk])
    assert xlsx in page and pdf in page
    response = client.get(xlsx)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(pdf).content[:5] == b"%PDF-"
    client.force_login(community.director)
    assert client.get(xlsx).status_code == 404


def test_schedule_next_queues_one_run_for_the_next_quarter(db):
    now = dt.datetime(2026, 11, 18, 12, tzinfo=KYIV)
    assert quarterly_tasks.schedule_next(now=now)
    assert not quarterly_tasks.schedule_next(now=now)
    [queued] = DBTaskResult.objects.all()
    assert queued.run_after.astimezone(KYIV) == dt.datetime(2027, 1, 1, 7, tzinfo=KYIV)
    early = dt.datetime(2027, 1, 1, 6, 30, tzinfo=KYIV)
    assert quarterly_tasks.next_run_at(early) == dt.datetime(2027, 1, 1, 7, tzinfo=KYIV)


def test_scheduled_run_enqueues_the_quarter_just_ended(community: Community, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 1, 1, 7, 1, tzinfo=KYIV))
    assert quarterly_tasks.quarterly_reports_due.call() == 1
    run = DBTaskResult.objects.get(task_path=quarterly_tasks.quarterly_reports_run.module_path)
    assert run.args_kwargs["kwargs"]["start"] == "2026-10-01"
    assert run.args_kwargs["kwargs"]["end"] == "2026-12-31"
    again = DBTaskResult.objects.get(task_path=quarterly_tasks.quarterly_reports_due.module_path)
    assert again.run_after.astimezone(KYIV) == dt.datetime(2027, 4, 1, 7, tzinfo=KYIV)


def test_report_from_the_journal_through_the_summaries(community: Community, monkeypatch):
    monday = dt.date(2026, 10, 5)
    moment = [at(monday)]
    monkeypatch.setattr(timezone, "now", lambda: moment[0])
    first = lesson(community, community.math_5a, monday)
    lesson(community, community.ukrainian_5a, monday)  # left empty
    keep(community, moment, first)
    journal.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="7",
        lesson=first,
    )
    moment[0] = at(monday + dt.timedelta(days=14))
    summaries.summaries_rebuild(schools=[community.school], start=Q4[0], end=Q4[1])
    report = quarterly_report_produce(
        municipality=community.municipality, school=community.school, start=Q4[0], end=Q4[1]
    )
    assert report.data["fill"]["lessons"] == 2
    assert report.data["fill"]["topics"] == 50.0
    html = quarterly_report_html(report)
    assert community.student.surname not in html
    assert community.teacher.short_name in html
