from django.urls import URLPattern, URLResolver, path

from zhurnal.students.privacy import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("diary/<int:student_id>/my-data/json/", views.family_data_json, name="family_data_json"),
    path("diary/<int:student_id>/my-data/pdf/", views.family_data_pdf, name="family_data_pdf"),
]
