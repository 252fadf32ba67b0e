"""Bodies the API cannot read get its documented error shape, never an HTML page (issue 11)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Community
from zhurnal.api import me
from zhurnal.api.tests.builders import PAST, lesson_on, token_for
from zhurnal.journal.models import Mark


def _client(community: Community) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(community.teacher)}")


@pytest.mark.parametrize(
    "body",
    ['{"value": "9"', "{not json", b"\xff\xfe{}", "value=9", '{"value": "9"}}'],
)
def test_an_unparsable_json_body_gets_400_in_the_api_shape(
    community: Community, body: str | bytes
) -> None:
    lesson = lesson_on(community, PAST)
    response = _client(community).post(
        f"/api/v1/lessons/{lesson.pk}/marks", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload["code"] == "unparsable"
    assert set(payload) == {"code", "message", "details"}
    assert not Mark.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("value=9&student=1", "application/x-www-form-urlencoded"),
        ("<mark>9</mark>", "text/xml"),
        ('{"value": "9"}', "text/plain"),
    ],
)
def test_a_body_that_is_not_json_gets_415_in_the_api_shape(
    community: Community, body: str, content_type: str
) -> None:
    lesson = lesson_on(community, PAST)
    response = _client(community).post(
        f"/api/v1/lessons/{lesson.pk}/marks", body, content_type=content_type
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Mark.objects.exists()


def test_a_json_body_of_the_wrong_shape_gets_422(community: Community) -> None:
    lesson = lesson_on(community, PAST)
    response = _client(community).post(
        f"/api/v1/lessons/{lesson.pk}/marks", "[1, 2]", content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_a_server_fault_answers_in_the_api_shape(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(me, "user_grants", broken)
    response = _client(community).get("/api/v1/me")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_address_answers_in_the_error_shape(client: Client, method: str) -> None:
    response = getattr(client, method)("/api/v1/no-such-thing/42")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
