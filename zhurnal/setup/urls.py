from django.urls import URLPattern, URLResolver, path

from zhurnal.setup.grading import views as setup_grading
from zhurnal.setup.school import views as setup_views
from zhurnal.setup.timetable import views as timetable_setup

app_name = "setup"

SETUP = "school/<int:school_id>/setup/"
YEAR = SETUP + "year/<int:year_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(SETUP, setup_views.setup_home, name="setup_home"),
    path(SETUP + "years/standard/", setup_views.year_standard, name="setup_year_standard"),
    *setup_views.years.urls(),
    *setup_views.terms.urls(),
    *setup_views.holidays.urls(),
    *setup_views.classes.urls(),
    path(
        YEAR + "classes/<int:class_id>/groups/",
        setup_views.subgroups,
        name="setup_subgroups",
    ),
    path(
        YEAR + "classes/<int:class_id>/groups/<int:subgroup_id>/members/",
        setup_views.subgroup_members,
        name="setup_subgroup_members",
    ),
    path(
        YEAR + "classes/<int:class_id>/groups/<int:subgroup_id>/delete/",
        setup_views.subgroup_remove,
        name="setup_subgroup_delete",
    ),
    *setup_views.subjects.urls(),
    *setup_grading.grading.urls(),
    path(
        SETUP + "grading/method/",
        setup_grading.term_mark_method,
        name="setup_term_mark_method",
    ),
    path(YEAR + "curriculum/", setup_views.curriculum, name="setup_curriculum"),
    path(
        YEAR + "curriculum/typical/",
        setup_views.curriculum_typical,
        name="setup_curriculum_typical",
    ),
    path(SETUP + "staff/", setup_views.staff, name="setup_staff"),
    path(SETUP + "staff/<int:staff_id>/", setup_views.staff_detail, name="setup_staff_detail"),
    path(
        SETUP + "staff/<int:staff_id>/password/",
        setup_views.staff_password,
        name="setup_staff_password",
    ),
    *timetable_setup.assignments.urls(),
    *timetable_setup.periods.urls(),
    *timetable_setup.timetables.urls(),
    path(
        YEAR + "timetables/<int:timetable_id>/classes/",
        timetable_setup.timetable_class_list,
        name="setup_timetable_classes",
    ),
    path(
        YEAR + "timetables/<int:timetable_id>/classes/<int:class_id>/",
        timetable_setup.timetable_class_grid,
        name="setup_timetable_grid",
    ),
    path(
        YEAR + "timetables/<int:timetable_id>/entries/<int:entry_id>/delete/",
        timetable_setup.timetable_entry_remove,
        name="setup_timetable_entry_delete",
    ),
    path(YEAR + "lessons/", timetable_setup.lessons, name="setup_lessons"),
]
