from django.urls import URLPattern, URLResolver

from zhurnal.control import urls_department, urls_school

app_name = "control"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_school.urlpatterns,
    *urls_department.urlpatterns,
]
