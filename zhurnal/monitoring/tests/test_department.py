"""The department's monitoring pages: who may open them, what they show (aggregates
only, small groups suppressed), the ranking, the outbreak rule and the query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from tests.cast import Community, make_user
from zhurnal.audit.models import AuditEvent
from zhurnal.control.models import Report, ReportKind, ReportStatus
from zhurnal.monitoring import tasks as quarterly_tasks
from zhurnal.monitoring.selectors import (
    MIN_GROUP,
    Attendance,
    Day,
    MarkPeriod,
    mark_distribution,
    mark_outbreaks,
)
from zhurnal.monitoring.tests.builders import (
    LAST_WEEK,
    TODAY,
    fill_week,
    frozen,
    school_day,
    school_days_before,
    school_with_assignment,
    term_marks,
)
from zhurnal.people.models import Role, RoleAssignment
from zhurnal.schools.models import Municipality

__all__ = ["frozen"]

DASHBOARD = reverse("monitoring:department_monitoring")
REPORTS = reverse("monitoring:department_reports")
PRODUCE = reverse("monitoring:department_reports_request")


def school_url(school_id: int) -> str:
    return reverse("monitoring:department_school", args=[school_id])


def other_department() -> tuple[Municipality, object]:
    municipality = Municipality.objects.create(name="Сусідня громада")
    user = make_user("other_department", "Сусідня", "Інна")
    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, municipality=municipality)
    return municipality, user


# --- access --------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_department_opens_its_monitoring(community: Community, client):
    fill_week(community.math_5a)
    client.force_login(community.department)
    for url in (DASHBOARD, school_url(community.school.pk), REPORTS):
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get(DASHBOARD).content.decode()
    assert school_url(community.school.pk) in body
    assert school_url(community.other_school.pk) in body


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    "who",
    [
        "teacher",
        "class_teacher",
        "director",
        "deputy",
        "school_admin",
        "guardian",
        "student_user",
        "outsider",
    ],
)
def test_everyone_else_gets_404(community: Community, client, who):
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY_COMMUNITY,
        municipality=community.municipality,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        status=ReportStatus.READY,
    )
    client.force_login(getattr(community, who))
    urls = [
        DASHBOARD,
        school_url(community.school.pk),
        REPORTS,
        reverse("monitoring:department_report_xlsx", args=[report.pk]),
        reverse("monitoring:department_report_pdf", args=[report.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(PRODUCE, {"quarter": "2026-07-01"}).status_code == 404
    assert Report.objects.count() == 1
    assert not DBTaskResult.objects.exists()


def test_anonymous_is_sent_to_log_in(community: Community, client):
    for url in (DASHBOARD, school_url(community.school.pk), REPORTS):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.usefixtures("frozen")
def test_other_communitys_department_sees_none_of_these_schools(community: Community, client):
    _municipality, user = other_department()
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY_SCHOOL,
        municipality=community.municipality,
        school=community.school,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        status=ReportStatus.READY,
    )
    fill_week(community.math_5a)
    client.force_login(user)
    body = client.get(DASHBOARD).content.decode()
    assert community.school.short_name not in body
    assert community.other_school.short_name not in body
    assert client.get(school_url(community.school.pk)).status_code == 404
    assert (
        client.get(reverse("monitoring:department_report_xlsx", args=[report.pk])).status_code
        == 404
    )
    assert str(report.pk) not in client.get(REPORTS).content.decode().split("<table")[1]


# --- the dashboard -------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_schools_are_ranked_worst_first(community: Community, client):
    # Ліцей: every lesson kept; Гімназія: a third of the topics; a third school: none.
    fill_week(community.math_5a, topics=5, attendance=5, on_time=5)
    _gym_school, gym = school_with_assignment(community.municipality, 2)
    bad_school, bad = school_with_assignment(community.municipality, 3)
    fill_week(gym, topics=2, attendance=5, on_time=2)
    fill_week(bad, topics=0, attendance=0, on_time=0)
    client.force_login(community.department)
    dashboard = client.get(DASHBOARD).context["dashboard"]
    # the community fixture's Гімназія has no lessons: listed first, without a rank
    names = [row.school.short_name for row in dashboard.rows]
    assert names == ["Гімназія № 2", bad_school.short_name, "Школа № 2", "Ліцей № 1"]
    assert [row.rank for row in dashboard.rows] == [None, 3, 2, 1]
    assert dashboard.rows[1].level == 0.0
    assert dashboard.rows[-1].level == 100.0
    by_name = client.get(DASHBOARD + "?sort=name").context["dashboard"].rows
    assert [row.school.short_name for row in by_name] == sorted(names)


@pytest.mark.usefixtures("frozen")
def test_share_of_classes_and_teachers_with_entries(community: Community, client):
    fill_week(
        community.math_5a, topics=3, last_entry_at=dt.datetime(2026, 11, 12, 9, tzinfo=dt.UTC)
    )
    fill_week(community.ukrainian_5a, topics=0, attendance=0, on_time=0)
    fill_week(community.ukrainian_5a, LAST_WEEK - dt.timedelta(days=7))
    client.force_login(community.department)
    rows = {row.school.pk: row for row in client.get(DASHBOARD).context["dashboard"].rows}
    row = rows[community.school.pk]
    assert (row.classes, row.classes_with_entries) == (1, 1)
    assert (row.teachers, row.teachers_with_entries) == (2, 1)
    assert row.teacher_share == 50
    assert row.last_entry_at == dt.datetime(2026, 11, 12, 9, tzinfo=dt.UTC)
    assert len(row.trend) == 12 and row.trend[-2].lessons == 5


@pytest.mark.usefixtures("frozen")
def test_dashboard_queries_do_not_grow_with_the_schools(community: Community, client):
    def build(count: int) -> None:
        for number in range(count):
            school, assignment = school_with_assignment(community.municipality, 10 + number)
            fill_week(assignment)
            school_day(school, LAST_WEEK)
            term_marks(school, 5, "Математика", {"7": 3, "9": 4})

    term_marks(community.school, 5, "Математика", {"7": 3, "9": 4})
    fill_week(community.math_5a)
    client.force_login(community.department)
    client.get(DASHBOARD)  # warm up the session
    with CaptureQueriesContext(connection) as two:
        assert client.get(DASHBOARD).status_code == 200
    build(4)
    with CaptureQueriesContext(connection) as six:
        assert client.get(DASHBOARD).status_code == 200
    assert len(six.captured_queries) == len(two.captured_queries)
    tables = " ".join(query["sql"] for query in six.captured_queries)
    for table in ("journal_mark", "journal_attendance", "timetable_lesson"):
        assert table not in tables


@pytest.mark.usefixtures("frozen")
def test_dashboard_query_count_is_bounded(
    community: Community, client, django_assert_max_num_queries
):
    fill_week(community.math_5a)
    client.force_login(community.department)
    with django_assert_max_num_queries(14):
        client.get(DASHBOARD)
    with django_assert_max_num_queries(14):
        client.get(school_url(community.school.pk))


@pytest.mark.usefixtures("frozen")
def test_charts_are_inline_svg_with_a_table(community: Community, client):
    fill_week(community.math_5a)
    school_day(community.school, LAST_WEEK)
    client.force_login(community.department)
    body = client.get(DASHBOARD).content.decode()
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 4
    assert "<script" not in body.split("<main")[1]
    assert "<caption>" in body


# --- attendance and outbreaks --------------------------------------------------------------


def day(date: dt.date, students: int, ill: int) -> Day:
    figures = Attendance()
    figures.add_day(
        {
            "students": students,
            "student_lessons": students * 5,
            "absences": ill * 5,
            "illness_absences": ill * 5,
            "students_ill": ill,
        }
    )
    return Day(date=date, figures=figures)


def test_outbreak_is_a_jump_above_the_recent_mean():
    dates = school_days_before(TODAY, 13)
    days = [day(date, 200, 4) for date in dates[:10]]
    days += [day(dates[10], 200, 7), day(dates[11], 200, 5), day(dates[12], 200, 4)]
    mark_outbreaks(days)
    # 7 ill of 200 against a mean of 4: above 1.5 × mean, and at least 5 students ill
    assert [d.outbreak for d in days[10:]] == [True, False, False]
    assert not any(d.outbreak for d in days[:10])


def test_few_ill_students_are_never_an_outbreak():
    dates = school_days_before(TODAY, 11)
    days = [day(date, 100, 0) for date in dates[:10]] + [day(dates[10], 100, 4)]
    mark_outbreaks(days)
    assert not days[-1].outbreak
    days[-1] = day(dates[10], 100, 5)
    mark_outbreaks(days)
    assert days[-1].outbreak


def test_outbreak_needs_a_baseline():
    dates = school_days_before(TODAY, 3)
    days = [day(dates[0], 100, 0), day(dates[1], 100, 0), day(dates[2], 100, 30)]
    mark_outbreaks(days)
    assert not days[-1].outbreak


@pytest.mark.usefixtures("frozen")
def test_community_attendance_by_day_with_an_outbreak(community: Community, client):
    dates = school_days_before(TODAY, 12)
    for date in dates[:-1]:
        school_day(community.school, date, students=100, students_ill=2)
        school_day(community.other_school, date, students=4, students_ill=1)  # too small
    school_day(community.school, dates[-1], students=100, students_ill=9)
    client.force_login(community.department)
    response = client.get(DASHBOARD)
    days = response.context["dashboard"].days
    assert [d.date for d in days] == dates
    assert all(d.figures.students == 100 for d in days)  # the small school is left out
    assert days[-1].outbreak and not any(d.outbreak for d in days[:-1])
    assert days[-1].figures.ill_per_1000 == 90.0
    rows = {row.school.pk: row for row in response.context["dashboard"].rows}
    assert rows[community.school.pk].outbreak_days == [dates[-1]]
    assert rows[community.other_school.pk].attendance.rate is None
    with translation.override("uk"):
        assert gettext("possible outbreak") in client.get(DASHBOARD).content.decode()


# --- term marks and suppression ------------------------------------------------------------


def test_group_of_four_is_suppressed_and_five_shown(community: Community):
    term_marks(community.school, 5, "Математика", {"7": 2, "10": 2})  # 4 students
    term_marks(community.school, 6, "Математика", {"8": 3, "11": 2})  # 5 students
    period = MarkPeriod("2026/2027", "semester", 1)
    result = mark_distribution(schools=[community.school], period=period, by="grade_subject")
    rows = {row.label: row for row in result.rows}
    assert MIN_GROUP == 5
    small = next(row for label, row in rows.items() if "5" in label)
    shown = next(row for label, row in rows.items() if "6" in label)
    assert small.suppressed and small.counts == {} and small.bar is None
    assert not shown.suppressed and shown.counts == {"8": 3, "11": 2}
    # the small group is left out of the total too, and of the values
    assert result.total.counts == {"8": 3, "11": 2}
    assert result.values == ["8", "11"]


def test_rows_sum_only_the_shown_groups(community: Community):
    _school, _assignment = school_with_assignment(community.municipality, 5)
    term_marks(community.school, 5, "Математика", {"7": 3, "9": 3})
    term_marks(_school, 5, "Математика", {"12": 1, "2": 2})  # 3 students: left out
    period = MarkPeriod("2026/2027", "semester", 1)
    result = mark_distribution(schools=[community.school, _school], period=period, by="grade")
    [row] = result.rows
    assert row.counts == {"7": 3, "9": 3} and row.left_out == 1
    by_school = mark_distribution(schools=[community.school, _school], period=period, by="school")
    assert [r.suppressed for r in by_school.rows] == [False, True]


@pytest.mark.usefixtures("frozen")
def test_marks_on_the_pages_hide_small_groups(community: Community, client):
    term_marks(community.school, 5, "Математика", {"3": 1, "4": 3})  # 4: suppressed
    term_marks(community.school, 6, "Математика", {"9": 5})
    client.force_login(community.department)
    response = client.get(school_url(community.school.pk))
    distribution = response.context["distribution"]
    assert [row.suppressed for row in distribution.rows] == [True, False]
    body = response.content.decode()
    with translation.override("uk"):
        response = client.get(school_url(community.school.pk))
        assert '<th scope="col">3</th>' not in response.content.decode()
    assert ">4<" not in body.split('<h2 id="marks">')[1].replace(">4 <", "")
    filtered = client.get(school_url(community.school.pk) + "?grade=6")
    assert [row.label for row in filtered.context["distribution"].rows] != []
    assert all("6" in row.label for row in filtered.context["distribution"].rows)


@pytest.mark.usefixtures("frozen")
def test_school_page_shows_teachers_and_hides_small_class_figures(community: Community, client):
    fill_week(community.math_5a, students=4, lesson_marks=8, student_months=1.0)
    fill_week(community.ukrainian_5a, students=4, lesson_marks=8, student_months=1.0)
    client.force_login(community.department)
    response = client.get(school_url(community.school.pk))
    page = response.context["page"]
    [class_row] = page.by_class
    assert not class_row.students_shown
    assert class_row.counts.lesson_marks == 0 and class_row.counts.density is None
    assert class_row.counts.level == 100.0  # from the lesson-based rates only
    body = response.content.decode()
    assert community.teacher.short_name in body  # staff may be named
    for student in (community.student, community.other_student, community.student_5b):
        assert student.surname not in body


# --- reports -------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_department_asks_for_a_quarters_reports(
    community: Community, client, django_capture_on_commit_callbacks
):
    client.force_login(community.department)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PRODUCE, {"quarter": "2026-07-01"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.school, report.status) == (
        ReportKind.QUARTERLY_COMMUNITY,
        None,
        ReportStatus.QUEUED,
    )
    assert (report.period_start, report.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert report.requested_by == community.department
    [queued] = DBTaskResult.objects.filter(
        task_path=quarterly_tasks.quarterly_reports_run.module_path
    )
    assert queued.args_kwargs["kwargs"]["start"] == "2026-07-01"
    assert AuditEvent.objects.filter(action="report.request", object_id=str(report.pk)).exists()
    # asked again while waiting: refused, nothing more queued
    client.post(PRODUCE, {"quarter": "2026-07-01"})
    assert DBTaskResult.objects.count() == 1
    page = client.get(REPORTS)
    assert page.context["busy"]


@pytest.mark.usefixtures("frozen")
def test_a_quarter_not_offered_is_refused(community: Community, client):
    client.force_login(community.department)
    client.post(PRODUCE, {"quarter": "2026-08-01"})
    client.post(PRODUCE, {"quarter": "2020-01-01"})
    assert not Report.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.usefixtures("frozen")
def test_reports_page_query_count(community: Community, client, django_assert_max_num_queries):
    for month in (1, 4, 7):
        Report.objects.create(
            kind=ReportKind.QUARTERLY_COMMUNITY,
            municipality=community.municipality,
            period_start=dt.date(2026, month, 1),
            period_end=dt.date(2026, month + 2, 28),
            status=ReportStatus.READY,
        )
    client.force_login(community.department)
    with django_assert_max_num_queries(8):
        assert client.get(REPORTS).status_code == 200
