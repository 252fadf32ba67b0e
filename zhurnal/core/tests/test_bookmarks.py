"""Addresses people bookmarked before the rooms were reorganised still open the same pages."""

from __future__ import annotations

import pytest
from django.urls import resolve

BOOKMARKS = [
    ("/", "home:home"),
    ("/roles/", "home:roles"),
    ("/department/", "home:department_home"),
    ("/school/7/", "home:school_home"),
    ("/school/7/setup/", "setup:setup_home"),
    ("/school/7/setup/staff/", "setup:setup_staff"),
    ("/school/7/setup/year/3/curriculum/", "setup:setup_curriculum"),
    ("/school/7/setup/year/3/lessons/", "setup:setup_lessons"),
    ("/school/7/setup/grading/method/", "setup:setup_term_mark_method"),
    ("/lesson/5/", "journal:lesson"),
    ("/journal/4/", "journal:grid"),
    ("/class/2/attendance/", "journal:classteacher_attendance"),
    ("/class/2/summary.pdf", "journal:classteacher_summary_pdf"),
    ("/school/7/corrections/", "control:corrections"),
    ("/school/7/locks/", "control:locks"),
    ("/school/7/control/fill/", "control:fill"),
    ("/school/7/control/remarks/", "control:remarks"),
    ("/school/7/control/weekly/", "control:weekly"),
    ("/control/my-remarks/", "control:my_remarks"),
    ("/department/monitoring/", "monitoring:department_monitoring"),
    ("/department/monitoring/reports/", "monitoring:department_reports"),
    ("/school/7/movement/", "students:movement"),
    ("/movement/student/9/history/", "students:student_history"),
    ("/student/9/record/", "students:student_record"),
    ("/school/7/substitutions/", "timetable:substitutions"),
    ("/school/7/register/", "timetable:register"),
    ("/teacher/", "timetable:teacher_home"),
    ("/class/2/", "people:class_home"),
]


@pytest.mark.parametrize(("path", "view_name"), BOOKMARKS)
def test_a_bookmarked_address_opens_the_same_page(path: str, view_name: str) -> None:
    assert resolve(path).view_name == view_name
