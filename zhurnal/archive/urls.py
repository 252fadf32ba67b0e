from django.urls import URLPattern, URLResolver, path

from zhurnal.archive import views

app_name = "archive"

YEAR_END = "school/<int:school_id>/year-end/"
ARCHIVE = "school/<int:school_id>/archive/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(YEAR_END, views.year_end, name="year_end"),
    path(YEAR_END + "close/", views.school_close, name="school_close"),
    path(YEAR_END + "class/<int:class_id>/", views.class_close, name="class_close"),
    path(YEAR_END + "reopen/", views.reopen, name="reopen"),
    path(YEAR_END + "job/<int:job_id>/", views.job, name="job"),
    path(YEAR_END + "job/<int:job_id>/status/", views.job_status, name="job_status"),
    path(YEAR_END + "job/<int:job_id>/repeat/", views.job_repeat, name="job_repeat"),
    path(ARCHIVE, views.register, name="register"),
    path(ARCHIVE + "<int:document_id>/", views.document, name="document"),
    path(
        ARCHIVE + "<int:document_id>/download/<str:what>/",
        views.document_download,
        name="document_download",
    ),
    path(ARCHIVE + "<int:document_id>/sign/", views.signature_upload, name="signature_upload"),
    path(ARCHIVE + "<int:document_id>/transfer/", views.document_transfer, name="transfer"),
    path(ARCHIVE + "<int:document_id>/destroy/", views.document_destroy, name="destroy"),
    path("class/<int:class_id>/archive/", views.class_documents, name="class_documents"),
    path("department/archive/", views.department, name="department"),
]
