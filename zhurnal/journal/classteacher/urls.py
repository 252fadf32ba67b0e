from django.urls import URLPattern, URLResolver, path

from zhurnal.journal.classteacher import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "class/<int:class_group_id>/attendance/",
        views.attendance,
        name="classteacher_attendance",
    ),
    path(
        "class/<int:class_group_id>/attendance.xlsx",
        views.attendance_xlsx,
        name="classteacher_attendance_xlsx",
    ),
    path(
        "class/<int:class_group_id>/excuses/",
        views.excuses,
        name="classteacher_excuses",
    ),
    path(
        "class/<int:class_group_id>/excuses/<int:excuse_id>/document/",
        views.excuse_document,
        name="classteacher_excuse_document",
    ),
    path(
        "class/<int:class_group_id>/summary/",
        views.summary,
        name="classteacher_summary",
    ),
    path(
        "class/<int:class_group_id>/summary.xlsx",
        views.summary_xlsx,
        name="classteacher_summary_xlsx",
    ),
    path(
        "class/<int:class_group_id>/summary.pdf",
        views.summary_pdf,
        name="classteacher_summary_pdf",
    ),
]
