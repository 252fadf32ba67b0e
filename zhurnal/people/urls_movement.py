from django.urls import URLPattern, URLResolver, path

from zhurnal.people import movement_views

MOVEMENT = "school/<int:school_id>/movement/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(MOVEMENT, movement_views.movement_home, name="movement"),
    path(
        MOVEMENT + "student/<int:student_id>/transfer/",
        movement_views.student_transfer,
        name="movement_transfer",
    ),
    path(
        MOVEMENT + "student/<int:student_id>/leave/",
        movement_views.student_leave_view,
        name="movement_leave",
    ),
    path(MOVEMENT + "promotion/", movement_views.promotion, name="promotion"),
    path(
        "movement/student/<int:student_id>/history/",
        movement_views.history,
        name="student_history",
    ),
]
