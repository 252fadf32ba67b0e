from django.urls import URLPattern, URLResolver, path

from zhurnal.journal.grid import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("journal/<int:assignment_id>/", views.grid, name="grid"),
    path("journal/<int:assignment_id>/cell/", views.grid_cell, name="grid_cell"),
    path("journal/<int:assignment_id>/column/", views.grid_column, name="grid_column"),
]
