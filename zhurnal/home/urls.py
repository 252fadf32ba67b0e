from django.urls import URLPattern, URLResolver, path

from zhurnal.home import views

app_name = "home"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("roles/", views.role_picker, name="roles"),
    path("roles/<str:key>/", views.role_choose, name="role_choose"),
    path("department/", views.department_home, name="department_home"),
    path("school/<int:school_id>/", views.school_home, name="school_home"),
]
