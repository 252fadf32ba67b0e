from django.urls import URLPattern, URLResolver, path, re_path

from zhurnal.api import views
from zhurnal.api.api import api

app_name = "api"

# The API's own patterns sit directly in this namespace, so that "api:openapi-json" (used
# by the docs page) resolves: /api/openapi.json, /api/docs, /api/v1/...
urlpatterns: list[URLPattern | URLResolver] = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    *api.urls[0],
    # Any other address under /api/ answers in the API's error shape, not with a page.
    re_path(r"^.*$", views.unknown, name="unknown"),
]
