from django.urls import URLPattern, URLResolver, path

from zhurnal.students.record import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("student/<int:student_id>/record/", views.student_record, name="student_record"),
    path(
        "diary/<int:student_id>/record-access/",
        views.family_record_access,
        name="family_record_access",
    ),
]
