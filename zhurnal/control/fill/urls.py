from django.urls import URLPattern, URLResolver, path

from zhurnal.control.fill import views

FILL = "school/<int:school_id>/control/fill/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(FILL, views.fill, name="fill"),
    path(FILL + "teacher/<int:teacher_id>/", views.fill_teacher, name="fill_teacher"),
    path(FILL + "assignment/<int:assignment_id>/", views.fill_assignment, name="fill_assignment"),
]
