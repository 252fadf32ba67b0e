from django.urls import URLPattern, URLResolver, path

from zhurnal.people import views
from zhurnal.people.privacy import urls as privacy

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = [
    path("class/<int:class_group_id>/", views.class_home, name="class_home"),
    path("class/<int:class_group_id>/codes/", views.codes_issue, name="codes_issue"),
    path("register/", views.register, name="register"),
    path("family/add-child/", views.add_child, name="add_child"),
    *privacy.urlpatterns,
]
