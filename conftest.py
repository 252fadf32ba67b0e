"""Fixtures for every test: the fixed cast (built in `tests/cast.py`), a logged-in client,
and the standard grading scales put back after a transactional test's flush."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tests.cast import Community, build_community
from zhurnal.accounts.models import User
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


@pytest.fixture
def community(db: None) -> Community:
    return build_community()


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """login(user) logs the Django test client in as that user."""

    def _login(user: User):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return _login
