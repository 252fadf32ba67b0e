from django.urls import URLPattern, URLResolver, path

from zhurnal.journal.offline import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("journal/offline/pages.json", views.pages, name="offline_pages"),
    path("journal/offline/sync/", views.sync, name="offline_sync"),
    path("journal/offline/resolve/", views.resolve, name="offline_resolve"),
]
