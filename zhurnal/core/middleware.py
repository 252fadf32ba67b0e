from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class LanguageMiddleware:
    """Ukrainian first: the language is the user's own choice (cookie, then account),
    otherwise Ukrainian — never guessed from the browser, which in Ukraine is often set
    to English or Russian by default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supported = dict(settings.LANGUAGES)
        # The cookie is set from the account at login and by the language switcher.
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        user = getattr(request, "user", None)
        if not language and user is not None and user.is_authenticated:
            language = getattr(user, "language", "")
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


NO_STORE = "no-store, private"
# A page of a family's own diary that answers 304 to an unchanged ETag: kept only in the
# family's own browser (private: never in a proxy), asked again every time it is shown
# (no-cache), and cleared with the rest of the site's data at logout (Clear-Site-Data).
PRIVATE_REVALIDATE = "private, no-cache"


class NoStoreMiddleware:
    """No page or API answer that may hold personal data is kept by the browser's or a
    proxy's cache: a shared school computer's back button or a caching proxy must not show
    one family's diary to the next person.

    Every answer to a signed-in user and every answer of the API is `no-store`; so is any
    other answer whose view did not choose its own caching. Static files never reach here:
    WhiteNoise answers them first, with their own caching.

    One exception, chosen by the view: an answer with an ETag and `PRIVATE_REVALIDATE`
    (the diary's week, page and API). The family's own device may keep it — never a proxy —
    and must ask before showing it again, so the back button after logout asks the server
    and is sent to the login; logout clears the browser's cache (Clear-Site-Data).
    The week costs a lookup and a 304 when nothing changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (
            (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
            or request.path.startswith("/api/")
        )
        revalidated = (
            response.headers.get("Cache-Control") == PRIVATE_REVALIDATE
            and "ETag" in response.headers
        )
        if revalidated:
            return response
        if personal or "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = NO_STORE
            # Let an Expires or a Last-Modified not make the answer look cacheable again.
            response.headers.pop("Expires", None)
        return response
