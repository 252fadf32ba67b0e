from django.urls import URLPattern, URLResolver, path

from zhurnal.timetable import views
from zhurnal.timetable.substitutions import urls as substitutions

app_name = "timetable"

urlpatterns: list[URLPattern | URLResolver] = [
    path("teacher/", views.teacher_home, name="teacher_home"),
    *substitutions.urlpatterns,
]
