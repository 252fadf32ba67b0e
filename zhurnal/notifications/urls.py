from django.urls import URLPattern, URLResolver, path

from zhurnal.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("account/notifications/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "school/<int:school_id>/setup/notifications/",
        views.school_policy,
        name="school_policy",
    ),
]
