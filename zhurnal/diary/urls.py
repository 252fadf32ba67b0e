from django.urls import URLPattern, URLResolver

app_name = "diary"

urlpatterns: list[URLPattern | URLResolver] = []
