"""The weekly analysis of journal keeping: produced for every school by the Monday task,
kept as figures, XLSX and PDF, produced again on request, downloaded after the access
check."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.control.models import Report, ReportKind, ReportStatus
from zhurnal.control.remarks.services import journal_remark_create
from zhurnal.control.weekly import tasks as weekly_tasks
from zhurnal.control.weekly.services import weekly_report_produce
from zhurnal.control.weekly.tasks import (
    schedule_next,
    weekly_report_for_school,
    weekly_reports_run,
)
from zhurnal.timetable.models import Lesson, Period

KYIV = ZoneInfo("Europe/Kyiv")
# Wednesday 18 November 2026: the previous week is 9–15 November.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=KYIV)
MONDAY = dt.date(2026, 11, 9)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def week(community: Community) -> None:
    """Math: one lesson recorded, one empty; a remark written during the week."""
    period = Period.objects.get(year=community.year, number=1)
    moment = dt.datetime(2026, 11, 9, 12, tzinfo=KYIV)
    Lesson.objects.create(
        assignment=community.math_5a,
        date=MONDAY,
        period=period,
        topic="Дроби",
        topic_recorded_at=moment,
        homework="§ 1",
        attendance_taken_at=moment,
    )
    empty = Lesson.objects.create(
        assignment=community.math_5a, date=MONDAY + dt.timedelta(days=1), period=period
    )
    journal_remark_create(
        actor=community.deputy, assignment=community.math_5a, lesson=empty, text="Немає теми"
    )


def reports() -> dict[int, Report]:
    return {
        report.school_id: report for report in Report.objects.filter(kind=ReportKind.WEEKLY_SCHOOL)
    }


def test_weekly_run_produces_a_ready_report_for_every_school(
    community: Community, week: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The remark was written "this week" (18.11): move it into the reported week.
    from zhurnal.control.models import JournalRemark

    JournalRemark.objects.update(created_at=dt.datetime(2026, 11, 10, 9, tzinfo=KYIV))

    assert weekly_reports_run.call(reschedule=False) == 2

    kept = reports()
    assert set(kept) == {community.school.pk, community.other_school.pk}
    for report in kept.values():
        assert report.status == ReportStatus.READY and report.progress == 100
        assert (report.period_start, report.period_end) == (MONDAY, dt.date(2026, 11, 15))
        assert report.pdf.read()[:4] == b"%PDF"
    mine = kept[community.school.pk]
    assert mine.data["total"]["lessons"] == 2
    assert mine.data["total"]["missing_topics"] == 1
    assert mine.data["teachers"][0]["label"] == community.teacher.short_name
    assert [remark["text"] for remark in mine.data["remarks"]] == ["Немає теми"]
    assert mine.data["remarks"][0]["lesson"] == "10.11.2026, 1"

    workbook = load_workbook(io.BytesIO(mine.xlsx.read()))
    assert len(workbook.sheetnames) == 5
    teachers = workbook.worksheets[1]
    row = [cell.value for cell in teachers[5]]
    assert row[0] == community.teacher.short_name
    assert row[2] == 50  # topics, %
    assert row[9] == 1  # without a topic
    remarks = workbook.worksheets[4]
    assert remarks.cell(row=5, column=5).value == "Немає теми"
    # Nothing was scheduled.
    assert not DBTaskResult.objects.exists()


def test_rerunning_the_week_replaces_the_files_of_the_same_report(
    community: Community, week: None, media: Path
) -> None:
    first = weekly_report_produce(school=community.school, week_start=MONDAY)
    old_xlsx = Path(first.xlsx.path)
    Lesson.objects.filter(topic="").update(topic="Дроби, продовження")
    second = weekly_report_produce(
        school=community.school, week_start=MONDAY + dt.timedelta(days=3)
    )

    assert second.pk == first.pk
    assert Report.objects.count() == 1
    second.refresh_from_db()
    assert second.data["total"]["missing_topics"] == 0
    assert Path(second.xlsx.path).exists()
    assert len(list(media.rglob("*.xlsx"))) == 1
    assert len(list(media.rglob("*.pdf"))) == 1
    assert old_xlsx.exists() == (Path(second.xlsx.path) == old_xlsx)


def test_one_failing_school_does_not_stop_the_others(
    community: Community, week: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = weekly_tasks.weekly_report_produce

    def produce(*, school, week_start, now=None):  # type: ignore[no-untyped-def]
        if school == community.school:
            raise RuntimeError("диск заповнено")
        return real(school=school, week_start=week_start, now=now)

    monkeypatch.setattr(weekly_tasks, "weekly_report_produce", produce)
    assert weekly_reports_run.call(reschedule=False) == 1

    kept = reports()
    assert kept[community.school.pk].status == ReportStatus.FAILED
    assert "диск заповнено" in kept[community.school.pk].error
    assert kept[community.other_school.pk].status == ReportStatus.READY


def test_the_run_schedules_next_monday_six_oclock_once(community: Community) -> None:
    weekly_reports_run.call()
    [queued] = DBTaskResult.objects.filter(task_path=weekly_reports_run.module_path)
    assert queued.status == TaskResultStatus.READY
    assert queued.run_after == dt.datetime(2026, 11, 23, 6, 0, tzinfo=KYIV)
    assert schedule_next() is False
    weekly_reports_run.call()
    assert DBTaskResult.objects.filter(task_path=weekly_reports_run.module_path).count() == 1


def test_schedule_next_queues_when_nothing_is_waiting(community: Community) -> None:
    monday_early = dt.datetime(2026, 11, 23, 5, 0, tzinfo=KYIV)
    assert schedule_next(monday_early) is True
    [queued] = DBTaskResult.objects.filter(task_path=weekly_reports_run.module_path)
    assert queued.run_after == dt.datetime(2026, 11, 23, 6, 0, tzinfo=KYIV)
    assert schedule_next(monday_early) is False


# --- pages --------------------------------------------------------------------------------


def weekly_url(community: Community) -> str:
    return reverse("control:weekly", args=[community.school.pk])


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_controller_produces_a_week_now_and_downloads_it(
    client: Client,
    community: Community,
    week: None,
    who: str,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    user = getattr(community, who)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("control:weekly_produce", args=[community.school.pk]),
            {"week": "2026-11-11"},
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED and report.requested_by == user
    assert report.period_start == MONDAY
    [queued] = DBTaskResult.objects.filter(task_path=weekly_report_for_school.module_path)
    assert queued.args_kwargs["kwargs"] == {
        "school_id": community.school.pk,
        "week_start": "2026-11-09",
    }
    assert AuditEvent.objects.filter(action="report.request", object_id=str(report.pk)).exists()
    # The list refreshes itself while the report is being produced.
    assert client.get(weekly_url(community)).context["busy"] is True

    assert weekly_report_for_school.call(school_id=community.school.pk, week_start="2026-11-09")
    report.refresh_from_db()
    assert report.status == ReportStatus.READY

    page = client.get(reverse("control:weekly_report", args=[community.school.pk, report.pk]))
    assert page.status_code == 200
    assert community.teacher.short_name in page.content.decode()
    xlsx = client.get(reverse("control:weekly_file", args=[community.school.pk, report.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert (
        load_workbook(io.BytesIO(xlsx.content)).worksheets[0]["A5"].value == community.school.name
    )
    pdf = client.get(reverse("control:weekly_file", args=[community.school.pk, report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    wrong = reverse("control:weekly_file", args=[community.school.pk, report.pk, "docx"])
    assert client.get(wrong).status_code == 404


def test_a_future_week_is_refused_and_nothing_is_queued(
    client: Client, community: Community
) -> None:
    client.force_login(community.deputy)
    response = client.post(
        reverse("control:weekly_produce", args=[community.school.pk]), {"week": "2026-12-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["week"]
    assert not Report.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["teacher", "school_admin", "department", "guardian", "outsider", "other_school_admin"],
)
def test_others_cannot_reach_weekly_reports(
    client: Client, community: Community, week: None, who: str
) -> None:
    report = weekly_report_produce(school=community.school, week_start=MONDAY)
    client.force_login(getattr(community, who))
    school = community.school.pk
    for url in (
        weekly_url(community),
        reverse("control:weekly_report", args=[school, report.pk]),
        reverse("control:weekly_file", args=[school, report.pk, "xlsx"]),
        reverse("control:weekly_file", args=[school, report.pk, "pdf"]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("control:weekly_produce", args=[school]), {"week": "2026-11-09"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.requested_by is None and report.status == ReportStatus.READY


def test_other_schools_report_is_404_for_this_schools_deputy(
    client: Client, community: Community
) -> None:
    report = weekly_report_produce(school=community.other_school, week_start=MONDAY)
    client.force_login(community.deputy)
    url = reverse("control:weekly_report", args=[community.school.pk, report.pk])
    assert client.get(url).status_code == 404
    url = reverse("control:weekly_file", args=[community.school.pk, report.pk, "xlsx"])
    assert client.get(url).status_code == 404


def test_weekly_pages_query_count_is_fixed(
    client: Client,
    community: Community,
    week: None,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for weeks in range(4):
        report = weekly_report_produce(
            school=community.school, week_start=MONDAY - dt.timedelta(days=7 * weeks)
        )
    client.force_login(community.deputy)
    with django_assert_max_num_queries(6):
        assert client.get(weekly_url(community)).status_code == 200
    with django_assert_max_num_queries(6):
        url = reverse("control:weekly_report", args=[community.school.pk, report.pk])
        assert client.get(url).status_code == 200
