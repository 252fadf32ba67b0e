from django.urls import URLPattern, URLResolver, path

from zhurnal.journal import classteacher_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "class/<int:class_group_id>/attendance/",
        classteacher_views.attendance,
        name="classteacher_attendance",
    ),
    path(
        "class/<int:class_group_id>/attendance.xlsx",
        classteacher_views.attendance_xlsx,
        name="classteacher_attendance_xlsx",
    ),
    path(
        "class/<int:class_group_id>/excuses/",
        classteacher_views.excuses,
        name="classteacher_excuses",
    ),
    path(
        "class/<int:class_group_id>/excuses/<int:excuse_id>/document/",
        classteacher_views.excuse_document,
        name="classteacher_excuse_document",
    ),
    path(
        "class/<int:class_group_id>/summary/",
        classteacher_views.summary,
        name="classteacher_summary",
    ),
    path(
        "class/<int:class_group_id>/summary.xlsx",
        classteacher_views.summary_xlsx,
        name="classteacher_summary_xlsx",
    ),
    path(
        "class/<int:class_group_id>/summary.pdf",
        classteacher_views.summary_pdf,
        name="classteacher_summary_pdf",
    ),
]
