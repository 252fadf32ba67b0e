from django.urls import URLPattern, URLResolver, path

from zhurnal.imports import views

app_name = "imports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/<int:school_id>/import/students/", views.students_upload, name="students"),
    path("school/<int:school_id>/import/staff/", views.staff_upload, name="staff"),
    path(
        "school/<int:school_id>/import/<str:kind>/template.<str:fmt>",
        views.template_download,
        name="template",
    ),
    path("school/<int:school_id>/import/<int:batch_id>/", views.batch_show, name="preview"),
    path(
        "school/<int:school_id>/import/<int:batch_id>/confirm/",
        views.batch_confirm,
        name="confirm",
    ),
]
