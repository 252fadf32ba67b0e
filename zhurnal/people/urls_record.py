from django.urls import URLPattern, URLResolver, path

from zhurnal.people import record_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("student/<int:student_id>/record/", record_views.student_record, name="student_record"),
    path(
        "diary/<int:student_id>/record-access/",
        record_views.family_record_access,
        name="family_record_access",
    ),
]
