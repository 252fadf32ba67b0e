"""Fixtures for every test: the fixed cast (built in `tests/cast.py`), a logged-in client,
and the standard grading scales put back after a transactional test's flush."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client, override_settings

from tests.cast import Community, build_community
from zhurnal.accounts.models import User
from zhurnal.accounts.twofactor import REQUIRED, SECOND_FACTOR, session_second_factor_passed
from zhurnal.journal.models import GradingScale


@pytest.fixture(autouse=True)
def standard_grading_scales(request: pytest.FixtureRequest) -> None:
    """The grading scales come from a data migration; a transactional test's flush empties
    them, so every database test puts them back when they are missing."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_db:
        return
    request.getfixturevalue(
        "transactional_db"
        if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
        else "db"
    )
    if not GradingScale.objects.exists():
        migration = importlib.import_module(
            "zhurnal.journal.migrations.0002_standard_grading_scales"
        )
        migration.create_scales(apps, None)


@pytest.fixture(scope="session")
def audit_heads_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit-heads")


@pytest.fixture(autouse=True)
def audit_heads_file(audit_heads_dir: Path) -> Iterator[Path]:
    """A heads file of its own for every test: the file outlives a test's rolled-back or
    flushed database, and another test's heads would name events this one never had."""
    path = audit_heads_dir / f"{uuid.uuid4().hex}.jsonl"
    with override_settings(ZHURNAL_AUDIT_HEADS_FILE=str(path)):
        yield path


@pytest.fixture(autouse=True)
def cache_cleared() -> Iterator[None]:
    """Every test starts with an empty cache: a test's database is rolled back, but what it
    cached (the published privacy notice's version, API rate counters…) would otherwise
    outlive it in the worker and leak into the next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def school_day_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests enter marks for today's lessons whatever the hour the suite runs at: the rule
    that refuses a lesson not yet begun sees today's lessons as begun (as if the school day
    were over) unless the test passes its own `now`. Tomorrow's and next week's lessons
    stay refused; the rule's own tests give the exact moment
    (zhurnal/journal/tests/test_lesson_not_started.py)."""
    import datetime as dt

    from zhurnal.journal import services

    original = services.ensure_lesson_started

    def ensure_lesson_started(lesson: Any, *, now: dt.datetime | None = None) -> None:
        if now is None:
            day_end = dt.datetime.combine(
                lesson.date, dt.time(23, 59), tzinfo=services.lesson_starts_at(lesson).tzinfo
            )
            today = services.local_today(services._tz(lesson.assignment))
            now = max(services.timezone.now(), day_end) if lesson.date <= today else None
        original(lesson, now=now)

    monkeypatch.setattr(services, "ensure_lesson_started", ensure_lesson_started)


@pytest.fixture
def community(db: None) -> Community:
    return build_community()


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """login(user) logs the Django test client in as that user (second factor passed)."""

    def _login(user: User):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def second_factor_passed_on_force_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Client.force_login` stands for a finished sign-in: the password and, where the
    policy asks for one, the second factor. The sign-in itself, second factor included, is
    tested through the login page (zhurnal/accounts/tests)."""
    original = Client.force_login

    def force_login(self: Client, user: User, backend: str | None = None) -> None:
        original(self, user, backend)
        session = self.session
        if session.get(SECOND_FACTOR) == REQUIRED:
            session_second_factor_passed(session)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
