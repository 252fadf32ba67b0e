"""Every page and API endpoint, enumerated from the URL configuration and the OpenAPI
description, so that a new one is covered by the privacy tests without being listed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Flows that are not about anyone's data, or that would end the viewer's session.
SKIPPED_PREFIXES = ("operator/", "static/", "media/", "login/", "logout/", "password/")
SKIPPED_NAMES = {"people:register", "accounts:language"}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
API_PARAMETER = re.compile(r"\{(?P<name>\w+)\}")


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # "/diary/{student_id}/marks/"
    parameters: tuple[str, ...]
    api: bool = False
    get_allowed: bool = True

    def url(self, values: dict[str, object]) -> str:
        return self.template.format(**values)


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
) -> list[tuple[str, str, object]]:
    found: list[tuple[str, str, object]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            found.append((prefix + str(pattern.pattern), name, pattern.callback))
    return found


def web_routes() -> list[Route]:
    """Every page of the URL configuration except the skipped flows and the JSON API,
    whose endpoints come from its OpenAPI description (see api_routes)."""
    routes = []
    for route, name, callback in _walk(get_resolver().url_patterns, "", ""):
        if route.startswith(SKIPPED_PREFIXES) or name in SKIPPED_NAMES:
            continue
        if route.startswith("favicon") or getattr(callback, "__module__", "").startswith("ninja"):
            continue
        template = "/" + PARAMETER.sub(lambda m: "{" + m["name"] + "}", route)
        names = tuple(m["name"] for m in PARAMETER.finditer(route))
        routes.append(Route(name=name, template=template, parameters=names))
    return routes


def api_routes(client: Client) -> list[Route]:
    """Every path of the API's own OpenAPI description; write-only paths are kept too
    (a GET must answer 405 there)."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200, response.status_code
    routes = []
    for path, operations in response.json()["paths"].items():
        names = tuple(m["name"] for m in API_PARAMETER.finditer(path))
        routes.append(
            Route(
                name="api " + path,
                template=path,
                parameters=names,
                api=True,
                get_allowed="get" in operations,
            )
        )
    return routes
