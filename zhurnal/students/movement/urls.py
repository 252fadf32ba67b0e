from django.urls import URLPattern, URLResolver, path

from zhurnal.students.movement import views

MOVEMENT = "school/<int:school_id>/movement/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(MOVEMENT, views.movement_home, name="movement"),
    path(
        MOVEMENT + "student/<int:student_id>/transfer/",
        views.student_transfer,
        name="movement_transfer",
    ),
    path(
        MOVEMENT + "student/<int:student_id>/leave/",
        views.student_leave_view,
        name="movement_leave",
    ),
    path(MOVEMENT + "promotion/", views.promotion, name="promotion"),
    path(
        "movement/student/<int:student_id>/history/",
        views.history,
        name="student_history",
    ),
]
