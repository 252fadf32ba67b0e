from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.api.services import token_create
from zhurnal.timetable.models import Lesson, Period

PAST = dt.date(2026, 11, 16)  # a Monday of the I semester, before today


def token_for(user: User) -> str:
    return token_create(actor=user, name="test")[1]


class ApiClient:
    """The Django test client with a bearer token and JSON bodies."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        if body is None:
            return call(path, headers=self.headers)
        return call(path, body, content_type="application/json", headers=self.headers)


def api_as(user: User) -> ApiClient:
    return ApiClient(token_for(user))


def lesson_on(community: Community, day: dt.date, number: int = 1, assignment=None) -> Lesson:  # type: ignore[no-untyped-def]
    return Lesson.objects.create(
        assignment=assignment or community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
    )
