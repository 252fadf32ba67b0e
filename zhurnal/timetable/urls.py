from django.urls import URLPattern, URLResolver, path

from zhurnal.timetable import views

app_name = "timetable"

urlpatterns: list[URLPattern | URLResolver] = [
    path("teacher/", views.teacher_home, name="teacher_home"),
]
