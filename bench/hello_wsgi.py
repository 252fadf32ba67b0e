"""The product's WSGI application with one more address, `/__hello__/`: a Django view that
answers "hello" through the same settings and middleware. Benchmarks only (bench/load.py,
bench/faults.py): serving both from one gunicorn gives the framework's and the server's
ceiling in the same run, beside the real pages. Never part of the product's URLs.

    gunicorn --pythonpath bench hello_wsgi:application
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

HELLO_PATH = "/__hello__/"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


__all__ = ["application", "handler500", "urlpatterns"]


def _urlpatterns() -> list[URLPattern | URLResolver]:
    from config.urls import urlpatterns as product

    return [path(HELLO_PATH.strip("/") + "/", hello), *product]


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# This module is the URL configuration: the product's patterns behind the hello view.
settings.ROOT_URLCONF = __name__
urlpatterns = _urlpatterns()
# …and the product's error handlers with them (a lost database is 503, not 500).
from config.urls import handler500  # noqa: E402
