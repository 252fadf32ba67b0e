from django.urls import URLPattern, URLResolver, path

from zhurnal.journal import grid_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("journal/<int:assignment_id>/", grid_views.grid, name="grid"),
    path("journal/<int:assignment_id>/cell/", grid_views.grid_cell, name="grid_cell"),
    path("journal/<int:assignment_id>/column/", grid_views.grid_column, name="grid_column"),
]
