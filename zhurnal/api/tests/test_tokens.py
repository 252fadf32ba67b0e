"""Personal tokens: made and revoked on the page, audited, the only way into the API."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.cast import Community
from zhurnal.api.models import ApiToken
from zhurnal.api.tests.builders import ApiClient, token_for
from zhurnal.audit.models import AuditEvent


def test_token_is_made_on_the_page_shown_once_used_and_revoked(community: Community) -> None:
    client = Client()
    client.force_login(community.guardian)
    response = client.post(reverse("api:tokens"), {"name": "Моя програма"})
    assert response.status_code == 200
    secret = re.search(r"zh_[A-Za-z0-9_-]{20,}", response.content.decode()).group(0)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=community.guardian)
    assert token.name == "Моя програма" and secret.startswith(token.prefix)
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()

    listing = client.get(reverse("api:tokens")).content.decode()
    assert "Моя програма" in listing and secret not in listing

    api = ApiClient(secret)
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "guardian"
    assert [role["role"] for role in me.json()["roles"]] == ["guardian"]
    token.refresh_from_db()
    assert token.last_used_at is not None

    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()
    refused = api.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized" and refused.json()["message"]
    assert refused["WWW-Authenticate"] == "Bearer"


def test_token_needs_a_name(community: Community) -> None:
    client = Client()
    client.force_login(community.teacher)
    response = client.post(reverse("api:tokens"), {"name": "  "})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_token_page_needs_login(community: Community) -> None:
    response = Client().get(reverse("api:tokens"))
    assert response.status_code == 302
    assert "/api/tokens/" in response["Location"]


def test_nobody_revokes_another_users_token(community: Community) -> None:
    token_for(community.guardian)
    token = ApiToken.objects.get()
    client = Client()
    client.force_login(community.other_guardian)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_unknown_token_and_session_cookie_are_refused(community: Community) -> None:
    assert ApiClient("zh_not-a-real-token").get("/api/v1/me").status_code == 401
    assert ApiClient("something-else").get("/api/v1/me").status_code == 401
    client = Client()
    client.force_login(community.teacher)
    # a browser session alone never authenticates the API: no write without a token
    assert client.get("/api/v1/me").status_code == 401
    response = client.post(
        "/api/v1/lessons/1/marks", {"student": 1, "value": "9"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_inactive_users_token_is_refused(community: Community) -> None:
    secret = token_for(community.teacher)
    community.teacher.is_active = False
    community.teacher.save()
    assert ApiClient(secret).get("/api/v1/me").status_code == 401


def test_openapi_and_docs_are_served(community: Community) -> None:
    client = Client()
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/students/{student_id}/week" in schema.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_rate_limit_answers_429_with_retry_after(community: Community, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZHURNAL_API_RATE_PER_MINUTE = 2
    api = ApiClient(token_for(community.teacher))
    assert api.get("/api/v1/me").status_code == 200
    assert api.get("/api/v1/me").status_code == 200
    refused = api.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # the limit is per token: another token of the same user still works
    assert ApiClient(token_for(community.teacher)).get("/api/v1/me").status_code == 200
