"""A database that does not answer gives 503 with Retry-After, on pages and in the API,
not a 500 — and other faults are still 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.cast import Community

pytestmark = pytest.mark.django_db


def _database_gone(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("the database system is starting up")


def _bug(*args: Any, **kwargs: Any) -> Any:
    raise ZeroDivisionError


def test_a_page_answers_503_while_the_database_restarts(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(community.teacher)
    monkeypatch.setattr(SessionStore, "load", _database_gone)

    response = client.get("/teacher/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    with translation.override("uk"):
        expected = gettext("Briefly unavailable")
    assert expected in response.content.decode() and expected != "Briefly unavailable"


def test_the_api_answers_503_in_its_own_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(raise_request_exception=False)
    monkeypatch.setattr("zhurnal.api.auth.token_authenticate", _database_gone)

    response = client.get("/api/v1/me", headers={"Authorization": "Bearer zh_x"})

    assert response.status_code == 503, response.content
    assert response.json()["code"] == "unavailable" and response["Retry-After"] == "5"


def test_another_fault_is_still_a_500(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(community.teacher)
    monkeypatch.setattr(SessionStore, "load", _bug)

    assert client.get("/teacher/").status_code == 500


def test_a_404_of_a_token_link_logs_no_token(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from zhurnal.core.logfilters import RedactSecretPaths

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s",
        ("/calendar/secret-token-123.ics",), None,
    )  # fmt: skip
    RedactSecretPaths().filter(record)
    assert "secret-token-123" not in record.getMessage()
    assert record.getMessage() == "Not Found: /calendar/….ics"
