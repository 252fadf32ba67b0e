from django.urls import URLPattern, URLResolver, path

from zhurnal.journal import lesson_views

LESSON = "lesson/<int:lesson_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(LESSON, lesson_views.lesson, name="lesson"),
    path(LESSON + "record/", lesson_views.lesson_record_save, name="lesson_record"),
    path(LESSON + "files/", lesson_views.lesson_file_add, name="lesson_file_add"),
    path(LESSON + "files/<int:file_id>/", lesson_views.lesson_file, name="lesson_file"),
    path(
        LESSON + "files/<int:file_id>/delete/",
        lesson_views.lesson_file_delete,
        name="lesson_file_delete",
    ),
    path(LESSON + "attendance/", lesson_views.lesson_attendance, name="lesson_attendance"),
    path(
        LESSON + "attendance/all-present/",
        lesson_views.lesson_all_present,
        name="lesson_all_present",
    ),
    path(LESSON + "marks/", lesson_views.lesson_mark_add, name="lesson_mark_add"),
    path(LESSON + "marks/<int:mark_id>/", lesson_views.lesson_mark_edit, name="lesson_mark_edit"),
    path(
        LESSON + "marks/<int:mark_id>/delete/",
        lesson_views.lesson_mark_delete,
        name="lesson_mark_delete",
    ),
    path(
        LESSON + "students/<int:student_id>/remarks/",
        lesson_views.lesson_remark_add,
        name="lesson_remark_add",
    ),
    path(
        LESSON + "remarks/<int:remark_id>/delete/",
        lesson_views.lesson_remark_delete,
        name="lesson_remark_delete",
    ),
]
