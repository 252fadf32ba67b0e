from django.urls import URLPattern, URLResolver, path

from zhurnal.home import operators, signin_policy, views

app_name = "home"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("roles/", views.role_picker, name="roles"),
    path("roles/<str:key>/", views.role_choose, name="role_choose"),
    path("department/", views.department_home, name="department_home"),
    path("school/<int:school_id>/", views.school_home, name="school_home"),
    path(
        "department/sign-in/",
        signin_policy.department_signin_policy,
        name="department_signin_policy",
    ),
    path(
        "school/<int:school_id>/sign-in/",
        signin_policy.school_signin_policy,
        name="school_signin_policy",
    ),
    path(
        "school/<int:school_id>/operators/",
        operators.school_operators,
        name="school_operators",
    ),
    path(
        "school/<int:school_id>/operators/<int:operator_grant_id>/revoke/",
        operators.school_operator_revoke,
        name="school_operator_revoke",
    ),
]
