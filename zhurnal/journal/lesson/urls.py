from django.urls import URLPattern, URLResolver, path

from zhurnal.journal.lesson import views

LESSON = "lesson/<int:lesson_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(LESSON, views.lesson, name="lesson"),
    path(LESSON + "sheet/", views.lesson_sheet_save, name="lesson_sheet"),
    path(LESSON + "record/", views.lesson_record_save, name="lesson_record"),
    path(LESSON + "files/", views.lesson_file_add, name="lesson_file_add"),
    path(LESSON + "files/<int:file_id>/", views.lesson_file, name="lesson_file"),
    path(
        LESSON + "files/<int:file_id>/delete/",
        views.lesson_file_delete,
        name="lesson_file_delete",
    ),
    path(LESSON + "attendance/", views.lesson_attendance, name="lesson_attendance"),
    path(
        LESSON + "attendance/all-present/",
        views.lesson_all_present,
        name="lesson_all_present",
    ),
    path(LESSON + "marks/", views.lesson_mark_add, name="lesson_mark_add"),
    path(LESSON + "marks/<int:mark_id>/", views.lesson_mark_edit, name="lesson_mark_edit"),
    path(
        LESSON + "marks/<int:mark_id>/delete/",
        views.lesson_mark_delete,
        name="lesson_mark_delete",
    ),
    path(
        LESSON + "students/<int:student_id>/remarks/",
        views.lesson_remark_add,
        name="lesson_remark_add",
    ),
    path(
        LESSON + "remarks/<int:remark_id>/delete/",
        views.lesson_remark_delete,
        name="lesson_remark_delete",
    ),
]
