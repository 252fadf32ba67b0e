from django.urls import URLPattern, URLResolver, path

from zhurnal.control import school_views

SCHOOL = "school/<int:school_id>/control/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(SCHOOL + "fill/", school_views.fill, name="fill"),
    path(
        SCHOOL + "fill/teacher/<int:teacher_id>/",
        school_views.fill_teacher,
        name="fill_teacher",
    ),
    path(
        SCHOOL + "fill/assignment/<int:assignment_id>/",
        school_views.fill_assignment,
        name="fill_assignment",
    ),
    path(
        SCHOOL + "remarks/new/<int:assignment_id>/",
        school_views.remark_new,
        name="remark_new",
    ),
    path(SCHOOL + "remarks/", school_views.remarks, name="remarks"),
    path(SCHOOL + "remarks/xlsx/", school_views.remarks_xlsx, name="remarks_xlsx"),
    path(
        SCHOOL + "remarks/<int:remark_id>/reopen/",
        school_views.remark_reopen,
        name="remark_reopen",
    ),
    path(SCHOOL + "weekly/", school_views.weekly, name="weekly"),
    path(SCHOOL + "weekly/produce/", school_views.weekly_produce, name="weekly_produce"),
    path(SCHOOL + "weekly/<int:report_id>/", school_views.weekly_report, name="weekly_report"),
    path(
        SCHOOL + "weekly/<int:report_id>/<str:kind>/",
        school_views.weekly_file,
        name="weekly_file",
    ),
    path("control/my-remarks/", school_views.my_remarks, name="my_remarks"),
    path(
        "control/remarks/<int:remark_id>/resolve/",
        school_views.remark_resolve,
        name="remark_resolve",
    ),
]
